package tests

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// --ipc and --group-add, as a user sees them from inside the containers.

// ipcNS is the IPC namespace of a process of a running container.
func ipcNS(t *testing.T, name string) string {
	t.Helper()
	return strings.TrimSpace(must(t, "exec", name, "readlink", "/proc/self/ns/ipc"))
}

func TestIPCModes(t *testing.T) {
	t.Parallel()
	host, err := os.Readlink("/proc/self/ns/ipc")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(shOut(t, "readlink /proc/self/ns/ipc", "--ipc=host")); got != host {
		t.Errorf("--ipc=host: the container's IPC namespace is %s, the host's %s", got, host)
	}
	if got := strings.TrimSpace(shOut(t, "readlink /proc/self/ns/ipc")); got == host {
		t.Error("a default container shares the host's IPC namespace")
	}
	r := runRm(t, busyboxImage(t), []string{"--ipc=none"}, "ls", "/dev/shm")
	if r.ExitCode != 1 || !strings.Contains(r.Stderr+r.Stdout, "No such file or directory") {
		t.Errorf("--ipc=none: want no /dev/shm, got:\n%s", describe(r))
	}
}

// A container joins the IPC namespace of a default (podman: shareable)
// one; a shareable one's /dev/shm is shared too; a private one is refused.
func TestIPCContainer(t *testing.T) {
	t.Parallel()
	runDetached(t, "ipc-donor", nil, "sleep", "300")
	runDetached(t, "ipc-shared", []string{"--ipc=shareable"}, "sleep", "300")
	privateID := runDetached(t, "ipc-private", []string{"--ipc=private"}, "sleep", "300")
	donor := ipcNS(t, "ipc-donor")
	if got := strings.TrimSpace(shOut(t, "readlink /proc/self/ns/ipc", "--ipc=container:ipc-donor")); got != donor {
		t.Errorf("--ipc=container:ipc-donor: namespace %s, the donor's %s", got, donor)
	}
	must(t, "exec", "ipc-shared", "sh", "-c", "echo from-donor > /dev/shm/seg")
	out := shOut(t, "readlink /proc/self/ns/ipc; cat /dev/shm/seg", "--ipc=container:ipc-shared")
	if want := ipcNS(t, "ipc-shared") + "\nfrom-donor\n"; out != want {
		t.Errorf("joining a shareable container: got %q, want %q (its namespace and /dev/shm)", out, want)
	}
	if got := inspectField(t, "ipc-donor", "{{.HostConfig.IpcMode}}"); got != "shareable" {
		t.Errorf("default IpcMode %q, want podman's shareable", got)
	}
	r := runRm(t, busyboxImage(t), []string{"--ipc=container:ipc-private"}, "true")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, "joining IPC of container "+privateID+" is not allowed: non-shareable IPC (hint: use IpcMode:shareable for the donor container)") {
		t.Errorf("joining a private container: want podman's refusal, got:\n%s", describe(r))
	}
	// The donor cannot go while a container joins it.
	must(t, "create", "--name", "ipc-joiner", "--ipc=container:ipc-donor", busyboxImage(t), "true")
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", "ipc-joiner") })
	if got := inspectField(t, "ipc-joiner", "{{.HostConfig.IpcMode}}"); !strings.HasPrefix(got, "container:") || len(got) != len("container:")+64 {
		t.Errorf("a joiner's IpcMode %q, want container:FULL-ID", got)
	}
	if r := burrow(t, "rm", "-f", "-t", "0", "ipc-donor"); r.ExitCode == 0 || !strings.Contains(r.Stderr, "dependent containers") {
		t.Errorf("removing a container another joins: want a refusal, got:\n%s", describe(r))
	}
}

func TestGroupAdd(t *testing.T) {
	t.Parallel()
	out := shOut(t, "id -G", "--group-add", "457", "--group-add", "nogroup")
	if got := strings.Fields(out); len(got) != 3 || got[0] != "0" || got[1] != "457" || got[2] != "65534" {
		t.Errorf("--group-add 457 --group-add nogroup: id -G says %q, want 0 457 65534", out)
	}
	r := runRm(t, busyboxImage(t), []string{"--group-add", "keep-groups", "--group-add", "457"}, "id")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, "the '--group-add keep-groups' option is not allowed with any other --group-add options") {
		t.Errorf("keep-groups with another group: want podman's refusal, got:\n%s", describe(r))
	}
	r = runRm(t, busyboxImage(t), []string{"--group-add", "no-such-group"}, "id")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, "no-such-group") {
		t.Errorf("an unknown group name: want exit 125 naming it, got:\n%s", describe(r))
	}
	must(t, "create", "--name", "groupadd-inspect", "--group-add", "10", busyboxImage(t), "true")
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", "groupadd-inspect") })
	if got := inspectField(t, "groupadd-inspect", "{{.HostConfig.GroupAdd}}"); got != "[10]" {
		t.Errorf("HostConfig.GroupAdd %q, want [10]", got)
	}
}

// The API's HostConfig.IpcMode and GroupAdd reach the container and
// inspect, as dockerd's.
func TestAPIIpcModeAndGroupAdd(t *testing.T) {
	t.Parallel()
	cli, ctx := sdkClient(t, apiService(t), 2*time.Minute)
	img := busyboxImage(t)
	donor := runDetached(t, ctrName(t), nil, "sleep", "300")
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name,
		Config:     &container.Config{Image: img, Cmd: []string{"sh", "-c", "readlink /proc/self/ns/ipc; id -G"}},
		HostConfig: &container.HostConfig{IpcMode: container.IpcMode("container:" + donor), GroupAdd: []string{"457"}},
	})
	if err != nil {
		t.Fatalf("create with IpcMode container: and GroupAdd: %v", err)
	}
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	must(t, "wait", name)
	if got, want := must(t, "logs", name), ipcNS(t, donor)+"\n0 457\n"; got != want {
		t.Errorf("the container's IPC namespace and groups: %q, want %q", got, want)
	}
	info, err := cli.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if hc := info.Container.HostConfig; string(hc.IpcMode) != "container:"+donor || len(hc.GroupAdd) != 1 || hc.GroupAdd[0] != "457" {
		t.Errorf("inspect: IpcMode %q, GroupAdd %v", hc.IpcMode, hc.GroupAdd)
	}
}
