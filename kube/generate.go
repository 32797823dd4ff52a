package kube

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// kube generate: what runs here as Kubernetes YAML, as podman writes it,
// that kube play gives back as an equivalent pod and that a cluster takes
// (kubectl apply -f). What has no Kubernetes form is named in a warning.

// ImageInfo is what generate needs of a container's image: what it runs
// and sets by default, which the YAML leaves out.
type ImageInfo struct {
	Entrypoint, Cmd, Env []string
	WorkingDir, User     string
	Volumes              []string
}

// ContainerSource is a container as generate reads it.
type ContainerSource struct {
	Ctr *engine.Container
	// UID and GID are those its process runs as; Env its environment.
	UID, GID uint32
	Env      []string
	Image    ImageInfo
}

// PodSource is a pod (or containers put in one) as generate reads it.
type PodSource struct {
	// Pod is nil for containers generated as a pod of their own.
	Pod     *engine.Pod
	Infra   *engine.Container
	Members []ContainerSource
	Meta    engine.KubeMeta
	// Files are the files of the ConfigMap and Secret volumes, and
	// Mountpoints where those volumes are, by volume name.
	Files       map[string]map[string][]byte
	Mountpoints map[string]string
}

// GenerateOptions are kube generate's flags.
type GenerateOptions struct {
	// Type is pod (the default) or deployment.
	Type    string
	Service bool
}

// generator collects the objects of one pod and what it cannot express.
type generator struct {
	src      PodSource
	name     string
	warnings []string
	volumes  map[string]corev1.Volume
	extra    []any // ConfigMaps and Secrets of the pod's volumes
}

func (g *generator) warn(format string, a ...any) {
	g.warnings = append(g.warnings, fmt.Sprintf(format, a...))
}

// GeneratePod makes the objects of a pod: its Pod (or Deployment), the
// ConfigMaps and Secrets of its volumes, and with o.Service a Service of
// its published ports. It returns what could not be expressed as
// warnings.
func GeneratePod(src PodSource, o GenerateOptions) ([]any, []string, error) {
	g := &generator{src: src, volumes: map[string]corev1.Volume{}}
	pod, err := g.pod()
	if err != nil {
		return nil, nil, err
	}
	var out []any
	out = append(out, g.extra...)
	switch o.Type {
	case "", "pod":
		if src.Pod == nil {
			// As podman: a container's Pod has no status.
			out = append(out, withoutStatus{pod})
		} else {
			out = append(out, pod)
		}
	case "deployment":
		out = append(out, g.deployment(pod))
	default:
		return nil, nil, errdefs.Invalid(fmt.Errorf("invalid --type %q: use pod or deployment", o.Type))
	}
	if o.Service {
		svc, err := service(pod)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, svc)
	}
	return out, g.warnings, nil
}

// withoutStatus is a Pod marshalled without its status.
type withoutStatus struct{ pod *corev1.Pod }

