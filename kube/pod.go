package kube

import (
	"fmt"
	"maps"
	"net"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// environment is what the pods of one kube play can refer to.
type environment struct {
	configMaps map[string]*corev1.ConfigMap
	secrets    map[string]*corev1.Secret
}

// podContext is what a pod's containers are translated with.
type podContext struct {
	doc     Document
	pod     *PodPlan
	spec    *corev1.PodSpec
	env     *environment
	volumes map[string]volume
	labels  map[string]string
	// restart is the containers' restart policy.
	restart string
}

// translatePod makes the plan of the pod name from a pod template.
func translatePod(d Document, name string, tmpl *corev1.PodTemplateSpec, ownerAnnotations map[string]string, env *environment) (*PodPlan, error) {
	spec := &tmpl.Spec
	fail := func(format string, a ...any) error {
		return errdefs.Invalid(fmt.Errorf("%s: %s", d, fmt.Sprintf(format, a...)))
	}
	switch {
	case spec.HostPID:
		return nil, fail("hostPID is refused: a pod of burrow cannot share the host's PID namespace")
	case spec.HostIPC:
		return nil, fail("hostIPC is refused: a pod of burrow cannot share the host's IPC namespace")
	case len(spec.Containers) == 0:
		return nil, fail("the pod has no containers")
	}
	pod := &PodPlan{Source: d.String(), Name: name}
	pod.Annotations = maps.Clone(ownerAnnotations)
	if len(tmpl.Annotations) > 0 {
		if pod.Annotations == nil {
			pod.Annotations = map[string]string{}
		}
		maps.Copy(pod.Annotations, tmpl.Annotations)
	}
	share := []string{"uts", "ipc", "net"}
	if spec.ShareProcessNamespace != nil && *spec.ShareProcessNamespace {
		share = append(share, "pid")
	}
	pod.Options = engine.PodOptions{
		Name: name, Labels: maps.Clone(tmpl.Labels), Hostname: spec.Hostname, Share: share,
		// As podman's kube play: the pod stops when its last container
		// exits (a Job's pod is done then).
		ExitPolicy: engine.ExitPolicyStop,
	}
	if err := podNetwork(pod, spec, fail); err != nil {
		return nil, err
	}
	pc := &podContext{doc: d, pod: pod, spec: spec, env: env, labels: tmpl.Labels}
	var err error
	if pc.volumes, err = translateVolumes(pc); err != nil {
		return nil, err
	}
	switch spec.RestartPolicy {
	case corev1.RestartPolicyAlways, "":
		pc.restart = "always"
	case corev1.RestartPolicyOnFailure:
		pc.restart = "on-failure"
	case corev1.RestartPolicyNever:
		pc.restart = "no"
	default:
		return nil, fail("invalid restartPolicy %q: use Always, OnFailure or Never", spec.RestartPolicy)
	}
	seen := map[string]bool{}
	for i := range spec.InitContainers {
		c, err := translateContainer(pc, &spec.InitContainers[i], true, seen)
		if err != nil {
			return nil, err
		}
		pod.InitContainers = append(pod.InitContainers, c)
	}
	for i := range spec.Containers {
		c, err := translateContainer(pc, &spec.Containers[i], false, seen)
		if err != nil {
			return nil, err
		}
		pod.Containers = append(pod.Containers, c)
	}
	return pod, nil
}

// podNetwork sets the pod's network options: host network, published
// hostPorts, /etc/hosts entries and DNS servers.
func podNetwork(pod *PodPlan, spec *corev1.PodSpec, fail func(string, ...any) error) error {
	n := &pod.Options.Net
	if spec.HostNetwork {
		n.Network = engine.NetworkHost
	}
	for _, a := range spec.HostAliases {
		for _, h := range a.Hostnames {
			entry := h + ":" + a.IP
			if err := engine.ParseAddHost(entry); err != nil {
				return fail("hostAliases: %v", err)
			}
			n.AddHosts = append(n.AddHosts, entry)
		}
	}
	if spec.DNSConfig != nil {
		for _, s := range spec.DNSConfig.Nameservers {
			if net.ParseIP(s) == nil {
				return fail("dnsConfig.nameservers: %q is not an IP address", s)
			}
			n.DNS = append(n.DNS, s)
		}
	}
	// Only hostPorts are published, as podman does: the containers'
	// ports are all reachable from inside the pod anyway.
	seen := map[string]string{}
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		for _, p := range c.Ports {
			if p.HostPort == 0 {
				continue
			}
			proto := strings.ToLower(string(p.Protocol))
			switch proto {
			case "":
				proto = "tcp"
			case "tcp", "udp":
			default:
				return fail("container %s: port %d/%s: burrow publishes tcp and udp only", c.Name, p.ContainerPort, p.Protocol)
			}
			cport := p.ContainerPort
			if cport == 0 {
				cport = p.HostPort
			}
			if p.HostIP != "" && net.ParseIP(p.HostIP) == nil {
				return fail("container %s: hostIP %q is not an IP address", c.Name, p.HostIP)
			}
			key := fmt.Sprintf("%s:%d/%s", p.HostIP, p.HostPort, proto)
			if other, dup := seen[key]; dup {
				return fail("hostPort %d/%s is given twice (containers %s and %s): publish it once", p.HostPort, proto, other, c.Name)
			}
			seen[key] = c.Name
			n.Ports = append(n.Ports, engine.PortMapping{HostIP: p.HostIP, HostPort: uint16(p.HostPort), ContainerPort: uint16(cport), Protocol: proto})
		}
	}
	return nil
}

// checkContainerName refuses a name Kubernetes refuses, or one given
// twice in the pod.
func checkContainerName(pc *podContext, name string, seen map[string]bool) error {
	if errs := orPodmanName(validation.IsDNS1123Label)(name); len(errs) > 0 {
		return errdefs.Invalid(fmt.Errorf("%s: invalid container name %q: %s", pc.doc, name, strings.Join(errs, "; ")))
	}
	if seen[name] {
		return errdefs.Invalid(fmt.Errorf("%s: the container name %q is given twice: names are unique in a pod", pc.doc, name))
	}
	seen[name] = true
	return nil
}
