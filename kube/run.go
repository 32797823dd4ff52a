package kube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	corev1 "k8s.io/api/core/v1"

	"github.com/burrow-containers/burrow/build"
	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// PlayOptions are kube play's flags.
type PlayOptions struct {
	// Start starts the pods (--start, the default).
	Start bool
	// Network replaces the pods' network (--network), but for a pod of
	// hostNetwork.
	Network []string
	// Build builds the images that have a Containerfile in a directory
	// named as the image beside the YAML (ContextDir): nil builds those
	// missing, true all of them, false none (--build).
	Build      *bool
	ContextDir string
	// Registry is how images are pulled; BuildOut receives builds' steps.
	Registry engine.PullOptions
	BuildOut io.Writer
	// Warn prints a warning for the user.
	Warn func(string)
}

// PlayedPod is a pod kube play made.
type PlayedPod struct {
	ID         string
	Containers []string
}

// Report is what kube play made.
type Report struct {
	Volumes []string
	Pods    []PlayedPod
}

// player makes a plan, and undoes what it made when a step fails.
type player struct {
	eng  *engine.Engine
	o    PlayOptions
	pods []string // IDs of the pods made
	vols []string // names of the volumes made
}

// Play makes what the plan asks for: volumes, pods and their containers,
// started unless o.Start is false. Everything is checked and every image
// pulled or built before anything is made; if a step fails, what was
// made is removed again, so that a failed kube play leaves nothing.
func Play(ctx context.Context, eng *engine.Engine, plan *Plan, o PlayOptions) (*Report, error) {
	p := &player{eng: eng, o: o}
	if err := p.check(ctx, plan); err != nil {
		return nil, err
	}
	r, err := p.make(ctx, plan)
	if err != nil {
		p.undo(ctx)
		return nil, err
	}
	return r, nil
}

// check settles the network, limits and images of every container, and
// refuses names in use, before anything is made.
func (p *player) check(ctx context.Context, plan *Plan) error {
	if len(p.o.Network) > 0 {
		mode, loopback, nets, err := engine.ParseNetworks(p.o.Network, nil, "", "")
		if err != nil {
			return err
		}
		for _, pod := range plan.Pods {
			if n := &pod.Options.Net; n.Network != engine.NetworkHost {
				n.Network, n.AllowHostLoopback, n.Networks = mode, loopback, nets
			}
		}
	}
	for _, pod := range plan.Pods {
		if other, err := p.eng.GetPod(pod.Name); err == nil {
			return errdefs.Conflict(fmt.Errorf("%s: pod %q already exists (%s): remove it with burrow kube down, or play with --replace", pod.Source, pod.Name, other.ID[:12]))
		}
		if !p.o.Start && len(pod.InitContainers) > 0 {
			return errdefs.Invalid(fmt.Errorf("%s: init containers run when kube play starts the pod: drop --start=false", pod.Source))
		}
		for _, c := range pod.all() {
			if other, err := p.eng.Get(c.Config.Name); err == nil && other.Name == c.Config.Name {
				return errdefs.Conflict(fmt.Errorf("%s: the container name %q is in use: remove that container, or play with --replace", pod.Source, c.Config.Name))
			}
			if err := p.limits(pod, c); err != nil {
				return err
			}
		}
		if err := checkHostPaths(pod); err != nil {
			return err
		}
	}
	return p.images(ctx, plan)
}

// all are the pod's init containers, then its containers.
func (pod *PodPlan) all() []*Container {
	return append(append([]*Container{}, pod.InitContainers...), pod.Containers...)
}

// limits refuses limits the host cannot apply, as run does; requests
// apply where limits can, else they are named in a warning.
func (p *player) limits(pod *PodPlan, c *Container) error {
	if err := p.eng.CheckLimits(c.Config.Limits); err != nil {
		// The reason's hint names run's --cgroups, which kube play has not.
		return fmt.Errorf("%s: container %s: resources.limits: %w (for kube play: drop the limits from the YAML, or set cgroups = \"disabled\" in containers.conf)", pod.Source, c.Name, err)
	}
	if !c.Requests.Requested() {
		return nil
	}
	if err := p.eng.CheckLimits(c.Requests); err != nil {
		p.warn(fmt.Sprintf("%s: container %s: resources.requests are not applied: %v", pod.Source, c.Name, err))
		return nil
	}
	c.Config.Limits.MemoryReservation = c.Requests.MemoryReservation
	c.Config.Limits.CPUShares = c.Requests.CPUShares
	return nil
}