// pod makes the Pod.
func (g *generator) pod() (*corev1.Pod, error) {
	src := g.src
	if len(src.Members) == 0 {
		if src.Pod != nil {
			return nil, errdefs.Invalid(fmt.Errorf("pod %s only has an infra container: add a container to it (burrow run --pod %s ...)", src.Pod.Name, src.Pod.Name))
		}
		return nil, errdefs.Invalid(fmt.Errorf("no container given"))
	}
	pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}}
	pod.CreationTimestamp = metav1.NewTime(time.Now().UTC().Truncate(time.Second))
	labels := map[string]string{}
	annotations := maps.Clone(src.Meta.Annotations)
	if annotations == nil {
		annotations = map[string]string{}
	}
	// Names as podman writes them: without underscores, case kept (a
	// pod's own name whole), so that both kube plays give back the
	// names, and the annotations keyed by them, that generate wrote.
	appLabel := ""
	if src.Pod != nil {
		g.name = src.Pod.Name
		appLabel = kubeName(src.Pod.Name)
		maps.Copy(labels, src.Pod.Labels)
		pod.Spec.Hostname = src.Pod.Hostname
		if pod.Spec.Hostname == "" {
			pod.Spec.Hostname = src.Pod.Name
		}
		if slices.Contains(src.Pod.Share, "pid") {
			pod.Spec.ShareProcessNamespace = new(bool)
			*pod.Spec.ShareProcessNamespace = true
		}
	} else {
		first := src.Members[0].Ctr
		g.name = kubeName(first.Name)
		for _, m := range src.Members {
			if kubeName(m.Ctr.Name) == g.name {
				g.name += "-pod"
				break
			}
		}
		for _, m := range src.Members {
			for k, v := range m.Ctr.Config.Labels {
				if _, taken := labels[k]; !taken {
					labels[k] = v
				}
			}
		}
		if h := first.Config.Hostname; h != "" {
			pod.Spec.Hostname = h
		}
	}
	pod.Name = g.name
	if appLabel == "" {
		appLabel = g.name
	}
	if _, ok := labels["app"]; !ok {
		labels["app"] = appLabel
	}
	pod.Labels = g.validLabels(labels)
	g.network(pod)
	for i, m := range src.Members {
		c := g.container(m, i == 0)
		pod.Spec.Containers = append(pod.Spec.Containers, c)
		g.podmanAnnotations(annotations, m, c.Name)
	}
	pod.Spec.RestartPolicy = g.restartPolicy()
	if t := src.Members[0].Ctr.Config.StopTimeout; t != nil {
		s := int64(*t)
		pod.Spec.TerminationGracePeriodSeconds = &s
	}
	for _, name := range slices.Sorted(maps.Keys(g.volumes)) {
		pod.Spec.Volumes = append(pod.Spec.Volumes, g.volumes[name])
	}
	if len(annotations) > 0 {
		pod.Annotations = annotations
	}
	// As podman: no Service environment variables and no service
	// account token (burrow has neither).
	pod.Spec.EnableServiceLinks = new(bool)
	pod.Spec.AutomountServiceAccountToken = new(bool)
	return pod, nil
}

// netConfig is the configuration that holds the pod's network: its
// infra's, or the first container's.
func (g *generator) netConfig() *engine.Config {
	if g.src.Infra != nil {
		return &g.src.Infra.Config
	}
	return &g.src.Members[0].Ctr.Config
}

// network sets the pod's host network, /etc/hosts entries and DNS.
func (g *generator) network(pod *corev1.Pod) {
	c := g.netConfig()
	switch {
	case c.Network == engine.NetworkHost:
		pod.Spec.HostNetwork = true
	case c.Network == engine.NetworkNone:
		g.warn("%s has no network (--network none): Kubernetes always gives a pod one", g.name)
	case len(c.Networks) > 0:
		var names []string
		for _, a := range c.Networks {
			names = append(names, a.Network)
		}
		g.warn("%s is on the networks %s: a Kubernetes pod is on the cluster's network, reached through Services", g.name, strings.Join(names, ", "))
	}
	for _, h := range c.AddHosts {
		host, ip, _ := strings.Cut(h, ":")
		if ip == "host-gateway" {
			g.warn("%s: --add-host %s: Kubernetes has no host-gateway: not in the YAML", g.name, h)
			continue
		}
		pod.Spec.HostAliases = append(pod.Spec.HostAliases, corev1.HostAlias{IP: ip, Hostnames: []string{host}})
	}
	if len(c.DNS) > 0 {
		pod.Spec.DNSConfig = &corev1.PodDNSConfig{Nameservers: c.DNS}
	}
}

