package tests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// The process a run starts, as podman's run starts it: its working
// directory, the descriptors passed on to it, an init as PID 1, and what
// the runtime takes.

func TestRunWorkdirMustExist(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	r := burrow(t, "run", "--rm", "-w", "/no/such/dir", img, "pwd")
	if r.ExitCode != 126 || !regexp.MustCompile(`Error: workdir "/no/such/dir" does not exist on container [0-9a-f]{64}\n$`).MatchString(r.Stderr) {
		t.Errorf("run -w of a directory missing in the image: want exit 126 and podman's message, got:\n%s", describe(r))
	}
	r = burrow(t, "run", "--rm", "-w", "/etc/passwd", img, "pwd")
	if r.ExitCode != 126 || !strings.Contains(r.Stderr, `workdir "/etc/passwd" exists on container `) || !strings.Contains(r.Stderr, "but is not a directory") {
		t.Errorf("run -w of a file: want exit 126 and podman's message, got:\n%s", describe(r))
	}
	// On a mount, below one or above one, the mounts make it.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "content"), []byte("on the volume\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := mustRun(t, img, []string{"-w", "/notinimage", "-v", dir + ":/notinimage"}, "cat", "content"); got != "on the volume\n" {
		t.Errorf("-w on a volume: %q", got)
	}
	if got := mustRun(t, img, []string{"-w", "/above", "-v", filepath.Join(dir, "content") + ":/above/foo"}, "cat", "foo"); got != "on the volume\n" {
		t.Errorf("-w above a mount: %q", got)
	}
	if got := mustRun(t, img, []string{"-w", "/dev/made"}, "pwd"); got != "/dev/made\n" {
		t.Errorf("-w below the /dev mount: %q", got)
	}
	// The image's own working directory is made when missing.
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	must(t, "create", "--name", name, img, "true")
	ref := "localhost/workdir-" + randHex()[:8]
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	must(t, "commit", "-q", "--change", "WORKDIR /made/by/run", name, ref)
	if got := mustRun(t, ref, nil, "pwd"); got != "/made/by/run\n" {
		t.Errorf("the image's missing WORKDIR: %q, want it made", got)
	}
}

// burrowWithFiles runs burrow with files as its descriptors 3, 4, ...
func burrowWithFiles(t *testing.T, files []*os.File, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, burrowBin(t), args...)
	cmd.ExtraFiles = files
	return runCommand(t, cmd)
}

func TestRunPreserveFDs(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	dir := t.TempDir()
	var files []*os.File
	for i, text := range []string{"three\n", "four\n"} {
		p := filepath.Join(dir, string(rune('a'+i)))
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files = append(files, f)
	}
	r := burrowWithFiles(t, files, "run", "--rm", "--preserve-fds", "2", img, "sh", "-c", "cat <&3; cat <&4")
	if r.ExitCode != 0 || r.Stdout != "three\nfour\n" {
		t.Errorf("run --preserve-fds 2: the process reads its 3 and 4:\n%s", describe(r))
	}
	// Only those asked for (the descriptors share their offsets with the
	// container's: read again from the start).
	for _, f := range files {
		if _, err := f.Seek(0, 0); err != nil {
			t.Fatal(err)
		}
	}
	r = burrowWithFiles(t, files, "run", "--rm", "--preserve-fds", "1", img, "sh", "-c", "cat <&3; if test -e /proc/self/fd/4; then echo leaked; fi")
	if r.ExitCode != 0 || r.Stdout != "three\n" {
		t.Errorf("run --preserve-fds 1: fd 3 only:\n%s", describe(r))
	}
	wantFail(t, 125, "Error: file descriptor 3 is not available - the preserve-fds option requires that file descriptors must be passed",
		"run", "--rm", "--preserve-fds", "1", img, "true")
}

