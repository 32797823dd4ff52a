package kube

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Which fields of a document burrow acts on. The decoder already refused
// fields the Kubernetes API does not know; what is left are fields of the
// API that burrow has no use for on one machine (a node selector, a
// rollout strategy, probes). Those are named in a warning, so nothing is
// silently dropped. Paths are JSON paths with [] for any list index; a
// path accepts everything under it.

// outputOnly are fields the API server sets and ignores on create (as it
// does, burrow ignores them without a word): kubectl get -o yaml and kube
// generate write them.
var outputOnly = []string{
	"apiVersion", "kind", "status",
	"metadata.creationTimestamp", "metadata.uid", "metadata.resourceVersion", "metadata.generation",
	"metadata.managedFields", "metadata.selfLink",
}

// objectFields are the metadata fields burrow reads.
var objectFields = []string{"metadata.name", "metadata.labels", "metadata.annotations"}

// containerFields are the fields of a container (or init container)
// burrow acts on.
var containerFields = []string{
	"name", "image", "imagePullPolicy", "command", "args", "workingDir", "stdin", "tty",
	"env[].name", "env[].value",
	"env[].valueFrom.configMapKeyRef", "env[].valueFrom.secretKeyRef", "env[].valueFrom.fieldRef",
	"envFrom[].configMapRef", "envFrom[].secretRef", "envFrom[].prefix",
	"ports[].containerPort", "ports[].hostPort", "ports[].hostIP", "ports[].protocol", "ports[].name",
	"resources.limits.cpu", "resources.limits.memory", "resources.requests.cpu", "resources.requests.memory",
	"volumeMounts[].name", "volumeMounts[].mountPath", "volumeMounts[].readOnly", "volumeMounts[].subPath",
	"securityContext.runAsUser", "securityContext.runAsGroup", "securityContext.runAsNonRoot",
	"securityContext.capabilities", "securityContext.readOnlyRootFilesystem",
	"securityContext.privileged", "securityContext.allowPrivilegeEscalation",
}

// podSpecFields are the fields of a pod's spec burrow acts on.
var podSpecFields = []string{
	"restartPolicy", "hostname", "hostNetwork", "hostPID", "hostIPC", "hostAliases", "dnsConfig.nameservers",
	"shareProcessNamespace", "terminationGracePeriodSeconds", "enableServiceLinks", "automountServiceAccountToken",
	"securityContext.runAsUser", "securityContext.runAsGroup", "securityContext.runAsNonRoot",
	"volumes[].name", "volumes[].hostPath", "volumes[].emptyDir", "volumes[].persistentVolumeClaim",
	"volumes[].configMap", "volumes[].secret",
}

// supportedFields are the paths burrow acts on, by kind: built on first
// use, since every command of the binary would pay for it at start.
var supportedFields = sync.OnceValue(func() map[string][]string {
	return map[string][]string{
		"Pod":                   podTemplate(""),
		"Deployment":            append(podTemplate("spec.template."), "spec.replicas", "spec.selector.matchLabels"),
		"DaemonSet":             append(podTemplate("spec.template."), "spec.selector.matchLabels"),
		"Job":                   append(podTemplate("spec.template."), "spec.backoffLimit", "spec.completions", "spec.parallelism"),
		"ConfigMap":             {"data", "binaryData", "immutable"},
		"Secret":                {"data", "stringData", "type", "immutable"},
		"PersistentVolumeClaim": {"spec.accessModes", "spec.resources.requests.storage", "spec.volumeMode"},
		// A Service is read and named in one warning of its own (play.go).
		"Service": {"spec"},
	}
})

// podTemplate are the paths of a pod (or a pod template under prefix).
func podTemplate(prefix string) []string {
	out := []string{prefix + "metadata.name", prefix + "metadata.labels", prefix + "metadata.annotations"}
	for _, f := range podSpecFields {
		out = append(out, prefix+"spec."+f)
	}
	for _, list := range []string{"containers", "initContainers"} {
		for _, f := range containerFields {
			out = append(out, prefix+"spec."+list+"[]."+f)
		}
	}
	return out
}

// fieldSet is a kind's supported paths and every path above them.
type fieldSet struct {
	leaf, inner map[string]bool
}

func newFieldSet(kind string) fieldSet {
	s := fieldSet{leaf: map[string]bool{}, inner: map[string]bool{}}
	for _, list := range [][]string{outputOnly, objectFields, supportedFields()[kind]} {
		for _, p := range list {
			s.leaf[p] = true
			for i := range p {
				if p[i] == '.' || p[i] == '[' {
					s.inner[p[:i]] = true
				}
			}
		}
	}
	return s
}

// ignoredFields lists the fields of d that burrow does not act on: the
// top of each such subtree, with its indices, sorted.
func ignoredFields(d Document) []string {
	s := newFieldSet(d.Kind)
	var out []string
	var walk func(v any, path, norm string)
	walk = func(v any, path, norm string) {
		if s.leaf[norm] {
			return
		}
		if !s.inner[norm] {
			if !isZero(v) {
				out = append(out, path)
			}
			return
		}
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				walk(c, join(path, k), join(norm, k))
			}
		case []any:
			for i, c := range v {
				walk(c, fmt.Sprintf("%s[%d]", path, i), norm+"[]")
			}
		}
	}
	for k, v := range d.fields {
		walk(v, k, k)
	}
	sort.Strings(out)
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// isZero tells whether a field asks for nothing: null, false, 0, "", {}
// or [].
func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case float64:
		return v == 0
	case string:
		return v == ""
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// ignoredWarning is the warning for d's ignored fields, "" when none.
func ignoredWarning(d Document) string {
	f := ignoredFields(d)
	if len(f) == 0 {
		return ""
	}
	return fmt.Sprintf("%s: burrow ignores %s: they have no effect on one machine", d, strings.Join(f, ", "))
}