// checkHostPaths refuses hostPaths whose type says what must be there and
// is not.
func checkHostPaths(pod *PodPlan) error {
	for _, h := range pod.HostPaths {
		st, err := os.Stat(h.Path)
		want := ""
		switch h.Type {
		case corev1.HostPathDirectory:
			want = "a directory"
			err = wantMode(st, err, os.ModeDir)
		case corev1.HostPathFile:
			want = "a file"
			err = wantMode(st, err, 0)
		case corev1.HostPathSocket:
			want = "a socket"
			err = wantMode(st, err, os.ModeSocket)
		case corev1.HostPathUnset:
			want = "there"
		default: // the OrCreate types
			continue
		}
		if err != nil {
			return errdefs.Invalid(fmt.Errorf("%s: hostPath %s must be %s: %v", pod.Source, h.Path, want, err))
		}
	}
	return nil
}

func wantMode(st os.FileInfo, err error, t os.FileMode) error {
	if err != nil {
		return err
	}
	if st.Mode().Type() != t {
		return fmt.Errorf("it is a %s", st.Mode().Type().String())
	}
	return nil
}

// images builds or pulls every image the pods need, as their pull
// policies say, and checks runAsNonRoot against the image's user.
func (p *player) images(ctx context.Context, plan *Plan) error {
	done := map[string]bool{}
	for _, pod := range plan.Pods {
		for _, c := range pod.all() {
			ref := c.Config.Image
			if !done[ref+"\x00"+c.Pull] {
				if err := p.image(ctx, ref, c.Pull); err != nil {
					return fmt.Errorf("%s: container %s: %w", pod.Source, c.Name, err)
				}
				done[ref+"\x00"+c.Pull] = true
			}
			if c.RunAsNonRoot {
				if err := p.nonRoot(ctx, c); err != nil {
					return fmt.Errorf("%s: container %s: %w", pod.Source, c.Name, err)
				}
			}
		}
	}
	return nil
}

// image builds ref from a Containerfile beside the YAML, or pulls it as
// policy says.
func (p *player) image(ctx context.Context, ref, policy string) error {
	_, err := p.eng.LookupImage(ref)
	local := err == nil
	if err != nil && !errdefs.Is(err, errdefs.ClassNotFound) {
		return err
	}
	if file := buildFile(p.o.ContextDir, ref); file != "" && (p.o.Build == nil && !local || p.o.Build != nil && *p.o.Build) {
		_, err := build.Build(ctx, p.eng, build.Options{
			ContextDir: filepath.Dir(file), File: file, Tags: []string{ref}, Pull: "missing",
			Layers: true, Format: "oci", Out: p.o.BuildOut, Registry: p.o.Registry,
		})
		if err != nil {
			return fmt.Errorf("building %s from %s: %w", ref, file, err)
		}
		return nil
	}
	switch {
	case policy == "never" && !local:
		return errdefs.NotFound(fmt.Errorf("no image %s and its imagePullPolicy is Never: pull or build it first", ref))
	case policy == "never", policy == "missing" && local:
		return nil
	}
	_, err = p.eng.Pull(ctx, ref, p.o.Registry)
	if err != nil && policy == "newer" && local {
		p.warn(fmt.Sprintf("pulling %s failed (%v): using the local image", ref, err))
		return nil
	}
	return err
}

