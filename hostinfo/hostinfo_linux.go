package hostinfo

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/limits"
	"github.com/burrow-containers/burrow/userns"
)

// Helper is an external program burrow uses.
type Helper struct {
	Name    string `json:"name"`
	Path    string `json:"path"`
	Version string `json:"version"`
}

// IDMappings are the user namespace's maps, podman's JSON shape.
type IDMappings struct {
	UIDMap []userns.IDMap `json:"uidmap"`
	GIDMap []userns.IDMap `json:"gidmap"`
}

// Security is the security part of the report.
type Security struct {
	Rootless bool `json:"rootless"`
}

// Host is the host part of `burrow info`.
type Host struct {
	Arch          string     `json:"arch"`
	Kernel        string     `json:"kernel"`
	Hostname      string     `json:"hostname"`
	IDMappings    IDMappings `json:"idMappings"`
	CgroupVersion string     `json:"cgroupVersion"`
	CgroupManager string     `json:"cgroupManager"`
	// CgroupControllers are the controllers delegated to the user.
	CgroupControllers []string `json:"cgroupControllers,omitempty"`
	NetworkBackend    string   `json:"networkBackend"`
	Security          Security `json:"security"`
	Helpers           []Helper `json:"helpers"`
	PausePID          int      `json:"pausePid,omitempty"`
}

// HelperNames are the programs reported, in order.
var HelperNames = []string{"newuidmap", "newgidmap", "slirp4netns", "pasta", "fuse-overlayfs"}

// CgroupVersion tells "v2" for a unified hierarchy, "v1" otherwise (also
// for hybrid set-ups where the controllers sit in v1 hierarchies).
func CgroupVersion() string {
	if limits.CgroupV2() {
		return "v2"
	}
	return "v1"
}

// runtimeDir is the user's XDG_RUNTIME_DIR as burrow started (the store
// may set a fallback later).
var runtimeDir = os.Getenv("XDG_RUNTIME_DIR")

// GatherHost collects the host report; cgroupManager is the manager new
// containers get (limits.Systemd or limits.Cgroupfs).
func GatherHost(cgroupManager string) Host {
	var uts unix.Utsname
	unix.Uname(&uts)
	h := Host{
		Arch:           unix.ByteSliceToString(uts.Machine[:]),
		Kernel:         unix.ByteSliceToString(uts.Release[:]),
		CgroupVersion:  CgroupVersion(),
		NetworkBackend: networkBackend(),
		Security:       Security{Rootless: userns.Rootless()},
		PausePID:       userns.PausePID(),
	}
	h.Hostname, _ = os.Hostname()
	h.IDMappings.UIDMap, h.IDMappings.GIDMap, _ = userns.Mappings()
	m := limits.Detect(cgroupManager, userns.HostUID(), runtimeDir)
	h.CgroupManager = m.String()
	h.CgroupControllers = m.Controllers()
	for _, name := range HelperNames {
		if p, err := exec.LookPath(name); err == nil {
			h.Helpers = append(h.Helpers, Helper{Name: name, Path: p, Version: version(p)})
		}
	}
	return h
}

// version asks a program for its version: the first line naming the
// program and holding a digit wins, then any line with a digit. When the
// program does not tell (newuidmap, some pasta builds), the version of the
// Debian package that owns it is given instead, where dpkg knows it.
func version(path string) string {
	out := commandOutput(path, "--version")
	name := filepath.Base(path)
	lines := strings.Split(out, "\n")
	for _, line := range lines {
		if strings.Contains(line, name) && strings.ContainsAny(line, "0123456789") {
			return strings.TrimSpace(line)
		}
	}
	for _, line := range lines {
		if strings.ContainsAny(line, "0123456789") && !strings.Contains(strings.ToLower(line), "usage") &&
			!strings.Contains(line, "<http") {
			return strings.TrimSpace(line)
		}
	}
	return packageVersion(path)
}

// packageVersion returns "package VERSION" for the dpkg package owning
// path, or "" when there is no dpkg or no owner.
func packageVersion(path string) string {
	owner := strings.TrimSpace(commandOutput("dpkg-query", "-S", path))
	pkg, _, ok := strings.Cut(owner, ":")
	if !ok || strings.Contains(pkg, " ") {
		return ""
	}
	v := strings.TrimSpace(commandOutput("dpkg-query", "-W", "-f", "${Version}", pkg))
	if v == "" || strings.Contains(v, " ") {
		return ""
	}
	return "package " + pkg + " " + v
}

// commandOutput runs a short command and returns its combined output.
func commandOutput(name string, args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Run()
	return out.String()
}

// networkBackend is the user-mode network containers get by default.
func networkBackend() string {
	if _, err := exec.LookPath("slirp4netns"); err == nil {
		return "slirp4netns"
	}
	return "none (slirp4netns is not installed: apt-get install slirp4netns)"
}