// ports are the pod's published ports, as container ports.
func (g *generator) ports() []corev1.ContainerPort {
	var out []corev1.ContainerPort
	for _, p := range g.netConfig().Ports {
		cp := corev1.ContainerPort{ContainerPort: int32(p.ContainerPort), HostPort: int32(p.HostPort)}
		if p.HostIP != "" && p.HostIP != "0.0.0.0" {
			cp.HostIP = p.HostIP
		}
		if p.Protocol == "udp" {
			cp.Protocol = corev1.ProtocolUDP
		}
		out = append(out, cp)
	}
	return out
}

// restartPolicy is the members' restart policy (the first one's).
func (g *generator) restartPolicy() corev1.RestartPolicy {
	c := g.src.Members[0].Ctr.Config
	switch c.Restart {
	case "always", "unless-stopped":
		return corev1.RestartPolicyAlways
	case "on-failure":
		if c.RestartMax > 0 {
			g.warn("%s: --restart on-failure:%d: a Kubernetes pod has no bound on restarts", g.name, c.RestartMax)
		}
		return corev1.RestartPolicyOnFailure
	}
	return corev1.RestartPolicyNever
}

// container makes one container of the pod; the pod's published ports
// go on the first.
func (g *generator) container(m ContainerSource, first bool) corev1.Container {
	cfg := m.Ctr.Config
	name := m.Ctr.Name
	if g.src.Pod != nil {
		name = strings.TrimPrefix(name, g.src.Pod.Name+"-")
	}
	c := corev1.Container{Name: kubeName(name), Image: m.Ctr.Image, Stdin: cfg.Interactive, TTY: cfg.TTY}
	c.Command, c.Args = commandArgs(cfg, m.Image)
	if cfg.Workdir != "" && cfg.Workdir != m.Image.WorkingDir {
		c.WorkingDir = cfg.Workdir
	}
	c.Env = g.env(m)
	if first {
		c.Ports = g.ports()
	}
	c.Resources = g.resources(c.Name, cfg)
	c.SecurityContext = g.securityContext(m)
	c.VolumeMounts = g.mounts(m)
	g.unexpressed(c.Name, cfg)
	return c
}

// commandArgs are the container's command and args, as few as say the
// same: what the image runs by default is left out.
func commandArgs(cfg engine.Config, img ImageInfo) (command, args []string) {
	esc := func(l []string) []string {
		if len(l) == 0 {
			return nil
		}
		out := make([]string, len(l))
		for i, s := range l {
			out[i] = escape(s)
		}
		return out
	}
	switch {
	case cfg.Entrypoint != nil && *cfg.Entrypoint == "":
		return esc(cfg.Command), nil
	case cfg.Entrypoint != nil:
		// All of it as the command, as kube play reads it back: the
		// entrypoint and the command after it.
		return esc(append([]string{*cfg.Entrypoint}, cfg.Command...)), nil
	case len(cfg.Command) == 0 || slices.Equal(cfg.Command, img.Cmd):
		return nil, nil
	case len(img.Entrypoint) == 0:
		return esc(cfg.Command), nil
	}
	return nil, esc(cfg.Command)
}

// env is what the container's user set: the values its process has,
// but those equal to the image's.
func (g *generator) env(m ContainerSource) []corev1.EnvVar {
	img := envMap(m.Image.Env)
	proc := envMap(m.Env)
	var out []corev1.EnvVar
	for _, kv := range m.Ctr.Config.Env {
		k, v, hasValue := strings.Cut(kv, "=")
		if !hasValue {
			if v, hasValue = proc(k); !hasValue {
				continue // taken from a host where it was not set
			}
		}
		if iv, ok := img(k); ok && iv == v {
			continue
		}
		out = append(out, corev1.EnvVar{Name: k, Value: escape(v)})
	}
	return out
}

