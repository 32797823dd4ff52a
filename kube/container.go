package kube

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
)

// translateContainer makes the engine's configuration of one container
// (an init container when init).
func translateContainer(pc *podContext, c *corev1.Container, init bool, seen map[string]bool) (*Container, error) {
	if err := checkContainerName(pc, c.Name, seen); err != nil {
		return nil, err
	}
	fail := func(format string, a ...any) error {
		return errdefs.Invalid(fmt.Errorf("%s: container %s: %s", pc.doc, c.Name, fmt.Sprintf(format, a...)))
	}
	if c.Image == "" {
		return nil, fail("no image: give one")
	}
	out := &Container{Name: c.Name}
	cfg := &out.Config
	cfg.Name = pc.pod.Name + "-" + c.Name
	cfg.Image = c.Image
	cfg.Labels = maps.Clone(pc.labels)
	cfg.Interactive, cfg.TTY = c.Stdin, c.TTY
	cfg.Restart = pc.restart
	if init {
		cfg.Restart = "no"
	}
	if t := pc.spec.TerminationGracePeriodSeconds; t != nil {
		if *t < 0 {
			return nil, fail("terminationGracePeriodSeconds must not be negative")
		}
		s := uint(*t)
		cfg.StopTimeout = &s
	}
	var err error
	if out.Pull, err = pullPolicy(c); err != nil {
		return nil, fail("%v", err)
	}
	env, err := containerEnv(pc, c)
	if err != nil {
		return nil, fail("%v", err)
	}
	cfg.Env = env
	lookup := envMap(env)
	if len(c.Command) > 0 {
		cmd := expandAll(c.Command, lookup)
		cfg.Entrypoint = &cmd[0]
		cfg.Command = cmd[1:]
	}
	if len(c.Args) > 0 {
		cfg.Command = append(cfg.Command, expandAll(c.Args, lookup)...)
	}
	cfg.Workdir = c.WorkingDir
	if cfg.Limits, out.Requests, err = resources(c.Resources); err != nil {
		return nil, fail("%v", err)
	}
	if err := security(pc, c, out); err != nil {
		return nil, fail("%v", err)
	}
	if err := podmanFlags(pc.pod.Annotations, c.Name, cfg); err != nil {
		return nil, fail("%v", err)
	}
	if err := mounts(pc, c, out); err != nil {
		return nil, fail("%v", err)
	}
	return out, nil
}

// The per-container annotations (KEY/CONTAINER) of podman's kube
// generate that its kube play reads back as run's flags.
const (
	annotationAutoremove = "io.podman.annotations.autoremove"
	annotationInit       = "io.podman.annotations.init"
)

// podmanFlags applies the annotations of podman's YAML that say --rm and
// --init of the container, as later podman's kube play reads them
// (4.3's ignores them), so that a container generated with --init plays
// back with it.
func podmanFlags(a map[string]string, name string, cfg *engine.Config) error {
	for _, f := range []struct {
		key string
		dst *bool
	}{{annotationAutoremove, &cfg.Remove}, {annotationInit, &cfg.Init}} {
		v, ok := a[f.key+"/"+name]
		if !ok {
			continue
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("annotation %s/%s: %q is not a boolean: give TRUE or FALSE", f.key, name, v)
		}
		*f.dst = b
	}
	if cfg.Remove && cfg.Restart != "" && cfg.Restart != "no" {
		return fmt.Errorf("annotation %s/%s (--rm) conflicts with the restart policy %s: set restartPolicy: Never or drop the annotation", annotationAutoremove, name, cfg.Restart)
	}
	return nil
}

// pullPolicy is the engine's pull policy for imagePullPolicy. Without
// one, as podman does, an image tagged latest (or not tagged) is pulled
// anew if it can be, others only when missing.
func pullPolicy(c *corev1.Container) (string, error) {
	switch c.ImagePullPolicy {
	case corev1.PullAlways:
		return "always", nil
	case corev1.PullIfNotPresent:
		return "missing", nil
	case corev1.PullNever:
		return "never", nil
	case "":
		if untaggedOrLatest(c.Image) {
			return "newer", nil
		}
		return "missing", nil
	}
	return "", fmt.Errorf("invalid imagePullPolicy %q: use Always, IfNotPresent or Never", c.ImagePullPolicy)
}

// untaggedOrLatest tells whether an image reference has no tag (or the tag
// latest) and no digest.
func untaggedOrLatest(ref string) bool {
	if strings.Contains(ref, "@") {
		return false
	}
	last := ref[strings.LastIndex(ref, "/")+1:]
	_, tag, ok := strings.Cut(last, ":")
	return !ok || tag == "latest"
}

