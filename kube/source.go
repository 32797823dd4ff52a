package kube

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// Generate makes the objects of kube generate NAME...: each pod named as
// a Pod (or Deployment), the containers named together as one Pod, each
// volume named as a PersistentVolumeClaim (first, so that kubectl apply
// makes the claims before the pods). It returns what could not be
// expressed as warnings.
func Generate(ctx context.Context, eng *engine.Engine, names []string, o GenerateOptions) ([]any, []string, error) {
	var claims, objects []any
	var warnings []string
	var ctrs []ContainerSource
	for _, name := range names {
		if ctr, err := eng.Get(name); err == nil {
			if ctr.Config.PodInfra != "" {
				return nil, nil, errdefs.Invalid(fmt.Errorf("%s is the infra container of a pod: generate the pod instead", name))
			}
			cs, err := containerSource(ctx, eng, ctr)
			if err != nil {
				return nil, nil, err
			}
			ctrs = append(ctrs, cs)
			continue
		}
		if pod, err := eng.GetPod(name); err == nil {
			src, err := podSource(ctx, eng, pod)
			if err != nil {
				return nil, nil, err
			}
			objs, w, err := GeneratePod(src, o)
			if err != nil {
				return nil, nil, err
			}
			objects, warnings = append(objects, objs...), append(warnings, w...)
			continue
		}
		if v, err := eng.GetVolume(name); err == nil {
			claims = append(claims, ClaimObject(v))
			continue
		}
		return nil, nil, errdefs.NotFound(fmt.Errorf("%s: no such container, pod or volume", name))
	}
	if len(ctrs) > 0 {
		objs, w, err := GeneratePod(PodSource{Members: ctrs}, o)
		if err != nil {
			return nil, nil, err
		}
		objects, warnings = append(objects, objs...), append(warnings, w...)
	}
	return append(claims, objects...), warnings, nil
}

// podSource reads a pod: its containers, and the files of its ConfigMap
// and Secret volumes.
func podSource(ctx context.Context, eng *engine.Engine, pod *engine.Pod) (PodSource, error) {
	src := PodSource{Pod: pod, Infra: pod.Infra(), Meta: eng.KubeMeta(pod.ID),
		Files: map[string]map[string][]byte{}, Mountpoints: map[string]string{}}
	for _, c := range pod.Members() {
		cs, err := containerSource(ctx, eng, c)
		if err != nil {
			return src, err
		}
		src.Members = append(src.Members, cs)
	}
	for _, kv := range src.Meta.Volumes {
		v, err := eng.GetVolume(kv.Name)
		if err != nil {
			return src, fmt.Errorf("the %s volume of pod %s: %w", kv.Kind, pod.Name, err)
		}
		src.Mountpoints[kv.Name] = v.Mountpoint
		paths := slices.Collect(maps.Values(kv.Items))
		if len(paths) == 0 {
			paths = topFiles(v.Mountpoint)
		}
		files := map[string][]byte{}
		for _, p := range paths {
			b, err := eng.ReadVolumeFile(kv.Name, p)
			if err != nil {
				return src, err
			}
			files[p] = b
		}
		src.Files[kv.Name] = files
	}
	return src, nil
}

// containerSource reads a container: its process's environment and IDs,
// and its image's defaults.
func containerSource(ctx context.Context, eng *engine.Engine, ctr *engine.Container) (ContainerSource, error) {
	cs := ContainerSource{Ctr: ctr}
	if ctr.ImageID == "" {
		return cs, errdefs.Invalid(fmt.Errorf("container %s runs a root filesystem (--rootfs), not an image: Kubernetes needs an image", ctr.Name))
	}
	proc, err := eng.ContainerProcess(ctr)
	if err != nil {
		return cs, err
	}
	cs.Env, cs.UID, cs.GID = proc.Env, proc.User.UID, proc.User.GID
	img, err := eng.LookupImage(ctr.ImageID)
	if err != nil {
		return cs, fmt.Errorf("the image of container %s: %w", ctr.Name, err)
	}
	cfg, err := eng.ImageConfig(ctx, img)
	if err != nil {
		return cs, err
	}
	ic := cfg.Config
	cs.Image = ImageInfo{Entrypoint: ic.Entrypoint, Cmd: ic.Cmd, Env: ic.Env, WorkingDir: ic.WorkingDir, User: ic.User}
	for v := range ic.Volumes {
		cs.Image.Volumes = append(cs.Image.Volumes, v)
	}
	return cs, nil
}

// topFiles are the regular files at the top of a volume: a ConfigMap's
// keys, when its volume shows them all.
func topFiles(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() {
			out = append(out, e.Name())
		}
	}
	return out
}