// buildFile is the Containerfile (or Dockerfile) of image ref beside the
// YAML: in the directory named as the image's last path element, as
// podman looks for it; "" when there is none.
func buildFile(dir, ref string) string {
	if dir == "" {
		return ""
	}
	name := ref[strings.LastIndex(ref, "/")+1:]
	name, _, _ = strings.Cut(name, "@")
	name, _, _ = strings.Cut(name, ":")
	for _, f := range []string{"Containerfile", "Dockerfile"} {
		p := filepath.Join(dir, name, f)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// nonRoot refuses a container that would run as root when its YAML says
// runAsNonRoot, as the kubelet does.
func (p *player) nonRoot(ctx context.Context, c *Container) error {
	user := c.Config.User
	if user == "" {
		img, err := p.eng.LookupImage(c.Config.Image)
		if err != nil {
			return err
		}
		cfg, err := p.eng.ImageConfig(ctx, img)
		if err != nil {
			return err
		}
		user = cfg.Config.User
	}
	u, _, _ := strings.Cut(user, ":")
	switch {
	case u == "" || u == "0" || u == "root":
		return errdefs.Invalid(errors.New("runAsNonRoot: the image runs as root: give securityContext.runAsUser"))
	case strings.Trim(u, "0123456789") != "":
		return errdefs.Invalid(fmt.Errorf("runAsNonRoot: the image's user %q is not numeric, so it cannot be checked: give securityContext.runAsUser", u))
	}
	return nil
}

// make makes the volumes and the pods, and starts them.
func (p *player) make(ctx context.Context, plan *Plan) (*Report, error) {
	r := &Report{}
	for _, c := range plan.Claims {
		if err := p.volume(c.Name, c.Labels, true); err != nil {
			return nil, err
		}
		r.Volumes = append(r.Volumes, c.Name)
	}
	for _, pod := range plan.Pods {
		played, err := p.pod(ctx, pod)
		if err != nil {
			return nil, err
		}
		r.Pods = append(r.Pods, played)
	}
	return r, nil
}

// volume makes a named volume, or uses the one there when reuse.
func (p *player) volume(name string, labels map[string]string, reuse bool) error {
	if _, err := p.eng.GetVolume(name); err == nil && reuse {
		return nil
	}
	if _, err := p.eng.CreateVolume(name, engine.VolumeOptions{Labels: labels}); err != nil {
		return err
	}
	p.vols = append(p.vols, name)
	return nil
}

// pod makes one pod and its containers, and starts it.
func (p *player) pod(ctx context.Context, pod *PodPlan) (PlayedPod, error) {
	var played PlayedPod
	meta := engine.KubeMeta{Annotations: pod.Annotations}
	for _, f := range pod.Files {
		if err := p.volume(f.Name, nil, true); err != nil {
			return played, err
		}
		if err := p.eng.WriteVolumeFiles(f.Name, f.Files, f.Modes); err != nil {
			return played, err
		}
		meta.Volumes = append(meta.Volumes, f.Origin)
	}
	for _, name := range pod.EmptyDirs {
		if err := p.emptyDir(name); err != nil {
			return played, fmt.Errorf("%s: %w", pod.Source, err)
		}
	}
	for _, h := range pod.HostPaths {
		if err := makeHostPath(h); err != nil {
			return played, fmt.Errorf("%s: %w", pod.Source, err)
		}
	}
	for _, c := range pod.all() {
		if err := p.subPaths(c); err != nil {
			return played, fmt.Errorf("%s: container %s: %w", pod.Source, c.Name, err)
		}
	}
	opts := pod.Options
	if len(pod.InitContainers) > 0 {
		// The pod must not stop when an init container exits: its
		// policy is set once the containers run.
		opts.ExitPolicy = engine.ExitPolicyContinue
	}
	ep, err := p.eng.CreatePod(ctx, opts, nil)
	if err != nil {
		return played, fmt.Errorf("%s: %w", pod.Source, err)
	}
	p.pods = append(p.pods, ep.ID)
	played.ID = ep.ID
	if err := p.eng.SetKubeMeta(ep.ID, meta); err != nil {
		return played, err
	}
	var inits []*engine.Container
	for _, c := range pod.all() {
		cfg := c.Config
		cfg.Pod = ep.ID
		ctr, err := p.eng.Create(ctx, cfg, nil)
		if err != nil {
			return played, fmt.Errorf("%s: container %s: %w", pod.Source, c.Name, err)
		}
		for _, w := range ctr.Warnings {
			p.warn(fmt.Sprintf("%s: container %s: %s", pod.Source, c.Name, w))
		}
		p.eng.Release(ctr)
		if len(inits) < len(pod.InitContainers) {
			inits = append(inits, ctr)
			continue
		}
		played.Containers = append(played.Containers, ctr.ID)
	}
	if !p.o.Start {
		return played, nil
	}
	return played, p.start(ctx, pod, ep.ID, inits)
}

// emptyDir makes the volume of an emptyDir empty: one left by a pod that
// is gone is made anew.
func (p *player) emptyDir(name string) error {
	if _, err := p.eng.GetVolume(name); err == nil {
		if users := p.eng.VolumeUsers(name); len(users) > 0 {
			return errdefs.Conflict(fmt.Errorf("the emptyDir volume %s is in use by %s", name, strings.Join(users, ", ")))
		}
		if err := p.eng.RemoveVolume(name, false, nil); err != nil {
			return err
		}
	}
	return p.volume(name, nil, false)
}

// makeHostPath makes a hostPath of type DirectoryOrCreate or
// FileOrCreate, with the modes the kubelet gives them.
func makeHostPath(h HostPath) error {
	switch h.Type {
	case corev1.HostPathDirectoryOrCreate:
		return os.MkdirAll(h.Path, 0o755)
	case corev1.HostPathFileOrCreate:
		f, err := os.OpenFile(h.Path, os.O_RDONLY|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		return f.Close()
	}
	return nil
}

// subPaths turns the container's subPath mounts into bind mounts of the
// path inside the hostPath or volume, resolved inside it.
func (p *player) subPaths(c *Container) error {
	for _, sp := range c.SubPaths {
		root := sp.Source
		if sp.Volume != "" {
			v, err := p.eng.GetVolume(sp.Volume)
			if err != nil {
				return err
			}
			root = v.Mountpoint
		}
		src, err := securejoin.SecureJoin(root, sp.SubPath)
		if err != nil {
			return err
		}
		if _, err := os.Stat(src); err != nil {
			return errdefs.NotFound(fmt.Errorf("subPath %s: %w", sp.SubPath, err))
		}
		m := engine.MountSpec{Type: "bind", Source: src, Destination: sp.Destination}
		if sp.ReadOnly {
			m.Options = []string{"ro"}
		}
		c.Config.Mounts = append(c.Config.Mounts, m)
	}
	return nil
}

// start runs the pod's init containers one after the other, each to a
// zero exit, removes them, then starts the pod.
func (p *player) start(ctx context.Context, pod *PodPlan, id string, inits []*engine.Container) error {
	ep, err := p.eng.GetPod(id)
	if err != nil {
		return err
	}
	if infra := ep.Infra(); infra != nil && len(inits) > 0 {
		if _, err := p.eng.Start(infra, engine.StartOptions{}); err != nil {
			return fmt.Errorf("%s: starting the pod: %w", pod.Source, err)
		}
	}
	for i, ctr := range inits {
		if _, err := p.eng.Start(ctr, engine.StartOptions{}); err != nil {
			return fmt.Errorf("%s: init container %s: %w", pod.Source, pod.InitContainers[i].Name, err)
		}
		code, err := p.eng.Wait(ctx, ctr)
		if err != nil {
			return err
		}
		if code != 0 {
			// The undo removes the container and its log: say what it
			// wrote last now.
			p.initOutput(ctx, pod.InitContainers[i].Name, ctr)
			return errdefs.Invalid(fmt.Errorf("%s: init container %s exited with code %d", pod.Source, pod.InitContainers[i].Name, code))
		}
		if err := p.eng.Remove(ctx, ctr, engine.RemoveOptions{Volumes: true}); err != nil {
			return err
		}
	}
	if ep, err = p.eng.GetPod(id); err != nil {
		return err
	}
	if err := p.eng.StartPod(ep); err != nil {
		return err
	}
	if len(inits) > 0 && pod.Options.ExitPolicy != engine.ExitPolicyContinue {
		return p.eng.SetPodExitPolicy(id, pod.Options.ExitPolicy)
	}
	return nil
}

// initOutput warns with the last lines a failed init container wrote.
func (p *player) initOutput(ctx context.Context, name string, ctr *engine.Container) {
	var out bytes.Buffer
	if err := p.eng.Logs(ctx, ctr, engine.LogOptions{Tail: initTail}, &out, &out); err != nil || out.Len() == 0 {
		return
	}
	p.warn(fmt.Sprintf("init container %s wrote last:\n%s", name, strings.TrimRight(out.String(), "\n")))
}

// initTail is how many lines of a failed init container's log are shown.
const initTail = 10

// undo removes what a failed kube play made: its pods, then its volumes.
func (p *player) undo(ctx context.Context) {
	now := time.Duration(0)
	for _, id := range p.pods {
		if pod, err := p.eng.GetPod(id); err == nil {
			if _, err := p.eng.RemovePod(ctx, pod, engine.PodRemoveOptions{Force: true, Timeout: &now}); err != nil {
				p.warn(fmt.Sprintf("removing pod %s after the failure: %v", pod.Name, err))
			}
		}
	}
	for _, v := range p.vols {
		if err := p.eng.RemoveVolume(v, false, nil); err != nil && !errdefs.Is(err, errdefs.ClassNotFound) {
			p.warn(fmt.Sprintf("removing volume %s after the failure: %v", v, err))
		}
	}
}

func (p *player) warn(msg string) {
	if p.o.Warn != nil {
		p.o.Warn(msg)
	}
}