// containerEnv is the container's environment, as Kubernetes makes it:
// envFrom first, then env, whose values may refer to the variables
// before them as $(NAME).
func containerEnv(pc *podContext, c *corev1.Container) ([]string, error) {
	vars := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := vars[k]; !ok {
			order = append(order, k)
		}
		vars[k] = v
	}
	for _, from := range c.EnvFrom {
		data, err := envSource(pc, from)
		if err != nil {
			return nil, err
		}
		for _, k := range slices.Sorted(maps.Keys(data)) {
			set(from.Prefix+k, data[k])
		}
	}
	for _, e := range c.Env {
		v, ok, err := envValue(pc, e, vars)
		if err != nil {
			return nil, err
		}
		if ok {
			set(e.Name, v)
		}
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		out = append(out, k+"="+vars[k])
	}
	return out, nil
}

// envSource is the data of an envFrom's ConfigMap or Secret (nothing for
// a missing optional one).
func envSource(pc *podContext, from corev1.EnvFromSource) (map[string]string, error) {
	switch {
	case from.ConfigMapRef != nil:
		cm, ok := pc.env.configMaps[from.ConfigMapRef.Name]
		if !ok {
			if isOptional(from.ConfigMapRef.Optional) {
				return nil, nil
			}
			return nil, missing("ConfigMap", from.ConfigMapRef.Name)
		}
		return cm.Data, nil
	case from.SecretRef != nil:
		s, ok := pc.env.secrets[from.SecretRef.Name]
		if !ok {
			if isOptional(from.SecretRef.Optional) {
				return nil, nil
			}
			return nil, missing("Secret", from.SecretRef.Name)
		}
		return secretData(s), nil
	}
	return nil, fmt.Errorf("envFrom needs configMapRef or secretRef")
}

// missing is the error for a ConfigMap or Secret the YAML refers to but
// does not hold.
func missing(kind, name string) error {
	if kind == "ConfigMap" {
		return fmt.Errorf("no ConfigMap %q: add it to the YAML or give it with --configmap FILE", name)
	}
	return fmt.Errorf("no Secret %q: add it to the YAML (burrow keeps no secrets between kube plays)", name)
}

func isOptional(b *bool) bool { return b != nil && *b }

// secretData is a Secret's data and stringData (which wins), as strings.
func secretData(s *corev1.Secret) map[string]string {
	out := map[string]string{}
	for k, v := range s.Data {
		out[k] = string(v)
	}
	maps.Copy(out, s.StringData)
	return out
}