// resources are the container's limits: memory and CPU as limits, the
// memory reservation and CPU shares as requests.
func (g *generator) resources(name string, cfg engine.Config) corev1.ResourceRequirements {
	var r corev1.ResourceRequirements
	l := cfg.Limits
	set := func(list *corev1.ResourceList, k corev1.ResourceName, q *resource.Quantity) {
		if *list == nil {
			*list = corev1.ResourceList{}
		}
		(*list)[k] = *q
	}
	if l.Memory > 0 {
		set(&r.Limits, corev1.ResourceMemory, resource.NewQuantity(l.Memory, resource.BinarySI))
	}
	cpus := l.CPUs
	if cpus == 0 && l.CPUQuota > 0 {
		period := l.CPUPeriod
		if period == 0 {
			period = 100000
		}
		cpus = float64(l.CPUQuota) / float64(period)
	}
	if milli := int64(cpus*1000 + 0.5); milli >= 1 {
		set(&r.Limits, corev1.ResourceCPU, resource.NewMilliQuantity(milli, resource.DecimalSI))
	}
	if l.MemoryReservation > 0 {
		set(&r.Requests, corev1.ResourceMemory, resource.NewQuantity(l.MemoryReservation, resource.BinarySI))
	}
	if l.CPUShares > 0 {
		set(&r.Requests, corev1.ResourceCPU, resource.NewMilliQuantity(int64(l.CPUShares)*1000/1024, resource.DecimalSI))
	}
	var other []string
	for _, x := range []struct {
		set  bool
		flag string
	}{
		{l.MemorySwap != 0, "--memory-swap"}, {l.PidsLimit > 0, "--pids-limit"}, {l.CpusetCpus != "", "--cpuset-cpus"},
		{l.CpusetMems != "", "--cpuset-mems"}, {l.BlkioWeight != 0, "--blkio-weight"},
		{len(l.DeviceReadBps)+len(l.DeviceWriteBps)+len(l.DeviceReadIOps)+len(l.DeviceWriteIOps) > 0, "--device-read/write-bps/iops"},
	} {
		if x.set {
			other = append(other, x.flag)
		}
	}
	if len(other) > 0 {
		g.warn("container %s: %s have no Kubernetes resource: not in the YAML", name, strings.Join(other, ", "))
	}
	return r
}

// dockerCaps are the capabilities a Kubernetes node's runtime gives a
// container by default (containerd's and CRI-O's, Docker's), in the
// order podman lists them: the YAML adds and drops against them, so that
// the container has the same set on a cluster as here. Their names are
// podman's, with CAP_ (Kubernetes runtimes take both spellings).
var dockerCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
	"CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// securityContext is the container's capabilities, user, privileges and
// read-only root.
func (g *generator) securityContext(m ContainerSource) *corev1.SecurityContext {
	cfg := m.Ctr.Config
	sc := &corev1.SecurityContext{}
	if cfg.Privileged {
		sc.Privileged = new(bool)
		*sc.Privileged = true
	} else if caps, err := engine.Capabilities(&cfg); err == nil {
		have := map[string]bool{}
		for _, c := range caps {
			have[capName(c)] = true
		}
		sc.Capabilities = &corev1.Capabilities{}
		for _, c := range dockerCaps {
			if !have[c] {
				sc.Capabilities.Drop = append(sc.Capabilities.Drop, corev1.Capability(c))
			}
		}
		for _, c := range slices.Sorted(maps.Keys(have)) {
			if !slices.Contains(dockerCaps, c) {
				sc.Capabilities.Add = append(sc.Capabilities.Add, corev1.Capability(c))
			}
		}
	}
	if cfg.ReadOnly {
		sc.ReadOnlyRootFilesystem = new(bool)
		*sc.ReadOnlyRootFilesystem = true
	}
	if cfg.NoNewPrivileges {
		sc.AllowPrivilegeEscalation = new(bool)
	}
	if cfg.User != "" && cfg.User != m.Image.User {
		uid, gid := int64(m.UID), int64(m.GID)
		sc.RunAsUser, sc.RunAsGroup = &uid, &gid
	}
	return sc
}

