package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// Targets are what kube down removes for a YAML stream: read from the
// names alone, so that a YAML kube play would refuse (a ConfigMap gone
// missing) can still be taken down.
type Targets struct {
	Pods []string
	// EmptyDirs are the pods' emptyDir volumes, removed with them.
	EmptyDirs []string
	// Volumes are the PersistentVolumeClaims' and the ConfigMap and
	// Secret volumes, removed with --force only.
	Volumes []string
}

// DownTargets lists the pods and volumes of the documents.
func DownTargets(docs []Document) Targets {
	var t Targets
	for _, d := range docs {
		var name string
		var spec *corev1.PodSpec
		switch o := d.Object.(type) {
		case *corev1.Pod:
			name, spec = o.Name, &o.Spec
		case *appsv1.Deployment:
			name, spec = o.Name+"-pod", &o.Spec.Template.Spec
		case *appsv1.DaemonSet:
			name, spec = o.Name+"-pod", &o.Spec.Template.Spec
		case *batchv1.Job:
			name, spec = o.Name+"-pod", &o.Spec.Template.Spec
		case *corev1.PersistentVolumeClaim:
			t.Volumes = appendNew(t.Volumes, o.Name)
			continue
		default:
			continue
		}
		t.Pods = appendNew(t.Pods, name)
		for _, v := range spec.Volumes {
			switch {
			case v.EmptyDir != nil && v.EmptyDir.Medium != corev1.StorageMediumMemory:
				t.EmptyDirs = appendNew(t.EmptyDirs, name+"-"+v.Name)
			case v.ConfigMap != nil:
				t.Volumes = appendNew(t.Volumes, v.ConfigMap.Name)
			case v.Secret != nil:
				t.Volumes = appendNew(t.Volumes, v.Secret.SecretName)
			case v.PersistentVolumeClaim != nil:
				t.Volumes = appendNew(t.Volumes, v.PersistentVolumeClaim.ClaimName)
			}
		}
	}
	return t
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// DownReport is what kube down did.
type DownReport struct {
	Stopped, Removed []string // pod IDs
	Volumes          []string
}

// Down stops and removes the pods of t (those that exist), their
// emptyDir volumes, and with force the other volumes of t too.
func Down(ctx context.Context, eng *engine.Engine, t Targets, force bool) (*DownReport, error) {
	r := &DownReport{}
	var errs []error
	for _, name := range t.Pods {
		pod, err := eng.GetPod(name)
		if errdefs.Is(err, errdefs.ClassNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, err := eng.StopPod(ctx, pod, nil); err != nil {
			errs = append(errs, fmt.Errorf("stopping pod %s: %w", name, err))
			continue
		}
		r.Stopped = append(r.Stopped, pod.ID)
		if pod, err = eng.GetPod(pod.ID); err == nil {
			_, err = eng.RemovePod(ctx, pod, engine.PodRemoveOptions{Force: true})
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("removing pod %s: %w", name, err))
			continue
		}
		r.Removed = append(r.Removed, pod.ID)
	}
	vols := t.EmptyDirs
	if force {
		vols = append(append([]string{}, vols...), t.Volumes...)
	}
	for _, v := range vols {
		err := eng.RemoveVolume(v, false, nil)
		switch {
		case err == nil:
			r.Volumes = append(r.Volumes, v)
		case errdefs.Is(err, errdefs.ClassNotFound):
		default:
			errs = append(errs, err)
		}
	}
	return r, errors.Join(errs...)
}
