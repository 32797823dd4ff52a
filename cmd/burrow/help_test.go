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
		// -h is --hostname in run, create and pod create, as podman's;
		// a flag that ends the line without its value is named.
		{[]string{"run", "-h"}, "flag needs an argument: 'h' in -h\nSee 'burrow run --help'"},
		{[]string{"create", "-h"}, "flag needs an argument: 'h' in -h\nSee 'burrow create --help'"},
		{[]string{"pod", "create", "-h"}, "flag needs an argument: 'h' in -h\nSee 'burrow pod create --help'"},
		{[]string{"run", "--rm", "-dh"}, "flag needs an argument: 'h' in -dh\nSee 'burrow run --help'"},
		{[]string{"run", "--name"}, "flag needs an argument: --name\nSee 'burrow run --help'"},
		{[]string{"bad", "--invalid"}, "unknown flag: --invalid\nSee 'burrow --help'"},
		{[]string{"bad"}, "unrecognized command `burrow bad`"},
		{[]string{"pod", "create", "--name"}, "flag needs an argument: --name\nSee 'burrow pod create --help'"},
	}
	for _, c := range cases {
		p := testParser(t)
		ctx, err := p.Parse(c.args)
		if err == nil {
			err = checkFlagValues(ctx)
		}
		if err == nil {
			t.Errorf("%q parsed", c.args)
			continue
		}
		if got := usageError(err).Error(); !strings.HasPrefix(got, c.want) {
			t.Errorf("%q: %q, want %q", c.args, got, c.want)
		}
	}
}

// TestFlagValueOfContainerCommand: a flag that ends the container's
// command (run IMAGE ls -h) is the command's, not a flag missing its value.
func TestFlagValueOfContainerCommand(t *testing.T) {
	for _, args := range [][]string{{"run", "img", "ls", "-h"}, {"run", "-h", "box", "img", "ls", "--name"}, {"run", "--name=x", "img"}} {
		ctx, err := testParser(t).Parse(args)
		if err == nil {
			err = checkFlagValues(ctx)
		}
		if err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
}
