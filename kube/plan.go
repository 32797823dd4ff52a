package kube

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
)

// Plan is what a YAML stream asks kube play to make, checked and
// translated into the engine's terms before anything is made.
type Plan struct {
	// Claims are the PersistentVolumeClaims: named volumes.
	Claims []Claim
	Pods   []*PodPlan
	// Warnings name what the YAML asks for that burrow does not do.
	Warnings []string
}

// Claim is a PersistentVolumeClaim, made as a named volume.
type Claim struct {
	Name   string
	Labels map[string]string
}

// PodPlan is one pod: of a Pod, or of a Deployment's, DaemonSet's or Job's
// pod template.
type PodPlan struct {
	// Source names the document, for messages.
	Source  string
	Name    string
	Options engine.PodOptions
	// Annotations are the pod's, kept with it (engine.KubeMeta).
	Annotations    map[string]string
	InitContainers []*Container
	Containers     []*Container
	// Files are the ConfigMap and Secret volumes: named volumes that
	// kube play fills.
	Files []FileVolume
	// EmptyDirs are the names of the volumes of the pod's emptyDirs, made
	// empty before the containers and removed by kube down.
	EmptyDirs []string
	// HostPaths are hostPath volumes to make or check first.
	HostPaths []HostPath
}

// Container is one container of a pod.
type Container struct {
	// Name is the container's name in the YAML; Config.Name is
	// POD-NAME.
	Name   string
	Config engine.Config
	// Pull is when to pull the image: always, missing, never, or newer
	// (pull, and fall back to a local image when the pull fails).
	Pull string
	// Requests are resources.requests: applied where the host can apply
	// limits, else named in a warning (they reserve, they do not limit).
	Requests limits.Limits
	// RunAsNonRoot refuses an image whose user is root.
	RunAsNonRoot bool
	// SubPaths are mounts of a path inside a volume, resolved by kube
	// play once the volume exists.
	SubPaths []SubPath
}

// SubPath mounts SubPath of a hostPath (Source a host directory), or of
// a ConfigMap's or Secret's volume (Volume its name), at Destination.
type SubPath struct {
	Source, Volume, SubPath, Destination string
	ReadOnly                             bool
}

// FileVolume is a named volume holding a ConfigMap's or a Secret's keys as
// files.
type FileVolume struct {
	Name  string
	Files map[string][]byte // path in the volume -> content
	Modes map[string]uint32 // path -> mode
	// Origin is what the volume was made from, kept with the pod for kube
	// generate.
	Origin engine.KubeVolume
}

// HostPath is a hostPath volume's path and type.
type HostPath struct {
	Path string
	Type corev1.HostPathType
}

// Translate turns decoded documents into a plan. configMaps are those of
// --configmap files, beside the stream's own.
func Translate(docs []Document, configMaps []corev1.ConfigMap) (*Plan, error) {
	env := &environment{configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}}
	for i := range configMaps {
		env.configMaps[configMaps[i].Name] = &configMaps[i]
	}
	p := &Plan{}
	var workloads []Document
	for _, d := range docs {
		if w := ignoredWarning(d); w != "" {
			p.Warnings = append(p.Warnings, w)
		}
		switch o := d.Object.(type) {
		case *corev1.ConfigMap:
			if _, dup := env.configMaps[o.Name]; dup {
				return nil, errdefs.Invalid(fmt.Errorf("%s: ConfigMap %q is given twice (in the YAML and in --configmap?): keep one", d.Source, o.Name))
			}
			env.configMaps[o.Name] = o
		case *corev1.Secret:
			env.secrets[o.Name] = o
		case *corev1.PersistentVolumeClaim:
			if err := checkName(d, orPodmanName(validation.IsDNS1123Subdomain)); err != nil {
				return nil, err
			}
			p.Claims = append(p.Claims, Claim{Name: o.Name, Labels: o.Labels})
		case *corev1.Service:
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s: burrow does not make Services: the pods' hostPorts are published instead", d))
		default:
			workloads = append(workloads, d)
		}
	}
	for _, d := range workloads {
		pod, warnings, err := translateWorkload(d, env)
		if err != nil {
			return nil, err
		}
		p.Warnings = append(p.Warnings, warnings...)
		p.Pods = append(p.Pods, pod)
	}
	if len(p.Pods) == 0 && len(p.Claims) == 0 {
		return nil, errdefs.Invalid(fmt.Errorf("the YAML has nothing to run: a ConfigMap, Secret or Service is used by a Pod, Deployment, DaemonSet or Job of the same kube play"))
	}
	if err := checkUnique(p); err != nil {
		return nil, err
	}
	return p, nil
}

// checkUnique refuses two pods, or two kinds of volume, of one name.
func checkUnique(p *Plan) error {
	pods := map[string]string{}
	vols := map[string]string{}
	for _, c := range p.Claims {
		vols[c.Name] = "PersistentVolumeClaim"
	}
	for _, pod := range p.Pods {
		if other, dup := pods[pod.Name]; dup {
			return errdefs.Invalid(fmt.Errorf("%s and %s both make pod %q: rename one", other, pod.Source, pod.Name))
		}
		pods[pod.Name] = pod.Source
		for _, f := range pod.Files {
			if kind, ok := vols[f.Name]; ok && kind != f.Origin.Kind {
				return errdefs.Invalid(fmt.Errorf("%s: volume %q would hold both a %s and a %s: burrow names these volumes after them; rename one", pod.Source, f.Name, kind, f.Origin.Kind))
			}
			vols[f.Name] = f.Origin.Kind
		}
	}
	return nil
}

