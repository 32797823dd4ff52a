package tests

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// eventsOf is what `burrow events --stream=false` prints with the filters
// and a --format template, as lines.
func eventsOf(t *testing.T, format string, filters ...string) []string {
	t.Helper()
	args := []string{"events", "--stream=false", "--format", format}
	for _, f := range filters {
		args = append(args, "--filter", f)
	}
	return nonEmptyLines(must(t, args...))
}

// A foreground run --rm tells its whole life, with the container's labels
// on each event and the exit code on died, once; podman's human form
// lists the image, name and labels.
func TestEventsContainerLife(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	img := busyboxImage(t)
	r := burrow(t, "run", "--rm", "--name", name, "--label", "team=blue sky", img, "sh", "-c", "exit 17")
	if r.ExitCode != 17 {
		t.Fatalf("run: %s", describe(r))
	}
	got := eventsOf(t, "{{.Status}} {{.ContainerExitCode}} {{.Attributes.team}}", "container="+name)
	want := []string{"create 0 blue sky", "init 0 blue sky", "start 0 blue sky", "attach 0 blue sky", "died 17 blue sky", "cleanup 0 blue sky", "remove 0 blue sky"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events of run --rm:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	human := must(t, "events", "--stream=false", "--filter", "container="+name, "--filter", "event=start", "--no-trunc=false")
	if !strings.Contains(human, " container start ") || !strings.Contains(human, "(image="+img+", name="+name+", team=blue sky)") {
		t.Errorf("the human form of start: %q", human)
	}
}

// A detached container's exit is recorded by its monitor's cleanup with
// no CLI running, once: readers that find it exited add none.
func TestEventsDetachedDied(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	id := runDetached(t, name, nil, "sh", "-c", "sleep 1; exit 3")
	must(t, "wait", name)
	var died []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if died = eventsOf(t, "{{.ID}} {{.ContainerExitCode}}", "container="+name, "event=died"); len(died) > 0 {
			break
		}
	}
	must(t, "ps", "-a", "--filter", "name="+name)
	must(t, "inspect", name)
	must(t, "start", name)
	must(t, "wait", name)
	time.Sleep(500 * time.Millisecond) // the second exit's cleanup
	died = eventsOf(t, "{{.ID}} {{.ContainerExitCode}}", "container="+name, "event=died")
	if want := id + " 3"; len(died) != 2 || died[0] != want || died[1] != want {
		t.Errorf("died events of two runs: %q, want two of %q", died, want)
	}
	// rm right after the exit, before the monitor's cleanup may have
	// recorded it: one died event still, with its code.
	quick := ctrName(t)
	runDetached(t, quick, nil, "sh", "-c", "exit 4")
	must(t, "wait", quick)
	must(t, "rm", quick)
	time.Sleep(time.Second) // a late cleanup would add its own
	if died := eventsOf(t, "{{.Status}} {{.ContainerExitCode}}", "container="+quick, "event=died"); len(died) != 1 || died[0] != "died 4" {
		t.Errorf("died events of a container removed at its exit: %q, want one of code 4", died)
	}
	// The same key twice is either; different keys all.
	other := ctrName(t)
	must(t, "create", "--name", other, busyboxImage(t), "true")
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", other) })
	got := eventsOf(t, "{{.Name}} {{.Status}}", "container="+name, "container="+other, "event=create")
	if strings.Join(got, ",") != name+" create,"+other+" create" {
		t.Errorf("two containers' create: %q", got)
	}
}

// A stream prints events as they happen; the none backend refuses to
// read, as podman's.
func TestEventsStreamAndBackends(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	cmd := exec.Command(burrowBin(t), "events", "--filter", "container="+name, "--format", "{{.Status}} {{.Name}}")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lines := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	time.Sleep(300 * time.Millisecond)
	must(t, "create", "--name", name, busyboxImage(t), "true")
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	select {
	case l := <-lines:
		if l != "create "+name {
			t.Errorf("the stream's first event: %q", l)
		}
	case <-time.After(10 * time.Second):
		t.Error("the stream printed no create event")
	}
	for _, args := range [][]string{{"--events-backend", "none", "events"}, {"--events-backend=none", "events", "--stream=false"}} {
		r := burrow(t, args...)
		if r.ExitCode != 125 || strings.TrimSpace(r.Stderr) != `Error: cannot read events with the "none" backend` {
			t.Errorf("burrow %v: %s", args, describe(r))
		}
	}
	if r := burrow(t, "events", "--stream=false", "--filter", "color=red"); r.ExitCode != 125 {
		t.Errorf("an unknown filter: %s", describe(r))
	}
}

// containers.conf's events_logfile_path takes the events, and push takes
// a destination with a transport, as podman's.
func TestEventsLogfilePathAndPushDir(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	dir := t.TempDir()
	log, conf, pushed := filepath.Join(dir, "events.log"), filepath.Join(dir, "containers.conf"), filepath.Join(dir, "pushed")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("[engine]\nevents_logfile_path=%q\n", log)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "CONTAINERS_CONF="+conf)
	if r := burrowEnv(t, env, "push", img, "dir:"+pushed); r.ExitCode != 0 {
		t.Fatalf("push to dir: %s", describe(r))
	}
	if _, err := os.Stat(filepath.Join(pushed, "manifest.json")); err != nil {
		t.Errorf("push to dir: wrote no manifest: %v", err)
	}
	b, err := os.ReadFile(log)
	if err != nil || !strings.Contains(string(b), `"Name":"dir:`+pushed+`"`) || !strings.Contains(string(b), `"Status":"push"`) {
		t.Errorf("events_logfile_path holds %q (%v); want the push", b, err)
	}
	r := burrowEnv(t, env, "events", "--stream=false", "--filter", "type=image", "--format", "{{.Status}}--{{.Name}}")
	if strings.TrimSpace(r.Stdout) != "push--dir:"+pushed {
		t.Errorf("events from events_logfile_path: %s", describe(r))
	}
}
