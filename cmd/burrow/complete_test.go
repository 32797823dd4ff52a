package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// fixedSource is a candidateSource of a few known objects.
type fixedSource struct{ root string }

func (fixedSource) containers() []containerName {
	return []containerName{
		{id: "aaaa1111bbbb2222", name: "made", state: "created"},
		{id: "cccc3333dddd4444", name: "up", state: "running", pod: "p1"},
		{id: "eeee5555ffff6666", name: "frozen", state: statusPaused},
		{id: "abab7777cdcd8888", name: "done", state: "exited"},
	}
}

func (fixedSource) pods() []podName {
	return []podName{{id: "1111", name: "p1", state: "Running"}, {id: "2222", name: "p2", state: "Exited"}}
}

func (fixedSource) images() []imageName {
	return []imageName{{id: "0123456789abcdef", names: []string{"quay.io/libpod/alpine:latest", "localhost/mine:v1"}}}
}

func (fixedSource) networks() []idName { return []idName{{id: "9999", name: "net1"}} }
func (fixedSource) volumes() []string  { return []string{"vol1"} }
func (fixedSource) registries() []string {
	return []string{"quay.io", "docker.io"}
}
func (fixedSource) secrets() []idName { return nil }
func (s fixedSource) imagePaths(_, toComplete string) completion {
	return pathCompletion(s.root, toComplete)
}
func (s fixedSource) containerPaths(_, toComplete string) completion {
	return pathCompletion(s.root, toComplete)
}

// completeLine completes a command line as `burrow __completeNoDesc`
// would, with the fixed source, and returns the protocol's output.
func completeLine(t *testing.T, src candidateSource, args ...string) (stdout, stderr string) {
	t.Helper()
	exit := -1
	parser, err := kong.New(&CLI{}, cliOptions(&exit)...)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	writeCompletion(&out, &errOut, parseCompleteRequest(parser.Model.Node, args).complete(src), false)
	return out.String(), errOut.String()
}

func TestCompleteProtocol(t *testing.T) {
	var out, errOut bytes.Buffer
	comp := completion{cands: []candidate{{"a", "first"}, {"b", ""}}, directive: compNoSpace | compNoFileComp}
	writeCompletion(&out, &errOut, comp, true)
	if got, want := out.String(), "a\tfirst\nb\n:6\n"; got != want {
		t.Errorf("with descriptions: %q, want %q", got, want)
	}
	if got, want := errOut.String(), "Completion ended with directive: ShellCompDirectiveNoSpace, ShellCompDirectiveNoFileComp\n"; got != want {
		t.Errorf("stderr: %q, want %q", got, want)
	}
	out.Reset()
	writeCompletion(&out, &errOut, comp, false)
	if got, want := out.String(), "a\nb\n:6\n"; got != want {
		t.Errorf("without descriptions: %q, want %q", got, want)
	}
	if got := compDefault.String(); got != "ShellCompDirectiveDefault" {
		t.Errorf("default directive: %q", got)
	}
}

func TestCompleteCommands(t *testing.T) {
	src := fixedSource{}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"unpause", ""}, "frozen\n:4\n"},
		{[]string{"start", ""}, "made\ndone\n:4\n"},
		{[]string{"container", "start", "--all", ""}, "made\ndone\n:4\n"},
		{[]string{"rm", "ab"}, "abab7777cdcd\n:4\n"},
		{[]string{"pod", "stop", ""}, "p1\n:4\n"},
		{[]string{"rename", "up", ""}, ":4\n"},
		{[]string{"network", "connect", ""}, "net1\n:4\n"},
		{[]string{"network", "connect", "net1", ""}, "made\nup\nfrozen\ndone\n:4\n"},
		{[]string{"volume", "rm", ""}, "vol1\n:4\n"},
		{[]string{"login", ""}, "quay.io\ndocker.io\n:4\n"},
		{[]string{"rmi", ""}, "quay.io/libpod/alpine:latest\nlocalhost/mine:v1\n:4\n"},
		{[]string{"rmi", "al"}, "alpine:latest\n:4\n"},
		{[]string{"rmi", "01"}, "0123456789ab\n:4\n"},
		{[]string{"run", "--pull", "n"}, "never\nnewer\n:4\n"},
		{[]string{"run", "--pull=m"}, "missing\n:4\n"},
		{[]string{"cp", ""}, "made:\nup:\nfrozen:\ndone:\n:2\n"},
		{[]string{"cp", "a", "b", ""}, ":4\n"},
		{[]string{"exec", "up", ""}, ":0\n"},
		{[]string{"exec", "up", "ls", "-"}, ":0\n"},
		{[]string{"kube", "play", ""}, ":0\n"},
		{[]string{"run", "--rootfs", ""}, ":16\n"},
		{[]string{"completion", "z"}, "zsh\n:4\n"},
		{[]string{"net"}, "network\n:4\n"},
	} {
		out, _ := completeLine(t, src, tc.args...)
		if out != tc.want {
			t.Errorf("%q: %q, want %q", tc.args, out, tc.want)
		}
	}
}

