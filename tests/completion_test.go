package tests

import (
	"slices"
	"strings"
	"testing"
)

// completeNoDesc runs `burrow __completeNoDesc ARGS...` as podman's
// completion scripts do, and returns the candidates and the directive
// line; stderr must say the directive.
func completeNoDesc(t *testing.T, args ...string) (cands []string, directive string) {
	t.Helper()
	r := burrow(t, append([]string{"__completeNoDesc"}, args...)...)
	if r.ExitCode != 0 || !strings.Contains(r.Stderr, "Completion ended with directive: ShellCompDirective") {
		t.Fatalf("__completeNoDesc %q:\n%s", args, describe(r))
	}
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

// TestCompleteContainersByState: each command offers the containers it
// can act on, the ones in the state it needs.
func TestCompleteContainersByState(t *testing.T) {
	t.Parallel()
	base := ctrName(t)
	made, up := base+"-made", base+"-up"
	createCtr(t, made, nil, "true")
	runDetached(t, up, nil, "sleep", "1000")
	for _, tc := range []struct {
		cmd      []string
		has, not string
	}{
		{[]string{"start"}, made, up},
		{[]string{"stop"}, up, made},
		{[]string{"container", "exec"}, up, made},
		{[]string{"rm"}, made, ""},
		{[]string{"rm"}, up, ""},
	} {
		cands, directive := completeNoDesc(t, append(tc.cmd, base)...)
		if !slices.Contains(cands, tc.has) || (tc.not != "" && slices.Contains(cands, tc.not)) {
			t.Errorf("%v %s: %q, want %s and not %q", tc.cmd, base, cands, tc.has, tc.not)
		}
		if directive != ":4" {
			t.Errorf("%v: directive %s, want :4 (no file names)", tc.cmd, directive)
		}
	}
	// cp offers NAME: and, after the colon, the container's own files.
	if cands, directive := completeNoDesc(t, "cp", up); !slices.Contains(cands, up+":") || directive != ":2" {
		t.Errorf("cp %s: %q %s, want %s: and :2 (no space)", up, cands, directive, up+":")
	}
	if cands, _ := completeNoDesc(t, "cp", made+":/et"); !slices.Equal(cands, []string{made + ":/etc/"}) {
		t.Errorf("cp %s:/et: %q", made, cands)
	}
}

// TestCompletePathsInImage: run IMAGE <path> completes inside the image's
// root, and ../../ climbs no higher than that root.
func TestCompletePathsInImage(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	root, _ := completeNoDesc(t, "run", img, "")
	if !slices.Contains(root, "/etc/") || !slices.Contains(root, "/bin/") {
		t.Fatalf("run %s '': %q, want the image's /etc/ and /bin/", img, root)
	}
	if cands, _ := completeNoDesc(t, "create", img, "/etc/pass"); !slices.Equal(cands, []string{"/etc/passwd"}) {
		t.Errorf("create %s /etc/pass: %q", img, cands)
	}
	up, _ := completeNoDesc(t, "run", img, "../../../../")
	var want []string
	for _, c := range root {
		want = append(want, "../../../.."+c)
	}
	if !slices.Equal(up, want) {
		t.Errorf("run %s ../../../../: %q, want the image's root %q", img, up, want)
	}
}

// TestCompleteFlagsAndCommands: -- offers every flag of the command, a
// group its subcommands.
func TestCompleteFlagsAndCommands(t *testing.T) {
	t.Parallel()
	flags, directive := completeNoDesc(t, "run", "--")
	if len(flags) < 50 || !slices.Contains(flags, "--rm") || directive != ":4" {
		t.Errorf("run --: %d flags, %s", len(flags), directive)
	}
	if cands, _ := completeNoDesc(t, "pod", "st"); !slices.Equal(cands, []string{"start", "stats", "stop"}) {
		t.Errorf("pod st: %q", cands)
	}
}
