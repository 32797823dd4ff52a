package kube

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// volume is what a pod's volume becomes.
type volume struct {
	kind string // hostPath, emptyDir, tmpfs, persistentVolumeClaim, configMap, secret
	// source is the host path (hostPath) or the named volume.
	source   string
	readOnly bool
	// optional: a missing optional ConfigMap or Secret, not mounted.
	optional bool
	size     string // tmpfs size
}

// translateVolumes reads the pod's volumes; ConfigMap and Secret volumes
// become FileVolumes of the pod, emptyDirs named volumes of their own.
func translateVolumes(pc *podContext) (map[string]volume, error) {
	out := map[string]volume{}
	for _, v := range pc.spec.Volumes {
		fail := func(format string, a ...any) error {
			return errdefs.Invalid(fmt.Errorf("%s: volume %s: %s", pc.doc, v.Name, fmt.Sprintf(format, a...)))
		}
		if errs := orPodmanName(validation.IsDNS1123Label)(v.Name); len(errs) > 0 {
			return nil, fail("invalid name: %s", strings.Join(errs, "; "))
		}
		if _, dup := out[v.Name]; dup {
			return nil, fail("given twice: volume names are unique in a pod")
		}
		vs := v.VolumeSource
		var vol volume
		var err error
		switch {
		case vs.HostPath != nil:
			vol, err = hostPathVolume(pc, vs.HostPath)
		case vs.EmptyDir != nil:
			vol = emptyDirVolume(pc, v.Name, vs.EmptyDir)
		case vs.PersistentVolumeClaim != nil:
			if errs := orPodmanName(validation.IsDNS1123Subdomain)(vs.PersistentVolumeClaim.ClaimName); len(errs) > 0 {
				return nil, fail("invalid claimName: %s", strings.Join(errs, "; "))
			}
			vol = volume{kind: "persistentVolumeClaim", source: vs.PersistentVolumeClaim.ClaimName, readOnly: vs.PersistentVolumeClaim.ReadOnly}
		case vs.ConfigMap != nil:
			vol, err = configMapVolume(pc, v.Name, vs.ConfigMap)
		case vs.Secret != nil:
			vol, err = secretVolume(pc, v.Name, vs.Secret)
		default:
			return nil, fail("%s volumes are not supported: use hostPath, emptyDir, persistentVolumeClaim, configMap or secret", volumeType(vs))
		}
		if err != nil {
			return nil, fail("%v", err)
		}
		out[v.Name] = vol
	}
	return out, nil
}

// volumeType names the kind of a volume source, as the YAML does.
func volumeType(vs corev1.VolumeSource) string {
	b, _ := json.Marshal(vs)
	var m map[string]json.RawMessage
	json.Unmarshal(b, &m)
	for k := range m {
		return k
	}
	return "empty"
}

// hostPathVolume checks a hostPath's path and type.
func hostPathVolume(pc *podContext, hp *corev1.HostPathVolumeSource) (volume, error) {
	if !filepath.IsAbs(hp.Path) {
		return volume{}, fmt.Errorf("hostPath %q is not absolute", hp.Path)
	}
	t := corev1.HostPathUnset
	if hp.Type != nil {
		t = *hp.Type
	}
	switch t {
	case corev1.HostPathUnset, corev1.HostPathDirectoryOrCreate, corev1.HostPathDirectory,
		corev1.HostPathFileOrCreate, corev1.HostPathFile, corev1.HostPathSocket:
	case corev1.HostPathCharDev, corev1.HostPathBlockDev:
		return volume{}, fmt.Errorf("hostPath devices (%s) are not supported: burrow passes no host device to a kube pod", t)
	default:
		return volume{}, fmt.Errorf("invalid hostPath type %q", t)
	}
	p := filepath.Clean(hp.Path)
	pc.pod.HostPaths = append(pc.pod.HostPaths, HostPath{Path: p, Type: t})
	return volume{kind: "hostPath", source: p}, nil
}

// emptyDirVolume is an emptyDir: a volume of the pod's own, made empty
// (a tmpfs for medium Memory, one per container as podman's).
func emptyDirVolume(pc *podContext, name string, ed *corev1.EmptyDirVolumeSource) volume {
	if ed.Medium == corev1.StorageMediumMemory {
		v := volume{kind: "tmpfs"}
		if ed.SizeLimit != nil {
			v.size = fmt.Sprint(ed.SizeLimit.Value())
		}
		return v
	}
	vol := pc.pod.Name + "-" + name
	pc.pod.EmptyDirs = append(pc.pod.EmptyDirs, vol)
	return volume{kind: "emptyDir", source: vol}
}

