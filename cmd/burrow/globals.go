package main

import (
	"fmt"
	"log/syslog"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/sirupsen/logrus"
	lsyslog "github.com/sirupsen/logrus/hooks/syslog"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// GlobalFlags are podman's persistent options: given before or after the
// command, they apply to every command.
type GlobalFlags struct {
	LogLevel string `name:"log-level" placeholder:"warn" help:"Log messages above specified level (trace, debug, info, warn, warning, error, fatal, panic)."`
	Debug    bool   `short:"D" name:"debug" hidden:"" help:"Docker compatibility, same as --log-level=debug."`
	// Config is Docker's --config, which podman accepts and ignores.
	Config string `name:"config" hidden:"" help:"Ignored (Docker compatibility)."`

	CgroupManager string   `name:"cgroup-manager" enum:"systemd,cgroupfs," default:"" help:"Cgroup manager of new containers: systemd (a scope from your systemd instance) or cgroupfs (made in the delegated cgroup burrow runs in); default: containers.conf's cgroup_manager, else systemd."`
	Root          string   `name:"root" help:"Path to the root directory in which data, including images, is stored."`
	RunRoot       string   `name:"runroot" help:"Path to the 'run directory' where all state information is stored."`
	StorageDriver string   `name:"storage-driver" help:"Select which storage driver is used to manage storage of images and containers."`
	StorageOpt    []string `name:"storage-opt" sep:"none" help:"Used to pass an option to the storage driver."`
	TmpDir        string   `name:"tmpdir" help:"Path to the tmp directory for burrow's state content (default: under the run root)."`
	VolumePath    string   `name:"volumepath" help:"Path to the volume directory in which volume data is stored."`
	EventsBackend string   `name:"events-backend" help:"Events backend to use: file or none (journald is not available); default: containers.conf's events_logger, else file."`
	Noout         bool     `name:"noout" help:"Do not output to stdout."`
	Syslog        bool     `name:"syslog" help:"Output logging information to syslog as well as the console."`

	// podman's options for parts burrow does not have (tests/podman-compat.md).
	Conmon           string   `name:"conmon" help:"Path of the conmon binary: ignored, burrow's own monitor does conmon's work."`
	RuntimeFlag      []string `name:"runtime-flag" sep:"none" help:"Global flags for the OCI runtime: burrow is its own runtime, so commands that run a container refuse them (exit 126)."`
	HooksDir         []string `name:"hooks-dir" sep:"none" help:"OCI hooks directory: refused, burrow runs no OCI hooks."`
	Namespace        string   `name:"namespace" help:"libpod namespace: refused, burrow has no namespaces of containers."`
	NetworkCmdPath   string   `name:"network-cmd-path" help:"Path of slirp4netns: refused, burrow runs the one on PATH."`
	NetworkConfigDir string   `name:"network-config-dir" help:"Directory of the network files: refused, burrow uses podman's default one."`
}

// logLevels are podman's names of logrus's levels.
var logLevels = []string{"trace", "debug", "info", "warn", "warning", "error", "fatal", "panic"}

// apply sets up logging and the engine's options from the flags. Its
// errors are podman's: a bad log level exits 1 with a bare message.
func (f *GlobalFlags) apply() error {
	level := f.LogLevel
	switch {
	case f.Debug && level != "":
		return withExit(bareError{"Setting --log-level and --debug is not allowed"}, 1)
	case f.Debug:
		level = "debug"
	case level == "":
		level = "warn"
	}
	lvl, err := logrus.ParseLevel(level)
	if err != nil || !contains(logLevels, level) {
		return withExit(bareError{fmt.Sprintf("Log Level %q is not supported, choose from: %s", level, strings.Join(logLevels, ", "))}, 1)
	}
	logrus.SetLevel(lvl)
	logrus.Infof("%s filtering at log level %s", filepath.Base(os.Args[0]), lvl)
	if f.Config != "" {
		logrus.Warn("The --config flag is ignored by Podman. Exists for Docker compatibility")
	}
	if err := engine.ValidEventsBackend(f.EventsBackend); err != nil {
		return err
	}
	if err := f.refuseMissing(); err != nil {
		return err
	}
	if f.Syslog {
		if hook, err := lsyslog.NewSyslogHook("", "", syslog.LOG_INFO, "burrow"); err == nil {
			logrus.AddHook(hook)
		} else {
			logrus.Warnf("--syslog: %v", err)
		}
	}
	if f.Noout {
		if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
			os.Stdout = null
		}
	}
	engineOptions = engine.Options{
		CgroupManager: f.CgroupManager, GraphRoot: f.Root, RunRoot: f.RunRoot,
		StorageDriver: f.StorageDriver, StorageOpts: f.StorageOpt, TmpDir: f.TmpDir, VolumePath: f.VolumePath,
		InfraImage: infraImageName(), EventsBackend: f.EventsBackend,
	}
	return nil
}

// runtimeFlags are --runtime-flag's: commands that run nothing in a
// container take them, as podman's; those that do refuse them
// (refuseRuntimeFlags).
var runtimeFlags []string