func TestRunInit(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	out := mustRun(t, img, []string{"--init"}, "sh", "-c", `tr "\0" " " </proc/1/cmdline; echo; echo $$`)
	if lines := nonEmptyLines(out); len(lines) != 2 || !strings.HasPrefix(lines[0], "/run/podman-init -- sh -c") || lines[1] == "1" {
		t.Errorf("run --init: PID 1 is the init with the command after --, the command another PID:\n%s", out)
	}
	if r := runRm(t, img, []string{"--init"}, "sh", "-c", "exit 7"); r.ExitCode != 7 {
		t.Errorf("run --init: the command's exit code: %s", describe(r))
	}
	name := ctrName(t)
	runDetached(t, name, []string{"--init"}, "sleep", "1000")
	if got := must(t, "ps", "--filter", "name=^"+name+"$", "--format", "{{.Command}}"); got != "sleep 1000\n" {
		t.Errorf("ps shows the command, not the init: %q", got)
	}
	if got := must(t, "inspect", "--format", "{{.Path}} {{.Args}} {{.HostConfig.Init}}", name); got != "/run/podman-init [-- sleep 1000] true\n" {
		t.Errorf("inspect of a container with --init: %q", got)
	}
	if got := must(t, "exec", name, "echo", "exec works"); got != "exec works\n" {
		t.Errorf("exec under --init: %q", got)
	}
	// sleep ignores SIGTERM as PID 1; under the init it gets it and ends.
	start := time.Now()
	must(t, "stop", name)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("stop under --init took %v: the init did not pass SIGTERM on", d)
	}
	if got := must(t, "inspect", "--format", "{{.State.ExitCode}}", name); got != "143\n" {
		t.Errorf("exit code after stop under --init: %q, want 143 (SIGTERM)", got)
	}
	wantFail(t, 125, "Error: container-init binary not found on the host: stat /no/such/init: no such file or directory",
		"run", "--rm", "--init", "--init-path", "/no/such/init", img, "true")
}

// HostConfig.Init, as docker run --init sends it, through the Docker Go SDK.
func TestAPICreateInit(t *testing.T) {
	t.Parallel()
	cli, ctx := sdkClient(t, apiService(t), 2*time.Minute)
	img := busyboxImage(t)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	init := true
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:       name,
		Config:     &container.Config{Image: img, Cmd: []string{"sh", "-c", `tr "\0" " " </proc/1/cmdline; exit 3`}},
		HostConfig: &container.HostConfig{Init: &init},
	})
	if err != nil {
		t.Fatalf("create with HostConfig.Init: %v", err)
	}
	wait := cli.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	select {
	case res := <-wait.Result:
		if res.StatusCode != 3 {
			t.Errorf("exit code under the init: %d, want the command's 3", res.StatusCode)
		}
	case err := <-wait.Error:
		t.Fatalf("wait: %v", err)
	}
	logs, err := cli.ContainerLogs(ctx, created.ID, client.ContainerLogsOptions{ShowStdout: true})
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	var stdout, stderr bytes.Buffer
	stdcopy.StdCopy(&stdout, &stderr, logs)
	logs.Close()
	if !strings.HasPrefix(stdout.String(), "/run/podman-init -- sh -c") {
		t.Errorf("PID 1 under HostConfig.Init: %q", stdout.String())
	}
	ins, err := cli.ContainerInspect(ctx, created.ID, client.ContainerInspectOptions{})
	if err != nil || ins.Container.HostConfig.Init == nil || !*ins.Container.HostConfig.Init {
		t.Errorf("inspect's HostConfig.Init: %+v, %v", ins.Container.HostConfig, err)
	}
}

func TestRuntimeFlagAndTopDescriptors(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	r := burrow(t, "--runtime-flag", "invalidflag", "run", "--rm", img, "true")
	if r.ExitCode != 126 || !strings.Contains(r.Stderr, "invalidflag") {
		t.Errorf("--runtime-flag on run: want exit 126 naming the flag, as podman's runtime fails:\n%s", describe(r))
	}
	if r := burrow(t, "--runtime-flag", "invalidflag", "ps"); r.ExitCode != 0 {
		t.Errorf("--runtime-flag on ps, which runs nothing: %s", describe(r))
	}
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "1000")
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	out := must(t, "top", name, "huser,user")
	if lines := nonEmptyLines(out); len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "HUSER USER" || strings.Join(strings.Fields(lines[1]), " ") != me.Username+" root" {
		t.Errorf("top %s huser,user: the host's user and the container's:\n%s", name, out)
	}
	if r := burrow(t, "top", name, "nosuch"); r.ExitCode != 125 || !strings.Contains(r.Stderr, "unknown descriptor") {
		t.Errorf("top with an unknown descriptor: %s", describe(r))
	}
}

// run DOCKER-ARCHIVE copies the image in and runs it, as podman's does; a
// commit keeps the container's entrypoint.
func TestRunArchiveOfCommittedEntrypoint(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	must(t, "run", "--name", name, "--entrypoint", `["/bin/echo","from the entrypoint"]`, img)
	ref := "localhost/archived-" + randHex()[:8]
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	must(t, "commit", "-q", name, ref)
	archive := filepath.Join(t.TempDir(), "image.tar")
	must(t, "save", "-q", "-o", archive, ref)
	must(t, "rmi", ref)
	r := burrow(t, "run", "--rm", "docker-archive:"+archive)
	if r.ExitCode != 0 || r.Stdout != "from the entrypoint\n" || !strings.HasPrefix(r.Stderr, "Getting image source signatures") {
		t.Errorf("run docker-archive: of a committed container: want its entrypoint's words and the copy's progress:\n%s", describe(r))
	}
}