// configMapVolume makes the files of a ConfigMap volume.
func configMapVolume(pc *podContext, name string, src *corev1.ConfigMapVolumeSource) (volume, error) {
	cm, ok := pc.env.configMaps[src.Name]
	if !ok {
		if isOptional(src.Optional) {
			return volume{kind: "configMap", optional: true}, nil
		}
		return volume{}, missing("ConfigMap", src.Name)
	}
	data := map[string][]byte{}
	for k, v := range cm.Data {
		data[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		if _, dup := data[k]; dup {
			return volume{}, fmt.Errorf("ConfigMap %q has key %q in both data and binaryData", cm.Name, k)
		}
		data[k] = v
	}
	origin := engine.KubeVolume{Kind: "ConfigMap", Name: cm.Name, Volume: name, DefaultMode: src.DefaultMode, Items: keyPaths(src.Items)}
	return fileVolume(pc, cm.Name, data, src.Items, src.DefaultMode, origin)
}

// secretVolume makes the files of a Secret volume.
func secretVolume(pc *podContext, name string, src *corev1.SecretVolumeSource) (volume, error) {
	s, ok := pc.env.secrets[src.SecretName]
	if !ok {
		if isOptional(src.Optional) {
			return volume{kind: "secret", optional: true}, nil
		}
		return volume{}, missing("Secret", src.SecretName)
	}
	data := map[string][]byte{}
	for k, v := range secretData(s) {
		data[k] = []byte(v)
	}
	origin := engine.KubeVolume{Kind: "Secret", Name: s.Name, Volume: name, DefaultMode: src.DefaultMode, Items: keyPaths(src.Items)}
	return fileVolume(pc, s.Name, data, src.Items, src.DefaultMode, origin)
}

func keyPaths(items []corev1.KeyToPath) map[string]string {
	if len(items) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, it := range items {
		out[it.Key] = it.Path
	}
	return out
}

// fileVolume lays a ConfigMap's or Secret's data out as files (all keys,
// or the items' paths), read-only as Kubernetes mounts them.
func fileVolume(pc *podContext, name string, data map[string][]byte, items []corev1.KeyToPath, defaultMode *int32, origin engine.KubeVolume) (volume, error) {
	mode := uint32(0o644)
	if defaultMode != nil {
		if *defaultMode < 0 || *defaultMode > 0o777 {
			return volume{}, fmt.Errorf("defaultMode %#o is not a file mode (0 to 0777)", *defaultMode)
		}
		mode = uint32(*defaultMode)
	}
	fv := FileVolume{Name: name, Files: map[string][]byte{}, Modes: map[string]uint32{}, Origin: origin}
	add := func(p string, content []byte, m *int32) error {
		if err := checkRelative(p); err != nil {
			return err
		}
		fv.Files[p], fv.Modes[p] = content, mode
		if m != nil {
			if *m < 0 || *m > 0o777 {
				return fmt.Errorf("mode %#o of %s is not a file mode", *m, p)
			}
			fv.Modes[p] = uint32(*m)
		}
		return nil
	}
	if len(items) == 0 {
		for _, k := range slices.Sorted(maps.Keys(data)) {
			if err := add(k, data[k], nil); err != nil {
				return volume{}, err
			}
		}
	}
	for _, it := range items {
		content, ok := data[it.Key]
		if !ok {
			return volume{}, fmt.Errorf("%s %q has no key %q", origin.Kind, name, it.Key)
		}
		if err := add(it.Path, content, it.Mode); err != nil {
			return volume{}, err
		}
	}
	for i, f := range pc.pod.Files {
		if f.Name == name {
			// Another volume of the pod shows the same object: one
			// volume holds the files of both.
			maps.Copy(f.Files, fv.Files)
			maps.Copy(f.Modes, fv.Modes)
			pc.pod.Files[i] = f
			return volume{kind: strings.ToLower(origin.Kind[:1]) + origin.Kind[1:], source: name, readOnly: true}, nil
		}
	}
	pc.pod.Files = append(pc.pod.Files, fv)
	return volume{kind: strings.ToLower(origin.Kind[:1]) + origin.Kind[1:], source: name, readOnly: true}, nil
}

// checkRelative refuses a key or item path that could leave its volume:
// absolute, or with a .. element.
func checkRelative(p string) error {
	if p == "" || path.IsAbs(p) || slices.Contains(strings.Split(p, "/"), "..") || strings.HasPrefix(p, "..") {
		return fmt.Errorf("invalid path %q in a volume: give a relative path with no .. in it", p)
	}
	return nil
}

// mounts turns the container's volumeMounts into the engine's mounts.
func mounts(pc *podContext, c *corev1.Container, out *Container) error {
	cfg := &out.Config
	for _, vm := range c.VolumeMounts {
		vol, ok := pc.volumes[vm.Name]
		if !ok {
			return fmt.Errorf("volumeMounts: no volume %q in the pod's volumes", vm.Name)
		}
		if !filepath.IsAbs(vm.MountPath) {
			return fmt.Errorf("volumeMounts: mountPath %q is not absolute", vm.MountPath)
		}
		if vol.optional {
			continue // a missing optional ConfigMap or Secret
		}
		dest := filepath.Clean(vm.MountPath)
		ro := vm.ReadOnly || vol.readOnly
		if vm.SubPath != "" {
			if err := checkRelative(vm.SubPath); err != nil {
				return fmt.Errorf("volumeMounts: subPath: %v", err)
			}
			sp := SubPath{SubPath: vm.SubPath, Destination: dest, ReadOnly: ro}
			switch vol.kind {
			case "hostPath":
				sp.Source = vol.source
			case "configMap", "secret":
				sp.Volume = vol.source
			default:
				return fmt.Errorf("volumeMounts: subPath of a %s volume is not supported: burrow mounts subPaths of hostPath, configMap and secret volumes", vol.kind)
			}
			out.SubPaths = append(out.SubPaths, sp)
			continue
		}
		m := engine.MountSpec{Destination: dest}
		switch vol.kind {
		case "hostPath":
			m.Type, m.Source = "bind", vol.source
		case "tmpfs":
			m.Type = "tmpfs"
			if vol.size != "" {
				m.Options = append(m.Options, "size="+vol.size)
			}
		case "emptyDir":
			m.Type, m.Source, m.Anonymous = "volume", vol.source, true
		default:
			m.Type, m.Source = "volume", vol.source
		}
		if ro {
			m.Options = append(m.Options, "ro")
		}
		cfg.Mounts = append(cfg.Mounts, m)
	}
	return nil
}
