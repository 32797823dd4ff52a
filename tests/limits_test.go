package tests

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// hostHasUserCgroups tells whether this host can give the test user cgroup
// limits (cgroup v2 with a systemd user instance); make test-vm checks
// the limits themselves in a guest that can.
func hostHasUserCgroups() bool {
	var st unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &st) != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
		return false
	}
	_, err := os.Stat("/run/systemd/system")
	return err == nil
}

// Where limits cannot apply, asking for one fails with the reason, and
// nothing is silently dropped.
func TestLimitsNeverSilentlyDropped(t *testing.T) {
	t.Parallel()
	if hostHasUserCgroups() {
		t.Skip("this host can apply limits: make test-vm checks them (tests/vm/limits.sh)")
	}
	img := busyboxImage(t)
	for _, flags := range [][]string{{"-m", "64m"}, {"--cpus", "0.5"}, {"--pids-limit", "50"}, {"--memory-swap=-1", "-m", "1g"}} {
		name := ctrName(t)
		r := burrow(t, append(append([]string{"run", "--rm", "--name", name}, flags...), img, "true")...)
		requireBurrowError(t, r, true)
		if !strings.Contains(r.Stderr, "cgroup") || !strings.Contains(r.Stderr, "--cgroups=disabled") {
			t.Errorf("%v: the error does not say why and how to go on: %s", flags, r.Stderr)
		}
		if psStatus(t, name) != "" {
			t.Errorf("%v: a refused run left a container", flags)
		}
	}
	// Asked to do without: a warning, and the container runs.
	r := burrow(t, "run", "--rm", "--cgroups=disabled", "-m", "64m", img, "echo", "ran")
	if r.ExitCode != 0 || r.Stdout != "ran\n" || !strings.Contains(r.Stderr, "Warning") {
		t.Errorf("--cgroups=disabled -m 64m: %s", describe(r))
	}
	// The built-in pids limit is skipped quietly: a plain run still works.
	if r := runRm(t, img, nil, "echo", "plain"); r.ExitCode != 0 || r.Stderr != "" {
		t.Errorf("a plain run on a host without cgroup limits: %s", describe(r))
	}
	requireBurrowError(t, burrow(t, "run", "--rm", "-m", "lots", img, "true"), true)
	requireBurrowError(t, burrow(t, "run", "--rm", "--blkio-weight", "5", img, "true"), true)
	requireBurrowError(t, burrow(t, "run", "--rm", "--device-read-bps", "sda:1m", img, "true"), true)
}

// containers.conf's cgroups = "disabled" is the setting that warns instead
// of failing, as --cgroups=disabled does for one run.
func TestLimitsConfigDisabled(t *testing.T) {
	t.Parallel()
	if hostHasUserCgroups() {
		t.Skip("this host can apply limits: the refusal does not happen here")
	}
	conf := t.TempDir() + "/containers.conf"
	os.WriteFile(conf, []byte("[containers]\ncgroups = \"disabled\"\n"), 0o644)
	cmd := exec.Command(burrowBin(t), "run", "--rm", "-m", "64m", busyboxImage(t), "echo", "ran")
	cmd.Env = append(os.Environ(), "CONTAINERS_CONF="+conf)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stdout.String() != "ran\n" || !strings.Contains(stderr.String(), "containers.conf") {
		t.Errorf("cgroups = \"disabled\" in containers.conf: %v\nstdout %q\nstderr %q", err, stdout.String(), stderr.String())
	}
}

// --cgroup-manager cgroupfs refuses limits the same way where they cannot
// apply, runs plain containers quietly, and says why in info; a bad
// manager name, as a flag or in containers.conf, is the user's error.
func TestLimitsCgroupfsRefused(t *testing.T) {
	t.Parallel()
	if hostHasUserCgroups() {
		t.Skip("this host can apply limits: make test-vm checks cgroupfs (tests/vm/limits.sh)")
	}
	img := busyboxImage(t)
	name := ctrName(t)
	r := burrow(t, "--cgroup-manager", "cgroupfs", "run", "--rm", "--name", name, "-m", "64m", img, "true")
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, "cgroup") || !strings.Contains(r.Stderr, "--cgroups=disabled") {
		t.Errorf("cgroupfs -m 64m: the error does not say why and how to go on: %s", r.Stderr)
	}
	if psStatus(t, name) != "" {
		t.Errorf("cgroupfs: a refused run left a container")
	}
	if r := burrow(t, "--cgroup-manager", "cgroupfs", "run", "--rm", img, "echo", "plain"); r.ExitCode != 0 || r.Stdout != "plain\n" || r.Stderr != "" {
		t.Errorf("cgroupfs: a plain run on a host without cgroup limits: %s", describe(r))
	}
	// info reports as podman's does (the manager asked for, and no
	// controllers to use); doctor says why.
	r = burrow(t, "--cgroup-manager", "cgroupfs", "info", "--format", "json")
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, `"cgroupManager": "cgroupfs"`) || !strings.Contains(r.Stdout, `"cgroupControllers": []`) {
		t.Errorf("cgroupfs: info does not report the manager without controllers: %s", describe(r))
	}
	if r := burrow(t, "--cgroup-manager", "cgroupfs", "system", "doctor"); !strings.Contains(r.Stdout, "limits (-m, --cpus, --pids-limit) cannot be applied") {
		t.Errorf("cgroupfs: doctor does not say why limits cannot be applied: %s", describe(r))
	}
	requireBurrowError(t, burrow(t, "--cgroup-manager", "bogus", "run", "--rm", img, "true"), true)

	conf := t.TempDir() + "/containers.conf"
	os.WriteFile(conf, []byte("[engine]\ncgroup_manager = \"bogus\"\n"), 0o644)
	cmd := exec.Command(burrowBin(t), "run", "--rm", img, "true")
	cmd.Env = append(os.Environ(), "CONTAINERS_CONF="+conf)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 125 || !strings.Contains(stderr.String(), "cgroup_manager in containers.conf") ||
		!strings.Contains(stderr.String(), "use systemd or cgroupfs") {
		t.Errorf("cgroup_manager = \"bogus\" in containers.conf: %v\nstderr %q", err, stderr.String())
	}
}

// TestNegativeFlagValues: podman takes `--memory-swap -1` and
// `--pids-limit -1` with a space; so does burrow.
func TestNegativeFlagValues(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	for _, flag := range []string{"--memory-swap", "--pids-limit"} {
		r := burrow(t, "run", "--rm", "--cgroups=disabled", flag, "-1", img, "echo", "ran")
		if r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != "ran" || strings.Contains(r.Stderr, "short flag") {
			t.Errorf("%s -1: %s", flag, describe(r))
		}
	}
	// A container command's own arguments stay as given.
	if got := mustRun(t, img, nil, "echo", "--pids-limit", "-1"); got != "--pids-limit -1\n" {
		t.Errorf("the command's arguments: %q", got)
	}
}
