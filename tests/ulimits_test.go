package tests

import (
	"strings"
	"testing"
)

// TestUlimitAndShmSize: --ulimit sets the container's resource limits and
// an exec's, nofile defaults to your hard limit for both soft and hard (as
// podman's), a limit above your hard one is the runtime's error (126),
// and --shm-size sizes /dev/shm; inspect shows both.
func TestUlimitAndShmSize(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	hard := strings.TrimSpace(must(t, "run", "--rm", img, "sh", "-c", "ulimit -Hn"))
	if got := strings.Fields(must(t, "run", "--rm", img, "sh", "-c", "ulimit -n; ulimit -Hn; df -k /dev/shm | tail -1")); len(got) < 3 || got[0] != hard || got[1] != hard || got[3] != "65536" {
		t.Errorf("default nofile soft and hard, /dev/shm size: %q; want both %s and 65536 kB", got, hard)
	}
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	must(t, "run", "-d", "--name", name, "--ulimit", "nofile=100:200", "--ulimit", "core=0", "--shm-size", "8m", img, "sleep", "300")
	if got := strings.Fields(must(t, "exec", name, "sh", "-c", "ulimit -n; ulimit -Hn; ulimit -c; df -k /dev/shm | tail -1")); len(got) < 5 || got[0] != "100" || got[1] != "200" || got[2] != "0" || got[4] != "8192" {
		t.Errorf("exec under --ulimit nofile=100:200 --ulimit core=0 --shm-size 8m: %q", got)
	}
	out := must(t, "inspect", "--format", "{{.HostConfig.ShmSize}} {{range .HostConfig.Ulimits}}{{.Name}}={{.Soft}}:{{.Hard}} {{end}}", name)
	for _, want := range []string{"8388608 ", "RLIMIT_NOFILE=100:200", "RLIMIT_CORE=0:0"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect says %q, want %q in it", out, want)
		}
	}
	over := burrow(t, "run", "--rm", "--ulimit", "nofile=10:"+hard+"0", img, "true")
	if over.ExitCode != 126 || !strings.Contains(over.Stderr, "ulimit nofile") {
		t.Errorf("a hard limit above yours: exit %d, %q; want 126 naming the limit", over.ExitCode, over.Stderr)
	}
	for _, bad := range [][]string{{"--ulimit", "bogus=1"}, {"--ulimit", "nofile=3:2"}, {"--shm-size", "8x"}} {
		r := burrow(t, append(append([]string{"create"}, bad...), img)...)
		if r.ExitCode != 125 || strings.Count(strings.TrimSpace(r.Stderr), "\n") != 0 {
			t.Errorf("create %s: exit %d, %q; want 125 and one line", bad, r.ExitCode, r.Stderr)
		}
	}
}

// TestDockerUlimitAndShmSize: the API takes HostConfig.Ulimits and ShmSize
// (docker run --ulimit --shm-size, compose's ulimits and shm_size).
func TestDockerUlimitAndShmSize(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	img := busyboxImage(t)
	got := strings.Fields(mustDocker(t, host, "run", "--rm", "--ulimit", "nofile=100:200", "--shm-size", "16m", img, "sh", "-c", "ulimit -n; ulimit -Hn; df -k /dev/shm | tail -1"))
	if len(got) < 4 || got[0] != "100" || got[1] != "200" || got[3] != "16384" {
		t.Errorf("docker run --ulimit nofile=100:200 --shm-size 16m: %q", got)
	}
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	mustDocker(t, host, "create", "--name", name, "--ulimit", "nproc=50:60", "--shm-size", "16m", img, "true")
	if out := strings.TrimSpace(mustDocker(t, host, "inspect", "--format", "{{.HostConfig.ShmSize}} {{range .HostConfig.Ulimits}}{{.Name}}={{.Soft}}:{{.Hard}}{{end}}", name)); out != "16777216 nproc=50:60" {
		t.Errorf("docker inspect: %q, want 16777216 nproc=50:60", out)
	}
}