// mounts are the container's volume mounts; their volumes are the pod's.
func (g *generator) mounts(m ContainerSource) []corev1.VolumeMount {
	var out []corev1.VolumeMount
	for _, ms := range m.Ctr.Config.Mounts {
		if ms.Anonymous && slices.Contains(m.Image.Volumes, ms.Destination) {
			continue // the image's VOLUME: a cluster keeps the image's files there
		}
		vm := corev1.VolumeMount{MountPath: ms.Destination, ReadOnly: ms.ReadOnly()}
		var vol corev1.Volume
		switch {
		case ms.Type == "tmpfs":
			vol.Name = dnsName(strings.Trim(ms.Destination, "/"), 57) + "-tmpfs"
			vol.EmptyDir = &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}
			for _, o := range ms.Options {
				if s, ok := strings.CutPrefix(o, "size="); ok {
					if q, err := resource.ParseQuantity(strings.ToUpper(strings.TrimSuffix(s, "b"))); err == nil {
						vol.EmptyDir.SizeLimit = &q
					} else if n, err := strconv.ParseInt(s, 10, 64); err == nil {
						vol.EmptyDir.SizeLimit = resource.NewQuantity(n, resource.BinarySI)
					}
				}
			}
		case ms.Type == "bind":
			if kv, sub, ok := g.inFileVolume(ms.Source); ok {
				vol = g.fileVolume(kv)
				vm.SubPath = sub
				vm.ReadOnly = false // a ConfigMap's volume is read-only anyway
				break
			}
			vol = hostPathOf(ms.Source)
		case ms.Anonymous:
			name := strings.TrimPrefix(ms.Source, g.name+"-")
			if g.src.Pod != nil {
				name = strings.TrimPrefix(ms.Source, g.src.Pod.Name+"-")
			}
			if name == ms.Source || name == "" {
				name = strings.Trim(ms.Destination, "/")
			}
			vol.Name = dnsName(name, 63)
			vol.EmptyDir = &corev1.EmptyDirVolumeSource{}
		default:
			if kv, ok := g.fileOrigin(ms.Source); ok {
				vol = g.fileVolume(kv)
				vm.ReadOnly = false
				break
			}
			if len(validation.IsDNS1123Subdomain(ms.Source)) > 0 {
				g.warn("volume %s: its name is not a Kubernetes name: rename it (a PersistentVolumeClaim %s cannot be made)", ms.Source, ms.Source)
			}
			vol.Name = dnsName(ms.Source, 59) + "-pvc"
			vol.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: ms.Source, ReadOnly: ms.ReadOnly()}
		}
		vm.Name = vol.Name
		g.volumes[vol.Name] = vol
		out = append(out, vm)
	}
	return out
}

// hostPathOf is a bind mount as a hostPath, of the type of what is
// there now.
func hostPathOf(src string) corev1.Volume {
	name := "root"
	if src != "/" {
		name = strings.Trim(src, "/")
	}
	t := corev1.HostPathDirectoryOrCreate
	if st, err := os.Stat(src); err == nil {
		t = corev1.HostPathFile
		if st.IsDir() {
			t = corev1.HostPathDirectory
		}
	}
	return corev1.Volume{Name: dnsName(name, 58) + "-host", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: src, Type: &t}}}
}

// fileOrigin is the ConfigMap or Secret a named volume was made from.
func (g *generator) fileOrigin(volume string) (engine.KubeVolume, bool) {
	for _, kv := range g.src.Meta.Volumes {
		if kv.Name == volume {
			return kv, true
		}
	}
	return engine.KubeVolume{}, false
}

// inFileVolume tells whether a bind mount's source is a subPath of a
// ConfigMap's or Secret's volume.
func (g *generator) inFileVolume(src string) (engine.KubeVolume, string, bool) {
	for _, kv := range g.src.Meta.Volumes {
		root, ok := g.src.Mountpoints[kv.Name]
		if !ok {
			continue
		}
		if sub, ok := strings.CutPrefix(src, filepath.Clean(root)+"/"); ok {
			return kv, sub, true
		}
	}
	return engine.KubeVolume{}, "", false
}