// refuseRuntimeFlags fails a command that would run a container's process
// where runtime flags were given, as podman's runtime fails: exit 126,
// naming them. burrow is its own runtime and takes none.
func refuseRuntimeFlags() error {
	if len(runtimeFlags) == 0 {
		return nil
	}
	return withExit(errdefs.Unavailable(fmt.Errorf("--runtime-flag %s: burrow is its own OCI runtime and takes no runtime flags: leave them out", strings.Join(runtimeFlags, " "))), 126)
}

// refuseMissing refuses podman's options for parts burrow does not have
// where podman's result would depend on them; --conmon changes nothing
// burrow does (its monitor is its own).
func (f *GlobalFlags) refuseMissing() error {
	if f.Conmon != "" {
		logrus.Debugf("--conmon %s ignored: burrow's own monitor does conmon's work", f.Conmon)
	}
	refuse := func(flag, why string) error {
		return errdefs.Unavailable(fmt.Errorf("%s: %s", flag, why))
	}
	runtimeFlags = f.RuntimeFlag
	switch {
	case len(f.HooksDir) > 0:
		return refuse("--hooks-dir", "burrow runs no OCI hooks")
	case f.Namespace != "":
		return refuse("--namespace", "burrow has no namespaces of containers: all of a user's containers are in one view")
	case f.NetworkCmdPath != "":
		return refuse("--network-cmd-path", "burrow runs the slirp4netns (or pasta) on PATH: put the one you want first on PATH")
	case f.NetworkConfigDir != "":
		return refuse("--network-config-dir", "burrow keeps networks where podman keeps them by default")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// bareError is printed as it is, without "Error: " (podman prints a bad
// log level so).
type bareError struct{ msg string }

func (e bareError) Error() string { return e.msg }

// rootOnly are podman's options of the root command alone: they must come
// before the command (`podman version --remote` is an unknown flag).
type rootOnly struct {
	version bool
	help    bool   // -h: the root's help (a command's -h is its own: run -h is --hostname)
	remote  string // the remote option given, "" for none
}

// rootOnlyFlag is one of podman's root-only options.
type rootOnlyFlag struct {
	short, long string
	value       bool // takes a value
	hidden      bool // not in the help, as podman's
	help        string
}

// rootOnlyFlags are podman's root-only options: burrow refuses the remote
// ones (it has no remote client) and reads the rest.
var rootOnlyFlags = []rootOnlyFlag{
	{short: "c", long: "connection", value: true, help: "Connection to a remote service: burrow has none (refused)"},
	{short: "h", long: "", help: "Help for this command"},
	{short: "H", long: "host", value: true, hidden: true, help: "--url, for Docker compatibility: burrow has no remote client (refused)"},
	{long: "identity", value: true, help: "SSH identity file of a remote service: burrow has none"},
	{short: "r", long: "remote", help: "Access a remote service: burrow has none (refused; see system service)"},
	{long: "ssh", value: true, help: "SSH mode of a remote service: burrow has none"},
	{long: "url", value: true, help: "URL of a remote service: burrow has none (refused)"},
	{short: "v", long: "version", help: "Version for " + progName()},
}

// lookupRootOnly is the root-only option spelled name ("-v", "--url").
func lookupRootOnly(name string) (rootOnlyFlag, bool) {
	for _, f := range rootOnlyFlags {
		if (f.short != "" && name == "-"+f.short) || (f.long != "" && name == "--"+f.long) {
			return f, true
		}
	}
	return rootOnlyFlag{}, false
}

// splitRootOnly takes the root-only options out of the arguments before the
// command. takesValue tells which of the other global options take a value
// (to step over it).
func splitRootOnly(args []string, takesValue func(flag string) bool) (rootOnly, []string) {
	var r rootOnly
	out := make([]string, 0, len(args))
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") {
			break
		}
		name, _, hasValue := strings.Cut(a, "=")
		f, ok := lookupRootOnly(name)
		if !ok {
			out = append(out, a)
			if !hasValue && takesValue(name) && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
			continue
		}
		switch f.long {
		case "version":
			r.version = true
		case "":
			r.help = true
		case "identity", "ssh":
			// how to reach a remote service: nothing without one
		default:
			r.remote = "--" + f.long
		}
		if f.value && !hasValue && i+1 < len(args) {
			i++
		}
	}
	return r, append(out, args[i:]...)
}

// errRemote says why burrow cannot do what --remote, --url and
// --connection ask.
func errRemote(flag string) error {
	return errdefs.Unavailable(fmt.Errorf("%s: burrow has no remote client: run burrow on the machine that holds the containers (ssh there), or point a Docker client at its `burrow system service` socket", flag))
}

// globalTakesValue tells whether the global option spelled flag ("--root",
// "-D") takes its value from the next argument when it is not given with
// "=": read from GlobalFlags' tags, so that the command line is split
// before kong builds its model (parser.go).
func globalTakesValue(flag string) bool {
	t := reflect.TypeOf(GlobalFlags{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, short := f.Tag.Get("name"), f.Tag.Get("short")
		if (name != "" && flag == "--"+name) || (short != "" && flag == "-"+short) {
			return f.Type.Kind() != reflect.Bool
		}
	}
	return false
}
