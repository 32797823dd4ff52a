package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
)

// What kube play and kube generate (package kube) need of the engine
// beyond its containers, pods and volumes: what a pod made from
// Kubernetes YAML keeps of it, and files written into volumes.

// KubeMeta is what a pod made by kube play keeps of its YAML that the
// engine has no field for, so that kube generate can give it back. It is
// stored in the pod's directory and goes with it.
type KubeMeta struct {
	Annotations map[string]string `json:"annotations,omitempty"`
	// Volumes are the pod's ConfigMap and Secret volumes.
	Volumes []KubeVolume `json:"volumes,omitempty"`
}

// KubeVolume is a named volume kube play filled from a ConfigMap or a
// Secret.
type KubeVolume struct {
	Kind        string            `json:"kind"`   // ConfigMap or Secret
	Name        string            `json:"name"`   // the object's, and the named volume's
	Volume      string            `json:"volume"` // the pod's volume that shows it
	DefaultMode *int32            `json:"defaultMode,omitempty"`
	Items       map[string]string `json:"items,omitempty"` // key -> path, when not every key
}

func (e *Engine) kubeMetaPath(podID string) string {
	return filepath.Join(e.podDir(podID), "kube.json")
}

// SetKubeMeta stores what a pod keeps of its YAML.
func (e *Engine) SetKubeMeta(podID string, m KubeMeta) error {
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := e.readPod(podID); err != nil {
		return err
	}
	return writeJSON(e.kubeMetaPath(podID), m)
}

// KubeMeta is what the pod keeps of its YAML; empty for a pod that kube
// play did not make.
func (e *Engine) KubeMeta(podID string) KubeMeta {
	var m KubeMeta
	if b, err := os.ReadFile(e.kubeMetaPath(podID)); err == nil {
		json.Unmarshal(b, &m)
	}
	return m
}

// ValidName tells whether n is a name podman and burrow take for a
// container, pod or volume: kube play takes the names of podman's YAML,
// which keep their capitals, as podman's kube play does.
func ValidName(n string) bool { return validName(n) }

// ContainerProcess is the process of the container's runtime spec: its
// environment and user as the container runs them.
func (e *Engine) ContainerProcess(ctr *Container) (*specs.Process, error) {
	s, err := e.loadSpec(ctr.ID)
	if err != nil {
		return nil, err
	}
	if s.Process == nil {
		return nil, fmt.Errorf("container %s has no process in its spec", ctr.Name)
	}
	return s.Process, nil
}

// Capabilities are the capabilities c gives its process: the defaults
// (every one when privileged), with --cap-add and --cap-drop applied.
func Capabilities(c *Config) ([]string, error) { return capabilities(c) }

// WriteVolumeFiles writes files (a path in the volume -> content) into the
// named volume with their modes, replacing what is at those paths. The
// volume may be a container's to write too: its paths are resolved inside
// it, never through a symbolic link, so that no file outside it is
// touched.
func (e *Engine) WriteVolumeFiles(name string, files map[string][]byte, modes map[string]uint32) error {
	v, err := e.GetVolume(name)
	if err != nil {
		return err
	}
	root, err := os.OpenFile(v.Mountpoint, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer root.Close()
	for p, content := range files {
		if err := writeInRoot(root, p, content, modes[p]); err != nil {
			return fmt.Errorf("writing %s into volume %s: %w", p, name, err)
		}
	}
	return nil
}

// writeInRoot replaces the file at rel (a relative path) under root.
func writeInRoot(root *os.File, rel string, content []byte, mode uint32) error {
	rel = filepath.Clean(rel)
	if filepath.IsAbs(rel) || rel == ".." || len(rel) > 2 && rel[:3] == "../" {
		return errdefs.Invalid(fmt.Errorf("%s leaves the volume", rel))
	}
	dir, err := pathrs.MkdirAllHandle(root, filepath.Dir(rel), 0o755)
	if err != nil {
		return err
	}
	defer dir.Close()
	name := filepath.Base(rel)
	if err := unix.Unlinkat(int(dir.Fd()), name, 0); err != nil && !errors.Is(err, unix.ENOENT) {
		return err
	}
	fd, err := unix.Openat(int(dir.Fd()), name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode&0o777)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	if _, err := f.Write(content); err != nil {
		return err
	}
	return f.Chmod(os.FileMode(mode & 0o777))
}

// ReadVolumeFile reads the regular file at rel in the named volume,
// resolved inside it as WriteVolumeFiles does.
func (e *Engine) ReadVolumeFile(name, rel string) ([]byte, error) {
	v, err := e.GetVolume(name)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenFile(v.Mountpoint, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	handle, err := pathrs.OpenatInRoot(root, rel)
	if err != nil {
		return nil, fmt.Errorf("opening %s in volume %s: %w", rel, name, err)
	}
	defer handle.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(handle.Fd()), &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("%s in volume %s is not a regular file", rel, name)
	}
	f, err := pathrs.Reopen(handle, unix.O_RDONLY|unix.O_NONBLOCK)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	const maxFile = 1 << 20 // a ConfigMap holds at most 1 MiB
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err == nil && len(b) > maxFile {
		err = fmt.Errorf("%s in volume %s is larger than a ConfigMap may be (1 MiB)", rel, name)
	}
	return b, err
}

// SetPodExitPolicy changes the pod's exit policy (ExitPolicyContinue or
// ExitPolicyStop), and applies it at once: kube play makes a pod with init
// containers with policy continue, so that their exits do not stop it,
// and sets its policy once its containers run.
func (e *Engine) SetPodExitPolicy(id, policy string) error {
	if policy != ExitPolicyContinue && policy != ExitPolicyStop {
		return errdefs.Invalid(fmt.Errorf("invalid pod exit policy %q: use continue or stop", policy))
	}
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	rec, err := e.readPod(id)
	if err == nil {
		rec.ExitPolicy = policy
		err = e.writePod(rec)
	}
	unlock()
	if err != nil {
		return err
	}
	e.applyExitPolicy(id)
	return nil
}

// CheckLimits fails when a new container could not get limits l, as its
// launch would decide but before anything is made: the host must be able
// to enforce them, unless containers.conf says cgroups = "disabled", when
// the create drops them with a warning instead (as for run).
func (e *Engine) CheckLimits(l limits.Limits) error {
	c := Config{Limits: l}
	if _, err := e.applyCgroupsSetting(&c); err != nil {
		return err
	}
	if c.CgroupsDisabled {
		return nil
	}
	return e.Limits(c.CgroupManager).Check(c.Limits)
}