func TestCompleteFlags(t *testing.T) {
	out, errOut := completeLine(t, fixedSource{}, "stop", "--")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if !slices.Contains(lines, "--time") || !slices.Contains(lines, "--all") || !slices.Contains(lines, "--help") {
		t.Errorf("stop's flags missing: %q", lines)
	}
	if !slices.Contains(lines, "--root") {
		t.Errorf("global flags missing: %q", lines)
	}
	if slices.ContainsFunc(lines[:len(lines)-1], func(l string) bool { return !strings.HasPrefix(l, "--") }) {
		t.Errorf("not a flag among --'s completions: %q", lines)
	}
	if lines[len(lines)-1] != ":4" || !strings.Contains(errOut, "ShellCompDirectiveNoFileComp") {
		t.Errorf("directive: %q %q", lines[len(lines)-1], errOut)
	}
	// A flag given once is not offered again; descriptions come along.
	exit := -1
	parser, _ := kong.New(&CLI{}, cliOptions(&exit)...)
	var buf, errBuf bytes.Buffer
	writeCompletion(&buf, &errBuf, parseCompleteRequest(parser.Model.Node, []string{"stop", "--all", "--a"}).complete(fixedSource{}), true)
	if strings.Contains(buf.String(), "--all") {
		t.Errorf("--all offered twice: %q", buf.String())
	}
	buf.Reset()
	writeCompletion(&buf, &errBuf, parseCompleteRequest(parser.Model.Node, []string{"stop", "--ti"}).complete(fixedSource{}), true)
	if !strings.HasPrefix(buf.String(), "--time\t") {
		t.Errorf("no description: %q", buf.String())
	}
}

// imageRoot makes a small root filesystem beside a host directory that
// only the host has.
func imageRoot(t *testing.T) (root string) {
	t.Helper()
	top := t.TempDir()
	root = filepath.Join(top, "a", "b", "root")
	for _, d := range []string{"etc", "home", "root", "emptydir", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"etc/os-release", "tmp/file", "tmp/file2"} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(top, "hostonly"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/", filepath.Join(root, "tohost")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../..", filepath.Join(root, "up")); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestPathCompletion(t *testing.T) {
	root := imageRoot(t)
	// rootEntries are the root's entries as offered after prefix.
	rootEntries := func(prefix string) []string {
		var out []string
		for _, e := range []string{"emptydir/", "etc/", "home/", "root/", "tmp/", "tohost", "up"} {
			out = append(out, prefix+e)
		}
		return out
	}
	for _, tc := range []struct {
		typed     string
		want      []string
		directive compDirective
	}{
		{"", rootEntries("/"), compNoSpace},
		{"/etc", []string{"/etc/os-release"}, compDefault},
		{"/etc/os-", []string{"/etc/os-release"}, compDefault},
		{"/tmp/file", []string{"/tmp/file", "/tmp/file2"}, compNoSpace},
		{"/emptydir", []string{"/emptydir/"}, compNoSpace},
		{"/ho", []string{"/home/"}, compNoSpace},
		{"/nothere/x", nil, compDefault},
		// Relative paths and links resolve inside the root, never to
		// the host's directories above it.
		{"../../", rootEntries("../../"), compNoSpace},
		{"../../../../../../", rootEntries("../../../../../../"), compNoSpace},
		{"/tohost/", rootEntries("/tohost/"), compNoSpace},
		{"/up/", rootEntries("/up/"), compNoSpace},
		{"/up/../../", rootEntries("/up/../../"), compNoSpace},
	} {
		comp := pathCompletion(root, tc.typed)
		var got []string
		for _, c := range comp.cands {
			got = append(got, c.value)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: %q, want %q", tc.typed, got, tc.want)
		}
		if comp.directive != tc.directive {
			t.Errorf("%q: directive %v, want %v", tc.typed, comp.directive, tc.directive)
		}
	}
}

func TestCompleteImagePaths(t *testing.T) {
	src := fixedSource{root: imageRoot(t)}
	out, _ := completeLine(t, src, "run", "alpine", "/etc")
	if out != "/etc/os-release\n:0\n" {
		t.Errorf("run alpine /etc: %q", out)
	}
	out, _ = completeLine(t, src, "cp", "up:/emptydir")
	if out != "up:/emptydir/\n:2\n" {
		t.Errorf("cp up:/emptydir: %q", out)
	}
}