// fileVolume is the volume of a ConfigMap or Secret, whose object it adds
// to the output with the data its volume holds.
func (g *generator) fileVolume(kv engine.KubeVolume) corev1.Volume {
	vol := corev1.Volume{Name: kv.Volume}
	var items []corev1.KeyToPath
	for _, k := range slices.Sorted(maps.Keys(kv.Items)) {
		items = append(items, corev1.KeyToPath{Key: k, Path: kv.Items[k]})
	}
	if kv.Kind == "Secret" {
		vol.Secret = &corev1.SecretVolumeSource{SecretName: kv.Name, Items: items, DefaultMode: kv.DefaultMode}
	} else {
		vol.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: kv.Name}, Items: items, DefaultMode: kv.DefaultMode}
	}
	if _, done := g.volumes[vol.Name]; !done {
		g.extra = append(g.extra, g.fileObject(kv))
	}
	return vol
}

// fileObject is the ConfigMap or Secret of a volume, from its files.
func (g *generator) fileObject(kv engine.KubeVolume) any {
	files := g.src.Files[kv.Name]
	data := map[string][]byte{}
	if len(kv.Items) > 0 {
		for k, p := range kv.Items {
			if b, ok := files[p]; ok {
				data[k] = b
			}
		}
	} else {
		maps.Copy(data, files)
	}
	meta := metav1.ObjectMeta{Name: kv.Name}
	if kv.Kind == "Secret" {
		return &corev1.Secret{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: meta, Data: data, Type: corev1.SecretTypeOpaque}
	}
	cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: meta}
	for k, b := range data {
		if utf8.Valid(b) {
			if cm.Data == nil {
				cm.Data = map[string]string{}
			}
			cm.Data[k] = string(b)
			continue
		}
		if cm.BinaryData == nil {
			cm.BinaryData = map[string][]byte{}
		}
		cm.BinaryData[k] = b
	}
	return cm
}

// podmanAnnotations adds the per-container annotations podman writes (and
// its kube play reads).
func (g *generator) podmanAnnotations(a map[string]string, m ContainerSource, name string) {
	cfg := m.Ctr.Config
	upper := func(b bool) string { return strings.ToUpper(strconv.FormatBool(b)) }
	a["io.kubernetes.cri-o.TTY/"+name] = strconv.FormatBool(cfg.TTY)
	a[annotationAutoremove+"/"+name] = upper(cfg.Remove)
	a[annotationInit+"/"+name] = upper(cfg.Init)
	a["io.podman.annotations.privileged/"+name] = upper(cfg.Privileged)
	a["io.podman.annotations.publish-all/"+name] = upper(cfg.PublishAll)
	if g.src.Pod != nil {
		a["io.kubernetes.cri-o.ContainerType/"+name] = "container"
		// The first 63 characters, as podman writes it: its kube play
		// refuses a longer annotation.
		a["io.kubernetes.cri-o.SandboxID/"+name] = g.src.Pod.InfraID[:min(len(g.src.Pod.InfraID), 63)]
	}
}

// unexpressed names what a container asks for that Kubernetes YAML
// cannot say.
func (g *generator) unexpressed(name string, c engine.Config) {
	var what []string
	for _, x := range []struct {
		set  bool
		flag string
	}{
		{c.UserNS != "" || len(c.UIDMap)+len(c.GIDMap) > 0, "--userns/--uidmap/--gidmap"},
		{c.Seccomp != "", "--security-opt seccomp"},
		{len(c.Mask)+len(c.Unmask) > 0, "--security-opt mask/unmask"},
		{c.NetworkRate > 0, "--network-rate"},
		{c.OOMScoreAdj != nil, "--oom-score-adj"},
		{c.LogDriver == engine.LogNone || c.LogDriver == engine.LogPassthrough, "--log-driver " + c.LogDriver},
		{c.LogSizeMax > 0, "--log-opt max-size"},
		{c.CgroupsDisabled, "--cgroups disabled"},
	} {
		if x.set {
			what = append(what, x.flag)
		}
	}
	if len(what) > 0 {
		g.warn("container %s: %s cannot be said in Kubernetes YAML: not in it", name, strings.Join(what, ", "))
	}
}

