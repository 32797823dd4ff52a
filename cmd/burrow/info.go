package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"go.podman.io/image/v5/pkg/sysregistriesv2"
	"go.podman.io/image/v5/types"
	"go.yaml.in/yaml/v3"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/hostinfo"
)

// InfoCmd is `burrow info`.
type InfoCmd struct {
	Format *string `short:"f" help:"Change the output format to JSON or a Go template."`
}

// infoReport is podman's `info`: its field names (for templates) and its
// JSON keys, with burrow's facts. Where burrow has its own part in podman's
// place (its monitor for conmon, itself for the OCI runtime) the report
// names it.
type infoReport struct {
	Host       infoHost       `json:"host"`
	Store      infoStore      `json:"store"`
	Registries map[string]any `json:"registries"`
	Plugins    infoPlugins    `json:"plugins"`
	Version    versionInfo    `json:"version"`
}

type infoHost struct {
	Arch              string                `json:"arch"`
	BuildahVersion    string                `json:"buildahVersion"`
	CgroupManager     string                `json:"cgroupManager"`
	CgroupsVersion    string                `json:"cgroupVersion"`
	CgroupControllers []string              `json:"cgroupControllers"`
	Conmon            infoProgram           `json:"conmon"`
	CPUs              int                   `json:"cpus"`
	CPUUtilization    hostinfo.CPUUsage     `json:"cpuUtilization"`
	Distribution      hostinfo.Distribution `json:"distribution"`
	EventLogger       string                `json:"eventLogger"`
	Hostname          string                `json:"hostname"`
	IDMappings        hostinfo.IDMappings   `json:"idMappings"`
	Kernel            string                `json:"kernel"`
	LogDriver         string                `json:"logDriver"`
	MemFree           int64                 `json:"memFree"`
	MemTotal          int64                 `json:"memTotal"`
	NetworkBackend    string                `json:"networkBackend"`
	OCIRuntime        infoRuntime           `json:"ociRuntime"`
	OS                string                `json:"os"`
	RemoteSocket      infoSocket            `json:"remoteSocket"`
	ServiceIsRemote   bool                  `json:"serviceIsRemote"`
	Security          infoSecurity          `json:"security"`
	Slirp4NetNS       infoSlirp             `json:"slirp4netns"`
	SwapFree          int64                 `json:"swapFree"`
	SwapTotal         int64                 `json:"swapTotal"`
	Uptime            string                `json:"uptime"`
	Linkmode          string                `json:"linkmode"`
	// Helpers are the programs burrow runs, with their versions (burrow's).
	Helpers []hostinfo.Helper `json:"helpers"`
}

type infoProgram struct {
	Package string `json:"package"`
	Path    string `json:"path"`
	Version string `json:"version"`
}

type infoRuntime struct {
	Name    string `json:"name"`
	Package string `json:"package"`
	Path    string `json:"path"`
	Version string `json:"version"`
}

type infoSocket struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists,omitempty"`
}

type infoSecurity struct {
	AppArmorEnabled     bool   `json:"apparmorEnabled"`
	DefaultCapabilities string `json:"capabilities"`
	Rootless            bool   `json:"rootless"`
	SECCOMPEnabled      bool   `json:"seccompEnabled"`
	SECCOMPProfilePath  string `json:"seccompProfilePath"`
	SELinuxEnabled      bool   `json:"selinuxEnabled"`
}

type infoSlirp struct {
	Executable string `json:"executable"`
	Package    string `json:"package"`
	Version    string `json:"version"`
}

type infoStore struct {
	engine.StoreInfo
	ContainerStore infoContainers `json:"containerStore"`
	VolumePath     string         `json:"volumePath"`
}

type infoContainers struct {
	Number  int `json:"number"`
	Paused  int `json:"paused"`
	Running int `json:"running"`
	Stopped int `json:"stopped"`
}

type infoPlugins struct {
	Volume        []string `json:"volume"`
	Network       []string `json:"network"`
	Log           []string `json:"log"`
	Authorization []string `json:"authorization"`
}

// Run prints the report: YAML, JSON or the template given.
func (i *InfoCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	rep, err := gatherInfo(eng)
	if err != nil {
		return err
	}
	// -f '' is an empty template, as podman's (which prints nothing).
	if i.Format != nil {
		if *i.Format == "" {
			return nil
		}
		return formatOne(*i.Format, rep)
	}
	return printYAML(rep)
}

// printYAML prints v as podman prints its reports: YAML of the JSON form,
// keys sorted, two spaces of indentation.
func printYAML(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // sizes stay integers
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(plainNumbers(doc)); err != nil {
		return err
	}
	_, err = os.Stdout.Write(out.Bytes())
	return err
}