// translateWorkload makes the pod of a Pod, Deployment, DaemonSet or Job.
func translateWorkload(d Document, env *environment) (*PodPlan, []string, error) {
	var warnings []string
	var tmpl corev1.PodTemplateSpec
	var extra map[string]string // the owner's annotations, as podman gives them
	name := d.Name
	switch o := d.Object.(type) {
	case *corev1.Pod:
		tmpl.ObjectMeta, tmpl.Spec = o.ObjectMeta, o.Spec
	case *appsv1.Deployment:
		if o.Spec.Replicas != nil && *o.Spec.Replicas > 1 {
			warnings = append(warnings, fmt.Sprintf("%s asks for %d replicas: burrow runs one", d, *o.Spec.Replicas))
		}
		if err := checkSelector(d, o.Spec.Selector, o.Spec.Template.Labels); err != nil {
			return nil, nil, err
		}
		tmpl, extra, name = o.Spec.Template, o.Annotations, d.Name+"-pod"
		if p := tmpl.Spec.RestartPolicy; p != "" && p != corev1.RestartPolicyAlways {
			return nil, nil, errdefs.Invalid(fmt.Errorf("%s: a Deployment's pods restart Always, not %s: drop restartPolicy or use a Job", d, p))
		}
	case *appsv1.DaemonSet:
		if err := checkSelector(d, o.Spec.Selector, o.Spec.Template.Labels); err != nil {
			return nil, nil, err
		}
		tmpl, extra, name = o.Spec.Template, o.Annotations, d.Name+"-pod"
	case *batchv1.Job:
		tmpl, extra, name = o.Spec.Template, o.Annotations, d.Name+"-pod"
		if n := o.Spec.Completions; n != nil && *n > 1 {
			warnings = append(warnings, fmt.Sprintf("%s asks for %d completions: burrow runs its pod once", d, *n))
		}
		if n := o.Spec.Parallelism; n != nil && *n > 1 {
			warnings = append(warnings, fmt.Sprintf("%s asks for a parallelism of %d: burrow runs one pod", d, *n))
		}
		switch tmpl.Spec.RestartPolicy {
		case corev1.RestartPolicyNever, corev1.RestartPolicyOnFailure:
		default:
			return nil, nil, errdefs.Invalid(fmt.Errorf("%s: a Job's restartPolicy must be Never or OnFailure (not %q), as Kubernetes requires", d, tmpl.Spec.RestartPolicy))
		}
	}
	if err := checkName(d, orPodmanName(validation.IsDNS1123Subdomain)); err != nil {
		return nil, nil, err
	}
	pod, err := translatePod(d, name, &tmpl, extra, env)
	if err != nil {
		return nil, nil, err
	}
	if job, ok := d.Object.(*batchv1.Job); ok && tmpl.Spec.RestartPolicy == corev1.RestartPolicyOnFailure {
		limit := 6 // Kubernetes' default backoffLimit
		if job.Spec.BackoffLimit != nil {
			limit = int(*job.Spec.BackoffLimit)
		}
		for _, c := range pod.Containers {
			c.Config.RestartMax = limit
		}
	}
	return pod, warnings, nil
}

// orPodmanName is a Kubernetes name check that also passes the names
// podman writes and plays (capitals and underscores kept): podman's YAML
// plays here as in podman.
func orPodmanName(valid func(string) []string) func(string) []string {
	return func(n string) []string {
		if engine.ValidName(n) {
			return nil
		}
		return valid(n)
	}
}

// checkName refuses an object without a valid Kubernetes (or podman) name.
func checkName(d Document, valid func(string) []string) error {
	if d.Name == "" {
		return errdefs.Invalid(fmt.Errorf("%s: %s has no metadata.name: give it one", d.Source, d.Kind))
	}
	if errs := valid(d.Name); len(errs) > 0 {
		return errdefs.Invalid(fmt.Errorf("%s: invalid name: %s", d, strings.Join(errs, "; ")))
	}
	return nil
}

// checkSelector refuses a selector that does not select the template's
// pods, as the API server does.
func checkSelector(d Document, sel *metav1.LabelSelector, tmplLabels map[string]string) error {
	if sel == nil || len(sel.MatchLabels) == 0 {
		return errdefs.Invalid(fmt.Errorf("%s: spec.selector.matchLabels is required: give the labels of its pod template", d))
	}
	for k, v := range sel.MatchLabels {
		if got, ok := tmplLabels[k]; !ok || got != v {
			return errdefs.Invalid(fmt.Errorf("%s: spec.selector.matchLabels %v do not match the template's labels %v", d, sel.MatchLabels, tmplLabels))
		}
	}
	return nil
}
