package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// parseBoth parses args with the model parseCLI picks and with the whole
// model, and describes both outcomes.
func parseBoth(t *testing.T, args []string) (pruned, whole string) {
	t.Helper()
	// The command's values and the global flags: the whole model also
	// fills the defaults of every other command, which nothing reads.
	field, _ := namedCommand(args)
	describe := func(cli *CLI, kctx *kong.Context, err error, exit int) string {
		cmd := ""
		if kctx != nil {
			cmd = kctx.Command()
		}
		var v any = cli
		if field != "" {
			v = []any{cli.GlobalFlags, reflect.ValueOf(cli).Elem().FieldByName(field).Interface()}
		}
		values, _ := json.Marshal(v)
		return fmt.Sprintf("command %q err %v exit %d values %s", cmd, err, exit, values)
	}
	var a, b CLI
	exitA, exitB := -1, -1
	kctxA, errA := parseCLI(&a, args, cliOptions(&exitA)...)
	parser, err := kong.New(&b, cliOptions(&exitB)...)
	if err != nil {
		t.Fatal(err)
	}
	kctxB, errB := parser.Parse(args)
	return describe(&a, kctxA, errA, exitA), describe(&b, kctxB, errB, exitB)
}

// A command line parsed with the model of its command alone comes out as
// with the whole model: values, defaults, errors, for every command.
func TestParsePrunedAsWhole(t *testing.T) {
	lines := [][]string{
		{"run", "--rm", "-e", "A=b", "--memory-swap", "-1", "img", "sh", "-c", "true"},
		{"--log-level", "debug", "--cgroup-manager=cgroupfs", "ps", "-a"},
		{"run", "--nosuchflag", "img"},
		{"rm", "-f", "-t", "0", "a", "b"},
		{"container", "cleanup", "abc"},
		{"network", "create", "--subnet", "10.1.0.0/24", "n"},
		{"exec", "-it", "ctr", "sh"},
		{"version", "extra"},
		{"--log-level", "bogus", "version"},
		{"--root", "/r", "--storage-opt", "a=b", "-D", "images", "--syslog"},
		{"--conmon", "/bin/x", "--runtime-flag", "x", "ps", "--noout"},
		{"ps", "--root"},
		{"help", "run"},
		{"container", "--bogus"},
		{"rnu", "img"},
		{},
	}
	t.Run("lines", func(t *testing.T) {
		for _, args := range lines {
			if p, w := parseBoth(t, args); p != w {
				t.Errorf("burrow %s:\npruned: %s\nwhole:  %s", strings.Join(args, " "), p, w)
			}
		}
	})
	ct := reflect.TypeOf(CLI{})
	for i := 0; i < ct.NumField(); i++ {
		f := ct.Field(i)
		if _, ok := f.Tag.Lookup("cmd"); !ok {
			continue
		}
		name := strings.ToLower(f.Name)
		for _, args := range [][]string{{name}, {name, "x"}, {name, "--bogus"}, {"--log-level=info", name, "x", "y"}} {
			if p, w := parseBoth(t, args); p != w {
				t.Errorf("burrow %s:\npruned: %s\nwhole:  %s", strings.Join(args, " "), p, w)
			}
		}
	}
}

func TestNamedCommand(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		field string
	}{
		{[]string{"run", "img"}, "Run"},
		{[]string{"--log-level", "debug", "ps"}, "Ps"},
		{[]string{"--cgroup-manager=systemd", "version"}, "Version"},
		{[]string{"run", "--help"}, ""},
		{[]string{"completion", "bash"}, ""},
		{[]string{"help", "run"}, ""},
		{[]string{"--root", "/r", "--storage-opt", "x", "-D", "rm"}, "Rm"},
		{[]string{"--root", "ps"}, ""},
		{[]string{"nosuch"}, ""},
		{[]string{"--", "run"}, ""},
		{nil, ""},
	} {
		field, ok := namedCommand(tc.args)
		if field != tc.field || ok != (tc.field != "") {
			t.Errorf("namedCommand(%q) = %q, %v; want %q", tc.args, field, ok, tc.field)
		}
	}
}

// globalTakesValue agrees with kong's model of the root's flags.
func TestGlobalTakesValue(t *testing.T) {
	exit := -1
	parser, err := kong.New(&CLI{}, cliOptions(&exit)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range parser.Model.Node.Flags {
		spellings := []string{"--" + f.Name}
		if f.Short != 0 {
			spellings = append(spellings, "-"+string(f.Short))
		}
		for _, s := range spellings {
			if got := globalTakesValue(s); got != !f.IsBool() {
				t.Errorf("globalTakesValue(%q) = %v, kong's flag takes a value: %v", s, got, !f.IsBool())
			}
		}
	}
}

// podman's scripts write a short flag's value after "=" (`-i=false`), as
// pflag takes it; the container's own arguments stay as they are.
func TestShortFlagEqualsValue(t *testing.T) {
	for _, tc := range []struct {
		args        []string
		interactive bool
		tty         bool
		env         []string
		cmd         []string
	}{
		{args: []string{"run", "--tty", "-i=false", "img", "echo"}, tty: true, cmd: []string{"img", "echo"}},
		{args: []string{"run", "-t=true", "-i=true", "img"}, tty: true, interactive: true, cmd: []string{"img"}},
		{args: []string{"run", "-e=A=b", "img"}, env: []string{"A=b"}, cmd: []string{"img"}},
		// The container's "-t=false" is its own.
		{args: []string{"run", "-e", "A", "img", "sh", "-t=false"}, env: []string{"A"}, cmd: []string{"img", "sh", "-t=false"}},
		{args: []string{"container", "run", "-i=true", "img", "--", "-i=false"}, interactive: true, cmd: []string{"img", "--", "-i=false"}},
	} {
		var cli CLI
		exit := -1
		if _, err := parseCLI(&cli, tc.args, cliOptions(&exit)...); err != nil {
			t.Errorf("burrow %s: %v", strings.Join(tc.args, " "), err)
			continue
		}
		r := cli.Run
		if tc.args[0] == "container" {
			r = cli.Container.Run
		}
		if r.Interactive != tc.interactive || r.TTY != tc.tty || !reflect.DeepEqual(r.Env, tc.env) || !reflect.DeepEqual(r.Args, tc.cmd) {
			t.Errorf("burrow %s: -i %v -t %v -e %q args %q", strings.Join(tc.args, " "), r.Interactive, r.TTY, r.Env, r.Args)
		}
	}
}
