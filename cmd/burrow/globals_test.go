package main

import (
	"reflect"
	"testing"
)

func TestSplitRootOnly(t *testing.T) {
	takesValue := func(f string) bool { return f == "--log-level" || f == "--root" }
	cases := []struct {
		args    []string
		version bool
		remote  string
		rest    []string
	}{
		{args: []string{"-v"}, version: true, rest: []string{}},
		{args: []string{"--log-level", "debug", "--version"}, version: true, rest: []string{"--log-level", "debug"}},
		// after the command, -v is the command's (rm -v, run -v)
		{args: []string{"rm", "-v", "x"}, rest: []string{"rm", "-v", "x"}},
		{args: []string{"--root", "-v", "images"}, rest: []string{"--root", "-v", "images"}},
		{args: []string{"--url", "tcp://x", "ps"}, remote: "--url", rest: []string{"ps"}},
		{args: []string{"-H", "tcp://x", "info"}, remote: "--host", rest: []string{"info"}},
		{args: []string{"--host=tcp://x", "info"}, remote: "--host", rest: []string{"info"}},
		{args: []string{"--log-level=error", "--remote", "ps"}, remote: "--remote", rest: []string{"--log-level=error", "ps"}},
		{args: []string{"-c", "conn", "--connection=x", "ps", "-c"}, remote: "--connection", rest: []string{"ps", "-c"}},
		{args: []string{"-h"}, rest: []string{}},
	}
	for _, c := range cases {
		r, rest := splitRootOnly(c.args, takesValue)
		if r.version != c.version || r.remote != c.remote || !reflect.DeepEqual(rest, c.rest) {
			t.Errorf("%q: version %v remote %q rest %q; want %v %q %q", c.args, r.version, r.remote, rest, c.version, c.remote, c.rest)
		}
	}
}
