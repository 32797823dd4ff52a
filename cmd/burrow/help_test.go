package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

func testParser(t *testing.T) *kong.Kong {
	t.Helper()
	os.Args[0] = "/usr/bin/burrow" // the name messages use
	var cli CLI
	p, err := kong.New(&cli, kong.Name("podman"), kong.NoDefaultHelp(), kong.Exit(func(int) {}),
		kong.WithHyphenPrefixedParameters(true))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSynopses checks every command's usage line as podman's own help test
// does: arguments in capitals, optional ones after required ones.
func TestSynopses(t *testing.T) {
	p := testParser(t)
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, ch := range subcommands(n) {
			u := synopsis(ch)
			rest := strings.TrimPrefix(u, commandPath(ch))
			rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), "[options]"))
			if isGroup(ch) {
				if rest != "[command]" {
					t.Errorf("%s: a group's usage ends in [command]: %q", commandPath(ch), u)
				}
				walk(ch)
				continue
			}
			if rest == "[command]" {
				continue // help
			}
			if regexp.MustCompile(`[a-z]`).MatchString(rest) {
				t.Errorf("%q: argument names must be upper case", u)
			}
			if regexp.MustCompile(`\[.*\] [A-Z]`).MatchString(rest) {
				t.Errorf("%q: optional arguments must come after required ones", u)
			}
		}
	}
	walk(p.Model.Node)
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"ps", "x"}, `"burrow ps" takes no arguments`},
		{[]string{"rename", "a", "b", "c"}, `"burrow rename" accepts 2 arg(s), received 3`},
		{[]string{"rename"}, `"burrow rename" requires at least 2 arg(s), only received 0`},
		{[]string{"ps", "--nope"}, "unknown flag: --nope\nSee 'burrow ps --help'"},
		{[]string{"container", "nope"}, "unrecognized command `burrow container nope`"},
		{[]string{"container"}, "missing command 'burrow container COMMAND'"},
	}
	for _, c := range cases {
		p := testParser(t)
		_, err := p.Parse(c.args)
		if err == nil {
			t.Errorf("%q parsed", c.args)
			continue
		}
		if got := usageError(err).Error(); !strings.HasPrefix(got, c.want) {
			t.Errorf("%q: %q, want %q", c.args, got, c.want)
		}
	}
}