// fieldPathKey matches metadata.labels['KEY'] (and annotations); compiled
// on first use, not at every command's start.
var fieldPathKey = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^metadata\.(labels|annotations)\['(.+)'\]$`)
})

// envValue is the value of one env entry; ok is false for a missing
// optional reference, which sets nothing.
func envValue(pc *podContext, e corev1.EnvVar, vars map[string]string) (string, bool, error) {
	vf := e.ValueFrom
	if vf == nil {
		return expand(e.Value, func(k string) (string, bool) { v, ok := vars[k]; return v, ok }), true, nil
	}
	switch {
	case vf.ConfigMapKeyRef != nil:
		r := vf.ConfigMapKeyRef
		cm, ok := pc.env.configMaps[r.Name]
		if !ok {
			if isOptional(r.Optional) {
				return "", false, nil
			}
			return "", false, fmt.Errorf("env %s: %w", e.Name, missing("ConfigMap", r.Name))
		}
		v, ok := cm.Data[r.Key]
		if !ok && !isOptional(r.Optional) {
			return "", false, fmt.Errorf("env %s: ConfigMap %q has no key %q", e.Name, r.Name, r.Key)
		}
		return v, ok, nil
	case vf.SecretKeyRef != nil:
		r := vf.SecretKeyRef
		s, ok := pc.env.secrets[r.Name]
		if !ok {
			if isOptional(r.Optional) {
				return "", false, nil
			}
			return "", false, fmt.Errorf("env %s: %w", e.Name, missing("Secret", r.Name))
		}
		v, ok := secretData(s)[r.Key]
		if !ok && !isOptional(r.Optional) {
			return "", false, fmt.Errorf("env %s: Secret %q has no key %q", e.Name, r.Name, r.Key)
		}
		return v, ok, nil
	case vf.FieldRef != nil:
		return fieldRef(pc, e.Name, vf.FieldRef.FieldPath)
	}
	return "", false, fmt.Errorf("env %s: valueFrom.resourceFieldRef is not supported: give the value", e.Name)
}

// fieldRef is the value of the downward API fields burrow knows before it
// makes the pod.
func fieldRef(pc *podContext, name, path string) (string, bool, error) {
	switch path {
	case "metadata.name":
		return pc.pod.Name, true, nil
	case "metadata.namespace":
		return "default", true, nil
	}
	if m := fieldPathKey().FindStringSubmatch(path); m != nil {
		if m[1] == "labels" {
			return pc.labels[m[2]], true, nil
		}
		return pc.pod.Annotations[m[2]], true, nil
	}
	return "", false, fmt.Errorf("env %s: fieldRef %q is not supported: burrow knows metadata.name, metadata.namespace, metadata.labels['KEY'] and metadata.annotations['KEY']", name, path)
}

// envMap looks a variable of K=V entries up.
func envMap(env []string) func(string) (string, bool) {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// resources turns resources.limits into burrow's limits and
// resources.requests into a memory reservation and CPU shares (as the
// kubelet turns CPU requests into shares).
func resources(r corev1.ResourceRequirements) (lim, req limits.Limits, err error) {
	for name := range r.Limits {
		if name != corev1.ResourceCPU && name != corev1.ResourceMemory {
			return lim, req, fmt.Errorf("resources.limits.%s is not supported: burrow limits cpu and memory", name)
		}
	}
	for name := range r.Requests {
		if name != corev1.ResourceCPU && name != corev1.ResourceMemory {
			return lim, req, fmt.Errorf("resources.requests.%s is not supported: burrow knows cpu and memory", name)
		}
	}
	if q, ok := r.Limits[corev1.ResourceMemory]; ok {
		if lim.Memory, err = positive("resources.limits.memory", q); err != nil {
			return lim, req, err
		}
	}
	if q, ok := r.Limits[corev1.ResourceCPU]; ok {
		if q.Sign() <= 0 {
			return lim, req, fmt.Errorf("resources.limits.cpu must be positive")
		}
		lim.CPUs = float64(q.MilliValue()) / 1000
	}
	if q, ok := r.Requests[corev1.ResourceMemory]; ok {
		if req.MemoryReservation, err = positive("resources.requests.memory", q); err != nil {
			return lim, req, err
		}
		if lim.Memory > 0 && req.MemoryReservation > lim.Memory {
			return lim, req, fmt.Errorf("resources.requests.memory %s is more than resources.limits.memory", q.String())
		}
	}
	if q, ok := r.Requests[corev1.ResourceCPU]; ok {
		if q.Sign() <= 0 {
			return lim, req, fmt.Errorf("resources.requests.cpu must be positive")
		}
		req.CPUShares = uint64(max(q.MilliValue()*1024/1000, 2))
	}
	return lim, req, nil
}

// positive is a quantity of bytes, refused unless it is positive.
func positive(field string, q resource.Quantity) (int64, error) {
	v, ok := q.AsInt64()
	if !ok {
		v = q.Value()
	}
	if v <= 0 {
		return 0, fmt.Errorf("%s must be positive, not %s", field, q.String())
	}
	return v, nil
}

// security applies the pod's and the container's securityContext. A
// privileged container is refused.
func security(pc *podContext, c *corev1.Container, out *Container) error {
	cfg := &out.Config
	sc := c.SecurityContext
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	psc := pc.spec.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	if sc.Privileged != nil && *sc.Privileged {
		return fmt.Errorf("privileged containers are refused: kube play does not run YAML with every capability and device; drop securityContext.privileged (add the capabilities it needs instead)")
	}
	if sc.ReadOnlyRootFilesystem != nil {
		cfg.ReadOnly = *sc.ReadOnlyRootFilesystem
	}
	if sc.AllowPrivilegeEscalation != nil {
		cfg.NoNewPrivileges = !*sc.AllowPrivilegeEscalation
	}
	if caps := sc.Capabilities; caps != nil {
		for _, n := range caps.Add {
			cfg.CapAdd = append(cfg.CapAdd, capName(string(n)))
		}
		for _, n := range caps.Drop {
			cfg.CapDrop = append(cfg.CapDrop, capName(string(n)))
		}
	}
	uid, gid := sc.RunAsUser, sc.RunAsGroup
	if uid == nil {
		uid = psc.RunAsUser
	}
	if gid == nil {
		gid = psc.RunAsGroup
	}
	switch {
	case uid != nil && gid != nil:
		cfg.User = fmt.Sprintf("%d:%d", *uid, *gid)
	case uid != nil:
		cfg.User = strconv.FormatInt(*uid, 10)
	case gid != nil:
		// As podman: a group alone runs as root of that group.
		cfg.User = fmt.Sprintf("0:%d", *gid)
	}
	nonRoot := sc.RunAsNonRoot
	if nonRoot == nil {
		nonRoot = psc.RunAsNonRoot
	}
	if nonRoot != nil && *nonRoot {
		if uid != nil && *uid == 0 {
			return fmt.Errorf("runAsNonRoot and runAsUser 0 contradict each other: give another runAsUser")
		}
		out.RunAsNonRoot = true
	}
	return nil
}

// capName is a capability's name as the engine takes it: Kubernetes
// writes NET_ADMIN, podman CAP_NET_ADMIN; ALL stays.
func capName(n string) string {
	n = strings.ToUpper(n)
	if n == "ALL" || strings.HasPrefix(n, "CAP_") {
		return n
	}
	return "CAP_" + n
}