// plainNumbers turns the JSON numbers in v into integers (or floats), so
// that YAML writes them as numbers.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = plainNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = plainNumbers(e)
		}
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

func gatherInfo(eng *engine.Engine) (*infoReport, error) {
	store, err := eng.StoreInfo()
	if err != nil {
		return nil, err
	}
	h := eng.Host()
	exe, _ := os.Executable()
	mem := hostinfo.GatherMemory()
	rep := &infoReport{
		Host: infoHost{
			Arch: runtime.GOARCH, CgroupManager: eng.CgroupManager(), CgroupsVersion: h.CgroupVersion,
			CgroupControllers: h.CgroupControllers, CPUs: runtime.NumCPU(), CPUUtilization: hostinfo.GatherCPUUsage(),
			Distribution: hostinfo.GatherDistribution(), EventLogger: eng.EventsBackend(), Hostname: h.Hostname,
			IDMappings: h.IDMappings, Kernel: h.Kernel, LogDriver: engine.LogK8sFile,
			MemFree: mem.MemFree, MemTotal: mem.MemTotal, SwapFree: mem.SwapFree, SwapTotal: mem.SwapTotal,
			Uptime: hostinfo.FormatUptime(mem.Uptime), NetworkBackend: networkBackend(), OS: runtime.GOOS,
			Linkmode: "dynamic",
			// burrow's monitor does what conmon does for podman.
			Conmon: infoProgram{Package: "burrow (its monitor, in conmon's place)", Path: exe, Version: "burrow monitor " + version},
			// burrow is its own OCI runtime.
			OCIRuntime: infoRuntime{Name: "burrow", Package: hostinfo.Package(exe), Path: exe, Version: "burrow version " + version},
			Security: infoSecurity{
				DefaultCapabilities: strings.Join(capNames(engine.DefaultCapabilities), ","), Rootless: h.Security.Rootless,
				SECCOMPEnabled: true, SECCOMPProfilePath: seccompProfile(),
			},
			RemoteSocket: serviceSocket(),
		},
		Store:      infoStore{StoreInfo: store, VolumePath: eng.VolumePath()},
		Registries: registries(),
		Plugins: infoPlugins{Volume: []string{"local"}, Network: []string{"bridge"},
			Log: []string{engine.LogK8sFile, engine.LogNone, engine.LogPassthrough}},
		Version: *currentVersion(),
	}
	rep.Host.Helpers = h.Helpers
	if rep.Host.CgroupControllers == nil {
		rep.Host.CgroupControllers = []string{}
	}
	if p, err := exec.LookPath("slirp4netns"); err == nil {
		rep.Host.Slirp4NetNS = infoSlirp{Executable: p, Package: hostinfo.Package(p), Version: hostinfo.Version(p)}
	}
	if ctrs, err := eng.List(); err == nil {
		cs := &rep.Store.ContainerStore
		cs.Number = len(ctrs)
		for _, c := range ctrs {
			switch {
			case c.Running() && c.Paused():
				cs.Paused++
			case c.Running():
				cs.Running++
			default:
				cs.Stopped++
			}
		}
	}
	return rep, nil
}

// capNames writes capabilities as podman's info does: CAP_CHOWN.
func capNames(caps []string) []string {
	out := make([]string, len(caps))
	for i, c := range caps {
		out[i] = strings.ToUpper(c)
		if !strings.HasPrefix(out[i], "CAP_") {
			out[i] = "CAP_" + out[i]
		}
	}
	return out
}

// networkBackend is podman's name of what makes the networks of `network
// create`: netavark, as podman's, where it is installed.
func networkBackend() string {
	for _, p := range []string{"/usr/libexec/podman/netavark", "/usr/lib/podman/netavark"} {
		if _, err := os.Stat(p); err == nil {
			return "netavark"
		}
	}
	if _, err := exec.LookPath("netavark"); err == nil {
		return "netavark"
	}
	return "none"
}

// seccompProfile is the profile new containers get (see engine/seccomp.go).
func seccompProfile() string {
	for _, p := range engine.DefaultSeccompProfiles {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "builtin"
}

// serviceSocket is where `burrow system service` listens by default.
func serviceSocket() infoSocket {
	s := infoSocket{Path: filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), "burrow", "burrow.sock")}
	if _, err := os.Stat(s.Path); err == nil {
		s.Exists = true
	}
	return s
}

// registries is registries.conf's search list, as podman's info shows it.
func registries() map[string]any {
	out := map[string]any{}
	if search, err := sysregistriesv2.UnqualifiedSearchRegistries(&types.SystemContext{}); err == nil && len(search) > 0 {
		out["search"] = search
	}
	return out
}
