package tests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// What burrow does for systemd as podman's does: the units of generate
// systemd, run by burrow itself; container runlabel; the socket
// activation a unit hands on. This machine runs no systemd: the units'
// commands are run here as systemd would run them.

// unitCommand reads a unit's KEY= command as systemd does: the lines
// joined, words split at blanks outside double quotes, %t, %n and the
// escapes %% and $$ resolved.
func unitCommand(t *testing.T, unit, key, runtimeDir, name string) []string {
	t.Helper()
	text := strings.ReplaceAll(unit, "\\\n\t", "")
	m := regexp.MustCompile(`(?m)^` + key + `=(.*)$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("the unit has no %s=:\n%s", key, unit)
	}
	line := strings.NewReplacer("%t", runtimeDir, "%n", name, "%%", "%", "$$", "$").Replace(m[1])
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '"':
			quoted, inWord = !quoted, true
		case c == '\\' && quoted && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
		case c == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// A --new unit's commands, run as systemd would run them, make, run and
// remove the container with burrow, with the create command's settings.
func TestGenerateSystemdNewRuns(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	must(t, "create", "--name", name, "--restart=on-failure:3", "-e", "GREETING=hello world", "--label", "from=unit", img,
		"sh", "-c", `echo "$GREETING 100%"; sleep 1000`)
	unit := must(t, "generate", "systemd", "--new", "--name", "-t", "2", name)
	for _, want := range []string{"# container-" + name + ".service\n", "Restart=on-failure\nStartLimitBurst=3\n", "TimeoutStopSec=62\n", "Type=notify\n",
		"ExecStart=" + burrowBin(t) + " run \\\n\t--cidfile=%t/%n.ctr-id \\\n\t--cgroups=no-conmon \\\n\t--rm \\\n\t--sdnotify=conmon \\\n\t-d \\\n\t--replace \\\n\t--name " + name + " \\\n\t-e \"GREETING=hello world\" \\\n"} {
		if !strings.Contains(unit, want) {
			t.Fatalf("generate systemd --new lacks %q:\n%s", want, unit)
		}
	}
	if strings.Contains(unit, "--restart") {
		t.Errorf("the unit's run keeps --restart, which systemd's Restart= replaces:\n%s", unit)
	}
	must(t, "rm", name)
	dir := t.TempDir()
	service := "container-" + name + ".service"
	for _, key := range []string{"ExecStartPre", "ExecStart"} {
		args := unitCommand(t, unit, key, dir, service)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("the unit's %s %q: %v\n%s", key, args, err, out)
		}
	}
	id, err := os.ReadFile(filepath.Join(dir, service+".ctr-id"))
	if err != nil {
		t.Fatalf("the unit's run wrote no --cidfile: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(must(t, "logs", name), "hello world 100%") && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if got := must(t, "inspect", "--format", "{{.ID}} {{.State.Status}} {{index .Config.Labels \"from\"}}", name); got != string(id)+" running unit\n" {
		t.Errorf("the unit's container: %q (cidfile %s)", got, id)
	}
	if logs := must(t, "logs", name); logs != "hello world 100%\n" {
		t.Errorf("the unit's container printed %q", logs)
	}
	args := unitCommand(t, unit, "ExecStopPost", dir, service)
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("the unit's ExecStopPost %q: %v\n%s", args, err, out)
	}
	if r := burrow(t, "container", "exists", name); r.ExitCode != 1 {
		t.Errorf("the container is left after the unit's ExecStopPost: %s", describe(r))
	}
}

func TestGenerateSystemdErrors(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	createCtr(t, name, nil, "top")
	wantFail(t, 125, "Error: --template cannot be set with --new=false", "generate", "systemd", "--new=false", "--template", "-n", name)
	wantFail(t, 125, "Error: sometimes is not a valid restart policy", "generate", "systemd", "--restart-policy=sometimes", name)
	wantFail(t, 125, "Error: stop-timeout and time are redundant and cannot be used together", "generate", "systemd", "-t", "1", "--stop-timeout", "2", name)
	pod := ctrName(t)
	t.Cleanup(func() { burrow(t, "pod", "rm", "-f", "-t", "0", pod) })
	must(t, "pod", "create", "--name", pod)
	wantFail(t, 125, "Error: --template is not supported for pods", "generate", "systemd", "--new", "--template", "-n", pod)
	// A pod's units: the pod's first, then its containers', bound to it.
	must(t, "create", "--pod", pod, "--name", pod+"-c", busyboxImage(t), "top")
	dir := t.TempDir()
	cmd := exec.Command(burrowBin(t), "generate", "systemd", "--files", "--name", pod)
	cmd.Dir = dir
	r := runCommand(t, cmd)
	if want := dir + "/pod-" + pod + ".service\n" + dir + "/container-" + pod + "-c.service\n"; r.ExitCode != 0 || r.Stdout != want {
		t.Fatalf("generate systemd --files of a pod: want\n%s\ngot:\n%s", want, describe(r))
	}
	ctrUnit, err := os.ReadFile(filepath.Join(dir, "container-"+pod+"-c.service"))
	if err != nil || !strings.Contains(string(ctrUnit), "BindsTo=pod-"+pod+".service\nAfter=pod-"+pod+".service\n") {
		t.Errorf("the pod's container's unit is not bound to the pod's (%v):\n%s", err, ctrUnit)
	}
}

// runlabel prints, then runs, the command of an image's label, with
// burrow in podman's place.
func TestContainerRunlabel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	containerfile := "FROM " + busyboxImage(t) + "\n" +
		`LABEL INSTALL="podman run --rm -e NAME=\${NAME} \${IMAGE} echo installing \${OPT1}"` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "Containerfile"), []byte(containerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	tag := "localhost/runlabel-" + randHex()[:8]
	t.Cleanup(func() { burrow(t, "rmi", "-f", tag) })
	must(t, "build", "-q", "-t", tag, dir)
	base := strings.TrimPrefix(tag, "localhost/")
	want := "command: " + burrowBin(t) + " run --rm -e NAME=" + base + " " + tag + ":latest echo installing now\n"
	if got := must(t, "container", "runlabel", "--display", "--opt1=now", "install", tag); got != want {
		t.Errorf("runlabel --display:\n%q\nwant\n%q", got, want)
	}
	if got := must(t, "container", "runlabel", "--opt1=now", "install", tag); got != "installing now\n" {
		t.Errorf("runlabel install ran %q", got)
	}
	wantFail(t, 125, "Error: cannot find the value of label: run in image: "+tag, "container", "runlabel", "run", tag)
}

// A socket-activated run: the container gets systemd's LISTEN_* variables
// (LISTEN_PID its own, 1) and the listening descriptor as its fd 3.
func TestRunListenEnv(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	f, err := os.CreateTemp(t.TempDir(), "socket")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("passed on\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(burrowBin(t), "run", "--rm", img, "sh", "-c", "env | grep ^LISTEN_ | sort; cat <&3")
	cmd.Env = append(os.Environ(), "LISTEN_FDS=1", "LISTEN_PID=100", "LISTEN_FDNAMES=web")
	cmd.ExtraFiles = []*os.File{f}
	r := runCommand(t, cmd)
	if want := "LISTEN_FDNAMES=web\nLISTEN_FDS=1\nLISTEN_PID=1\npassed on\n"; r.ExitCode != 0 || r.Stdout != want {
		t.Errorf("run under socket activation: want\n%s\ngot:\n%s", want, describe(r))
	}
	if got := mustRun(t, img, nil, "sh", "-c", "env | grep ^LISTEN_ || echo none"); got != "none\n" {
		t.Errorf("a run without LISTEN_FDS: %q", got)
	}
}
