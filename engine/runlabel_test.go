package engine

import (
	"slices"
	"strings"
	"testing"
)

// The INSTALL label of podman's own runlabel test, with ${...} and bare
// words, and options some of which are not given.
func TestRunlabelCommand(t *testing.T) {
	label := `/usr/bin/podman  run  -t  -i  --rm  \${OPT1}  --privileged  -v /:/host -e NAME=\${NAME} -e IMAGE=\${IMAGE} -e CONFDIR=/etc/\${NAME} \${IMAGE} \${OPT2} /bin/install.sh \${OPT3}`
	label = strings.ReplaceAll(label, `\$`, `$`)
	o := RunlabelOptions{Executable: "/usr/bin/burrow", Name: "test1", Opt1: "o1", Opt2: "o2", Opt3: "o3"}
	got, err := runlabelCommand(label, "localhost/runlabel_image:latest", nil, o)
	if err != nil {
		t.Fatal(err)
	}
	want := "/usr/bin/burrow run -t -i --rm o1 --privileged -v /:/host -e NAME=test1 -e IMAGE=localhost/runlabel_image:latest -e CONFDIR=/etc/test1 localhost/runlabel_image:latest o2 /bin/install.sh o3"
	if strings.Join(got, " ") != want {
		t.Errorf("command:\n%s\nwant:\n%s", strings.Join(got, " "), want)
	}
	o = RunlabelOptions{Executable: "/usr/bin/burrow", Opt3: "o3"}
	got, err = runlabelCommand(label, "localhost/runlabel_image:latest", nil, o)
	if err != nil {
		t.Fatal(err)
	}
	want = "/usr/bin/burrow run -t -i --rm --privileged -v /:/host -e NAME=runlabel_image -e IMAGE=localhost/runlabel_image:latest -e CONFDIR=/etc/runlabel_image localhost/runlabel_image:latest /bin/install.sh o3"
	if strings.Join(got, " ") != want {
		t.Errorf("command without name, OPT1, OPT2:\n%s\nwant:\n%s", strings.Join(got, " "), want)
	}
}

// Bare IMAGE and NAME words, extra arguments, and a program that is not
// podman's left as it is. The command is split again after the
// expansion, as podman's is: an option's value may hold several words,
// and a quoted word of the label is split too.
func TestRunlabelWords(t *testing.T) {
	got, err := runlabelCommand(`docker run --name NAME IMAGE echo "a b"`, "quay.io/x/img@sha256:abc", []string{"extra"}, RunlabelOptions{Executable: "/b"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"/b", "run", "--name", "img", "quay.io/x/img@sha256:abc", "echo", "a", "b", "extra"}; !slices.Equal(got, want) {
		t.Errorf("command %q, want %q", got, want)
	}
	got, _ = runlabelCommand(`/bin/sh -c true`, "img", nil, RunlabelOptions{Executable: "/b"})
	if got[0] != "/bin/sh" {
		t.Errorf("program %q replaced", got[0])
	}
	if _, err := runlabelCommand(`"unterminated`, "img", nil, RunlabelOptions{}); err == nil {
		t.Error("an unterminated quote was taken")
	}
}
