package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/burrow-containers/burrow/engine"
)

// GenerateSystemdCmd is `burrow generate systemd`: units that run a
// container or a pod under systemd, with burrow as their program.
type GenerateSystemdCmd struct {
	Name            bool     `short:"n" help:"Use container/pod names instead of IDs."`
	New             *bool    `help:"Create a new container or pod at start (and remove it at stop) instead of starting an existing one."`
	Files           bool     `short:"f" help:"Write NAME.service files in the current directory instead of printing them."`
	Format          string   `help:"Print the units in this format (json)."`
	RestartPolicy   *string  `name:"restart-policy" help:"Systemd restart policy (default on-failure)."`
	RestartSec      *uint    `name:"restart-sec" help:"Systemd restart-sec."`
	Time            *uint    `short:"t" name:"time" help:"Stop timeout override (as --stop-timeout)."`
	StopTimeout     *uint    `name:"stop-timeout" help:"Stop timeout override (default 10)."`
	StartTimeout    *uint    `name:"start-timeout" help:"Start timeout override."`
	ContainerPrefix string   `name:"container-prefix" default:"container" help:"Systemd unit name prefix for containers."`
	PodPrefix       string   `name:"pod-prefix" default:"pod" help:"Systemd unit name prefix for pods."`
	Separator       string   `default:"-" help:"Systemd unit name separator between name/id and prefix."`
	Env             []string `short:"e" name:"env" sep:"none" help:"Set an environment variable in the units (K=V, or K to take it from here)."`
	NoHeader        bool     `name:"no-header" help:"Skip header generation."`
	Template        bool     `help:"Make it a template file and use %i and %I specifiers (containers only)."`
	Wants           []string `sep:"none" help:"Add (weak) requirement dependencies to the generated unit file."`
	After           []string `sep:"none" help:"Add dependencies order to the generated unit file."`
	Requires        []string `sep:"none" help:"Similar to wants, but declares stronger requirement dependencies."`

	Target string `arg:"" name:"container-or-pod" help:"{CONTAINER|POD}"`
}

// Run prints or writes the units.
func (c *GenerateSystemdCmd) Run(g *globals) error {
	o, err := c.options()
	if err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	units, warnings, err := eng.GenerateSystemd(c.Target, o)
	if err != nil {
		return err
	}
	printWarnings(warnings)
	return c.output(units)
}

// options reads the flags as podman's generate systemd does: --template
// implies --new unless --new=false is given, which is refused.
func (c *GenerateSystemdCmd) options() (engine.SystemdOptions, error) {
	if c.Time != nil && c.StopTimeout != nil {
		return engine.SystemdOptions{}, invalidf("stop-timeout and time are redundant and cannot be used together")
	}
	if c.Format != "" && c.Format != "json" {
		return engine.SystemdOptions{}, invalidf("unsupported format %q: use json", c.Format)
	}
	exe, err := os.Executable()
	if err != nil {
		return engine.SystemdOptions{}, fmt.Errorf("finding burrow's own path: %w", err)
	}
	o := engine.SystemdOptions{
		Executable: exe, UseName: c.Name, New: c.New != nil && *c.New || c.New == nil && c.Template,
		Template: c.Template, RestartPolicy: c.RestartPolicy, RestartSec: c.RestartSec,
		StopTimeout: c.StopTimeout, StartTimeout: c.StartTimeout,
		ContainerPrefix: c.ContainerPrefix, PodPrefix: c.PodPrefix, Separator: c.Separator,
		NoHeader: c.NoHeader, Env: unitEnv(c.Env), Wants: c.Wants, After: c.After, Requires: c.Requires,
		Now: time.Now(),
	}
	if c.Time != nil {
		o.StopTimeout = c.Time
	}
	return o, nil
}

// unitEnv is --env's variables: K=V as given, K with its value here, and
// a K not set here left out.
func unitEnv(env []string) []string {
	var out []string
	for _, e := range env {
		if strings.Contains(e, "=") {
			out = append(out, e)
		} else if v, ok := os.LookupEnv(e); ok {
			out = append(out, e+"="+v)
		}
	}
	return out
}

// output prints the units, or writes them as files and prints their paths,
// as text or as JSON keyed by unit name.
func (c *GenerateSystemdCmd) output(units []engine.SystemdUnit) error {
	var keys []string
	values := map[string]string{}
	for _, u := range units {
		v := u.Text
		if c.Files {
			path, err := filepath.Abs(u.Name + ".service")
			if err != nil {
				return err
			}
			if err := os.WriteFile(path, []byte(u.Text), 0o644); err != nil {
				return fmt.Errorf("writing the unit file: %w", err)
			}
			v = path
		}
		keys = append(keys, u.Name)
		values[u.Name] = v
	}
	if c.Format == "json" {
		b, err := json.MarshalIndent(values, "", " ")
		if err != nil {
			return err
		}
		fmt.Println(string(b))
		return nil
	}
	for _, k := range keys {
		if c.Files {
			fmt.Println(values[k])
		} else {
			fmt.Print(values[k])
		}
	}
	return nil
}
