package engine

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/types"

	"github.com/burrow-containers/burrow/errdefs"
)

func TestParseIPC(t *testing.T) {
	for _, in := range []string{"", "host", "none", "private", "shareable", "container:web"} {
		if got, err := ParseIPC(in); err != nil || got != in {
			t.Errorf("ParseIPC(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"container:", "ns:/proc/1/ns/ipc", "Host", "bogus"} {
		if _, err := ParseIPC(in); !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("ParseIPC(%q): want an invalid-argument error, got %v", in, err)
		}
	}
}

// Each mode changes the default /dev/shm and /dev/mqueue as podman's.
func TestIPCMounts(t *testing.T) {
	e := &Engine{opts: types.StoreOptions{RunRoot: "/run/user/1000/containers"}}
	find := func(ms []specs.Mount, dest string) *specs.Mount {
		for i := range ms {
			if ms[i].Destination == dest {
				return &ms[i]
			}
		}
		return nil
	}
	for mode, want := range map[string]string{"": "tmpfs", "private": "tmpfs", "none": "", "host": "bind", "shareable": "bind"} {
		ms := e.ipcMounts("abc", &Config{IPC: mode}, defaultMounts(false, 0))
		got := ""
		if m := find(ms, "/dev/shm"); m != nil {
			got = m.Type
		}
		if got != want {
			t.Errorf("--ipc %q: /dev/shm is %q, want %q", mode, got, want)
		}
	}
	if m := find(e.ipcMounts("abc", &Config{IPC: "shareable"}, defaultMounts(false, 0)), "/dev/shm"); m.Source != e.podShmPath("abc") {
		t.Errorf("a shareable container's /dev/shm is %s, want its tmpfs in burrow's mount namespace", m.Source)
	}
	if m := find(e.ipcMounts("abc", &Config{IPC: "host"}, defaultMounts(false, 0)), "/dev/mqueue"); m != nil && m.Type == "mqueue" {
		t.Error("--ipc host mounts a message queue filesystem, which a rootless user cannot for the host's namespace")
	}
}

func TestIPCJoinable(t *testing.T) {
	for mode, want := range map[string]bool{"": true, "shareable": true, "host": true, "private": false, "none": false} {
		if got := ipcJoinable(&Config{IPC: mode}); got != want {
			t.Errorf("ipcJoinable(%q) = %v, want %v", mode, got, want)
		}
	}
	if InspectIpcMode(&Config{}) != "shareable" {
		t.Error("the default IPC mode is not shown as podman shows it, shareable")
	}
}

func TestCheckGroupAdd(t *testing.T) {
	if err := CheckGroupAdd([]string{"10", "wheel"}); err != nil {
		t.Errorf("CheckGroupAdd: %v", err)
	}
	if err := CheckGroupAdd([]string{"keep-groups", "10"}); !errdefs.Is(err, errdefs.ClassInvalid) || err.Error() != "the '--group-add keep-groups' option is not allowed with any other --group-add options" {
		t.Errorf("keep-groups with another group: %v", err)
	}
	if err := CheckGroupAdd([]string{"keep-groups"}); err == nil {
		t.Error("keep-groups is accepted, though burrow has no groups to keep")
	}
}
