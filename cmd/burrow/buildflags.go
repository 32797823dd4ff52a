package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/burrow-containers/burrow/build"
	"github.com/burrow-containers/burrow/engine"
)

// buildRunFlags are podman build's flags for the containers of RUN steps
// and for the final image, beside BuildCmd's own.
type buildRunFlags struct {
	platformFlags
	AddHost     []string `name:"add-host" sep:"none" help:"Add HOST:IP to /etc/hosts of RUN steps (repeatable)."`
	DNS         []string `name:"dns" sep:"," help:"DNS servers of RUN steps."`
	DNSSearch   []string `name:"dns-search" sep:"," help:"DNS search domains of RUN steps."`
	DNSOption   []string `name:"dns-option" sep:"none" help:"DNS options of RUN steps (repeatable)."`
	NoHosts     bool     `name:"no-hosts" help:"RUN steps keep the image's /etc/hosts."`
	Ulimit      []string `name:"ulimit" sep:"none" help:"A resource limit of RUN steps, NAME=SOFT[:HARD] (repeatable)."`
	ShmSize     string   `name:"shm-size" help:"Size of /dev/shm of RUN steps (default 64m)."`
	CapAdd      []string `name:"cap-add" sep:"," help:"Add capabilities to RUN steps."`
	CapDrop     []string `name:"cap-drop" sep:"," help:"Drop capabilities of RUN steps."`
	SecurityOpt []string `name:"security-opt" sep:"none" help:"Security options of RUN steps: no-new-privileges, seccomp=PROFILE.json|unconfined, mask=, unmask=."`
	Volume      []string `short:"v" name:"volume" sep:"none" help:"Mount HOST-DIR:CONTAINER-DIR[:ro] or VOLUME:CONTAINER-DIR in RUN steps (not kept in the image)."`
	HTTPProxy   bool     `name:"http-proxy" default:"true" negatable:"" help:"Pass your proxy variables to RUN steps (default true)."`
	PID         string   `name:"pid" help:"PID namespace of RUN steps: private, host, container:NAME or ns:PATH."`
	UTS         string   `name:"uts" help:"UTS namespace of RUN steps: private, host, container:NAME or ns:PATH."`
	IPC         string   `name:"ipc" help:"IPC namespace of RUN steps."`
	Env         []string `short:"e" name:"env" sep:"none" help:"Add a variable to the built image, K=V or K from your environment (repeatable)."`
	UnsetEnv    []string `name:"unsetenv" sep:"none" help:"Take a variable out of the built image (repeatable)."`
	IIDFile     string   `name:"iidfile" help:"Write the image's ID to this file."`
	LogFile     string   `name:"logfile" help:"Write the build's output to this file instead of stdout."`
	Creds       string   `name:"creds" help:"USER[:PASSWORD] for the registries of FROM, instead of auth.json's."`
	Rm          bool     `name:"rm" default:"true" negatable:"" help:"Remove the containers of RUN steps (always: --rm=false is refused)."`
	ForceRm     bool     `name:"force-rm" default:"true" negatable:"" help:"Remove the containers of RUN steps even when the build fails (always)."`
	Jobs        int      `name:"jobs" default:"1" help:"Stages built at once: burrow builds them one after the other, whatever N."`
	Isolation   string   `name:"isolation" enum:"oci,rootless,," default:"" help:"How RUN steps are isolated: burrow's runtime (oci, rootless); chroot is not supported."`
}

// apply sets the flags in o; out is where the build writes.
func (f *buildRunFlags) apply(o *build.Options) (io.Writer, func(), error) {
	if !f.Rm || !f.ForceRm {
		return nil, nil, invalidf("--rm=false and --force-rm=false are not supported: burrow always removes the containers of RUN steps")
	}
	if f.Jobs < 0 {
		return nil, nil, invalidf("--jobs %d: give 0 or more", f.Jobs)
	}
	r := &o.Run
	r.AddHosts, r.DNS, r.DNSSearch, r.DNSOptions, r.NoHosts = f.AddHost, f.DNS, f.DNSSearch, f.DNSOption, f.NoHosts
	r.CapAdd, r.CapDrop, r.Ulimits = f.CapAdd, f.CapDrop, f.Ulimit
	if err := engine.CheckUlimits(f.Ulimit); err != nil {
		return nil, nil, err
	}
	var err error
	if r.ShmSize, err = parseShmSize(f.ShmSize); err != nil {
		return nil, nil, err
	}
	if err := applySecurityOpts(r, f.SecurityOpt); err != nil {
		return nil, nil, err
	}
	for _, v := range f.Volume {
		m, err := engine.ParseVolume(v)
		if err != nil {
			return nil, nil, err
		}
		r.Mounts = append(r.Mounts, m)
	}
	if f.HTTPProxy {
		r.ProxyEnv = engine.HostProxyEnv()
	}
	if r.PID, err = engine.ParseNamespaceMode("--pid", f.PID); err != nil {
		return nil, nil, err
	}
	if r.UTS, err = engine.ParseNamespaceMode("--uts", f.UTS); err != nil {
		return nil, nil, err
	}
	if r.IPC, err = engine.ParseIPC(f.IPC); err != nil {
		return nil, nil, err
	}
	for _, e := range f.Env {
		if k, _, ok := strings.Cut(e, "="); ok {
			o.Env = append(o.Env, e)
		} else if v, set := os.LookupEnv(k); set {
			o.Env = append(o.Env, k+"="+v)
		}
	}
	o.UnsetEnv = f.UnsetEnv
	if o.Registry.Platform, err = f.platform(); err != nil {
		return nil, nil, err
	}
	if err := credsOption(f.Creds, &o.Registry); err != nil {
		return nil, nil, err
	}
	if f.LogFile == "" {
		return o.Out, func() {}, nil
	}
	log, err := os.Create(f.LogFile)
	if err != nil {
		return nil, nil, fmt.Errorf("opening --logfile: %w", err)
	}
	return log, func() { log.Close() }, nil
}

// writeIIDFile writes the built image's ID where --iidfile says.
func (f *buildRunFlags) writeIIDFile(id string) error {
	if f.IIDFile == "" {
		return nil
	}
	if err := os.WriteFile(f.IIDFile, []byte("sha256:"+id), 0o644); err != nil {
		return fmt.Errorf("writing --iidfile: %w", err)
	}
	return nil
}