// validLabels are the labels Kubernetes takes; the others are named in a
// warning.
func (g *generator) validLabels(labels map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range labels {
		if len(validation.IsQualifiedName(k)) > 0 || len(validation.IsValidLabelValue(v)) > 0 {
			g.warn("%s: the label %s=%s is not a Kubernetes label: not in the YAML", g.name, k, v)
			continue
		}
		out[k] = v
	}
	return out
}

// deployment wraps the pod in a Deployment of one replica.
func (g *generator) deployment(pod *corev1.Pod) *appsv1.Deployment {
	name := strings.TrimSuffix(pod.Name, "-pod")
	if pod.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		g.warn("%s: a Deployment's pods restart Always, not %s", pod.Name, pod.Spec.RestartPolicy)
		pod.Spec.RestartPolicy = corev1.RestartPolicyAlways
	}
	one := int32(1)
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: pod.CreationTimestamp, Labels: pod.Labels},
	}
	d.Spec.Replicas = &one
	d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": pod.Labels["app"]}}
	d.Spec.Template.ObjectMeta = metav1.ObjectMeta{Labels: pod.Labels, Annotations: pod.Annotations}
	d.Spec.Template.Spec = pod.Spec
	return d
}

// service is a NodePort Service of the pod's published ports.
func service(pod *corev1.Pod) (*corev1.Service, error) {
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, CreationTimestamp: pod.CreationTimestamp, Labels: pod.Labels},
	}
	svc.Spec.Type = corev1.ServiceTypeNodePort
	svc.Spec.Selector = map[string]string{"app": pod.Labels["app"]}
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			proto := p.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			sp := corev1.ServicePort{
				Name:     fmt.Sprintf("%s-%d", strings.ToLower(string(proto)), p.ContainerPort),
				Protocol: proto, Port: p.ContainerPort, TargetPort: intstr.FromInt32(p.ContainerPort),
			}
			// A node port where the cluster allows it; elsewhere the
			// cluster picks one.
			if p.HostPort >= 30000 && p.HostPort <= 32767 {
				sp.NodePort = p.HostPort
			}
			svc.Spec.Ports = append(svc.Spec.Ports, sp)
		}
	}
	if len(svc.Spec.Ports) == 0 {
		return nil, errdefs.Invalid(fmt.Errorf("--service: %s publishes no port: publish one (-p) or drop --service", pod.Name))
	}
	return svc, nil
}

// Claim is a named volume as a PersistentVolumeClaim.
func ClaimObject(v *engine.Volume) *corev1.PersistentVolumeClaim {
	pvc := &corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: metav1.ObjectMeta{Name: v.Name, Labels: v.Labels, CreationTimestamp: metav1.NewTime(v.CreatedAt.UTC().Truncate(time.Second))},
	}
	if len(pvc.Labels) == 0 {
		pvc.Labels = nil
	}
	pvc.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	pvc.Spec.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}
	return pvc
}

// kubeName is a container's or pod's name as podman writes it in YAML:
// without underscores, which no Kubernetes name may hold.
func kubeName(s string) string { return strings.ReplaceAll(s, "_", "") }

// dnsName makes s a DNS label (or subdomain) Kubernetes takes, of at most
// n characters: lower case, letters, digits and -.
func dnsName(s string, n int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '_':
			// podman drops underscores
		default:
			b.WriteByte('-')
		}
	}
	out := b.String()
	if len(out) > n {
		out = out[:n]
	}
	out = strings.Trim(out, "-")
	if out == "" {
		out = "x"
	}
	return out
}
