package tests

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Escape attempts: each must fail to reach the host. docs/security.md
// records what was tried and why it fails.

func fileHash(t testing.TB, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

// procExeAttack runs in a privileged container (CAP_SYS_PTRACE: not being
// dumpable does not stop it). It opens /proc/PID/exe of every process that
// is not busybox, that is of every burrow process entering the container,
// keeps the descriptors (3 to 9, in turn) and writes through them whenever
// it can, as CVE-2019-5736's exploit does once the binary is no longer busy.
// Shell builtins only: a fork is too slow to meet an exec; `command` keeps
// a failed redirection from ending the shell.
const procExeAttack = `
exec 2>/dev/null
n=3
while :; do
	for e in /proc/[0-9]*/exe; do
		if [ -e "$e" ] && ! [ "$e" -ef /bin/sh ] && eval "command exec $n<$e"; then
			echo "held $e" >>/tmp/tried
			n=$((n % 7 + 3))
		fi
	done
	for f in 3 4 5 6 7 8 9; do
		if [ -e /proc/self/fd/$f ] && { echo pwned >/proc/self/fd/$f; }; then echo "wrote $f" >>/tmp/escaped; fi
	done
done`

// The CVE-2019-5736 pattern, against a burrow binary the user owns (as
// make install PREFIX=~/.local leaves it): while `burrow exec` runs 20 times
// into a container, the container tries to overwrite the binary through
// /proc/PID/exe. The container itself runs under the test bed's binary, so
// that the user's copy is busy (ETXTBSY) only while an exec runs, as it
// would be on a kernel without that protection.
func TestEscapeProcExe(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "burrow")
	copyFile(t, burrowBin(t), bin, 0o755)
	before := fileHash(t, bin)
	name := ctrName(t)
	runDetached(t, name, []string{"--privileged"}, "sh", "-c", procExeAttack)
	for i := 0; i < 20; i++ {
		out, err := exec.Command(bin, "exec", name, "true").CombinedOutput()
		if err != nil && fileHash(t, bin) != before {
			t.Fatalf("exec %d: the container overwrote the user's burrow binary through /proc/PID/exe: %v", i, err)
		}
		if errors.Is(err, syscall.ETXTBSY) {
			t.Fatalf("exec %d: the container holds the user's burrow binary open for writing: %v", i, err)
		}
		if err != nil {
			t.Fatalf("exec %d with the user's copy of burrow: %v\n%s", i, err, out)
		}
	}
	// The monitor and the init run from the same read-only clone.
	if out, err := exec.Command(bin, "run", "--rm", busyboxImage(t), "true").CombinedOutput(); err != nil {
		t.Fatalf("run with the user's copy of burrow: %v\n%s", err, out)
	}
	time.Sleep(2 * time.Second) // the copy is no longer busy: the attacker goes on writing
	if after := fileHash(t, bin); after != before {
		t.Fatal("the user's burrow binary changed while a container attacked /proc/PID/exe")
	}
	out := burrow(t, "exec", name, "sh", "-c", "cat /tmp/tried /tmp/escaped 2>/dev/null").Stdout
	if !strings.Contains(out, "held") {
		t.Fatalf("the attack never reached a burrow process, so it proves nothing: %q", out)
	}
	t.Logf("the container held %d descriptors of burrow processes entering it", strings.Count(out, "held"))
}

// The CVE-2024-21626 pattern: no descriptor of the host reaches the
// container, so /proc/self/fd/N cannot be a way out.
func TestEscapeLeakedDescriptors(t *testing.T) {
	t.Parallel()
	// Run and exec: only stdio (and the directory ls itself opens).
	check := func(what, out string) {
		t.Helper()
		// "lrwx------ 1 root root 64 ... 3 -> /proc/7/fd"
		for _, l := range nonEmptyLines(out) {
			f := strings.Fields(l)
			if len(f) < 3 || f[len(f)-2] != "->" {
				continue
			}
			fd, target := f[len(f)-3], f[len(f)-1]
			if fd == "0" || fd == "1" || fd == "2" {
				continue
			}
			if !strings.HasPrefix(target, "/proc/") {
				t.Errorf("%s: descriptor %s (%s) reached the container", what, fd, target)
			}
		}
	}
	script := "ls -l /proc/self/fd"
	check("run", shOut(t, script))
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "1000")
	check("exec", must(t, "exec", name, "sh", "-c", script))
	for _, fd := range []string{"3", "4", "5", "7", "8"} {
		r := runRm(t, busyboxImage(t), []string{"-w", "/proc/self/fd/" + fd}, "sh", "-c", "pwd; ls ..")
		if r.ExitCode == 0 && !strings.HasPrefix(r.Stdout, "/proc/self/fd/") {
			t.Errorf("-w /proc/self/fd/%s: %s", fd, describe(r))
		}
		if strings.Contains(r.Stdout, "burrow-testbed") || strings.Contains(r.Stdout, "home") {
			t.Errorf("-w /proc/self/fd/%s reached a host directory: %s", fd, describe(r))
		}
	}
}

// A volume target that is a symlink in the image to a host path lands
// inside the container.
func TestEscapeMountTargetSymlink(t *testing.T) {
	t.Parallel()
	base := ctrName(t)
	marker := t.TempDir()
	runDetached(t, base, nil, "ln", "-s", marker, "/linked")
	must(t, "wait", base)
	ref := "localhost/symlink-target-" + randHex()[:8] + ":v1"
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	must(t, "commit", "-q", base, ref)
	src := t.TempDir()
	os.WriteFile(src+"/payload", []byte("payload\n"), 0o644)
	// The mount target /linked -> MARKER (a host path) is resolved inside
	// the container's root: MARKER on the host stays empty.
	r := runRm(t, ref, []string{"-v", src + ":/linked"}, "sh", "-c", "ls "+marker+"; echo written > /linked/through")
	if r.ExitCode != 0 {
		t.Logf("run with a symlinked mount target: %s", describe(r))
	}
	ents, _ := os.ReadDir(marker)
	if len(ents) != 0 {
		t.Fatalf("a mount through a symlink in the image reached the host directory %s: %v", marker, ents)
	}
}

// What a container's root must not be able to do to the host.
func TestEscapePrivilegedOperations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, script string }{
		{"mknod a block device", "mknod /tmp/sda b 8 0"},
		{"mount the host's disk", "mkdir -p /mnt/x && mount -t ext4 /dev/sda1 /mnt/x"},
		{"mount a proc", "mkdir -p /mnt/p && mount -t proc proc /mnt/p"},
		{"write /proc/sys", "echo 1 > /proc/sys/kernel/sysrq"},
		{"read /proc/kcore", "test -s /proc/kcore && head -c 16 /proc/kcore | od | grep -q ."},
		{"load a module", "insmod /nonexistent.ko || modprobe dummy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runRm(t, busyboxImage(t), nil, "sh", "-c", tc.script+" && echo ESCAPED")
			if strings.Contains(r.Stdout, "ESCAPED") {
				t.Errorf("%s succeeded: %s", tc.name, describe(r))
			}
		})
	}
}

// A container sees neither the host's processes nor another container's.
func TestEscapeProcessVisibility(t *testing.T) {
	t.Parallel()
	other := ctrName(t)
	runDetached(t, other, nil, "sleep", "4242")
	out := shOut(t, "ps -o pid,args")
	if strings.Contains(out, "sleep 4242") || strings.Contains(out, "burrow") || len(nonEmptyLines(out)) > 3 {
		t.Errorf("a container sees processes that are not its own:\n%s", out)
	}
	pid := inspectField(t, other, "{{.State.Pid}}")
	if r := runRm(t, busyboxImage(t), nil, "kill", "-9", pid); r.ExitCode == 0 {
		// The PID may exist in this container's namespace by chance;
		// the other container must be unharmed either way.
		t.Logf("kill -9 %s inside a container: exit 0", pid)
	}
	if st := psStatus(t, other); !strings.HasPrefix(st, "Up ") {
		t.Errorf("another container was signalled: %q", st)
	}
}

func TestSeccomp(t *testing.T) {
	t.Parallel()
	mode := func(opts ...string) string {
		t.Helper()
		out := shOut(t, "grep '^Seccomp:' /proc/self/status", opts...)
		return strings.TrimSpace(strings.TrimPrefix(out, "Seccomp:"))
	}
	if m := mode(); m != "2" {
		t.Errorf("a container runs without the default seccomp filter (Seccomp: %s)", m)
	}
	if m := mode("--security-opt", "seccomp=unconfined"); m != "0" {
		t.Errorf("seccomp=unconfined: Seccomp: %s", m)
	}
	if m := mode("--privileged"); m != "0" {
		t.Errorf("--privileged: Seccomp: %s", m)
	}
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "1000")
	if out := must(t, "exec", name, "grep", "^Seccomp:", "/proc/self/status"); !strings.Contains(out, "2") {
		t.Errorf("exec runs without the container's filter: %q", out)
	}
	// A profile of the user's own, refusing mkdirat with EPERM.
	profile := t.TempDir() + "/deny-mkdir.json"
	os.WriteFile(profile, []byte(`{"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}`), 0o644)
	r := runRm(t, busyboxImage(t), []string{"--security-opt", "seccomp=" + profile}, "mkdir", "/tmp/x")
	if r.ExitCode == 0 || !strings.Contains(r.Stderr, "not permitted") {
		t.Errorf("a profile refusing mkdir: %s", describe(r))
	}
	if got := shOut(t, "mkdir /tmp/x && echo made"); got != "made\n" {
		t.Errorf("mkdir under the default profile: %q", got)
	}
	requireBurrowError(t, burrow(t, "run", "--rm", "--security-opt", "seccomp=/nonexistent.json", busyboxImage(t), "true"), true)
}

func TestMaskUnmask(t *testing.T) {
	t.Parallel()
	// /etc/hostname is a file the container can read; masked it reads empty.
	if got := shOut(t, "wc -c < /etc/hostname", "--security-opt", "mask=/etc/hostname"); strings.TrimSpace(got) != "0" {
		t.Errorf("mask=/etc/hostname: %q bytes", got)
	}
	// Masking binds /dev/null over the path: unmasked, no mount is there.
	if got := shOut(t, "grep -c ' /proc/keys ' /proc/mounts || true"); strings.TrimSpace(got) == "0" {
		t.Errorf("/proc/keys is not masked by default")
	}
	if got := shOut(t, "grep -c ' /proc/keys ' /proc/mounts || true", "--security-opt", "unmask=/proc/keys"); strings.TrimSpace(got) != "0" {
		t.Errorf("unmask=/proc/keys: still masked")
	}
	if got := shOut(t, "grep ' /proc/sys ' /proc/mounts | grep -c ro, || true", "--security-opt", "unmask=ALL"); strings.TrimSpace(got) != "0" {
		t.Errorf("unmask=ALL left /proc/sys read-only")
	}
	requireBurrowError(t, burrow(t, "run", "--rm", "--security-opt", "mask=relative", busyboxImage(t), "true"), true)
}

// ttyProbe prints TTY-OPEN when the process can open a controlling
// terminal, and its tty_nr (field 7 of /proc/self/stat, read by the shell
// itself): 0 for none.
const ttyProbe = `if (: </dev/tty) 2>/dev/null; then echo TTY""-OPEN; fi; read -r s </proc/self/stat; set -- $s; echo "tty_nr=$7 end"`

// checkNoTerminal fails when out, a ttyProbe's output, shows a terminal.
func checkNoTerminal(t *testing.T, what, out string) {
	t.Helper()
	if strings.Contains(out, "TTY-OPEN") || !strings.Contains(out, "tty_nr=0 end") {
		t.Errorf("%s run from the user's terminal reached it (TIOCSTI could type into the user's shell):\n%s", what, out)
	}
}

// onTerminal runs burrow ARGS with a terminal of its own as its controlling
// terminal, as a user at a shell does, and returns what it printed.
func onTerminal(t *testing.T, args ...string) string {
	t.Helper()
	p, _ := startOnPty(t, 24, 80, args...)
	if code := p.exitCode(t, 60*time.Second); code != 0 {
		t.Fatalf("burrow %v on a terminal: exit %d:\n%s", args, code, p.out.String())
	}
	return p.out.String()
}

// No process entering a container shares the user's terminal unless burrow
// made a pty for it: /dev/tty opens nothing, so TIOCSTI cannot type into the
// user's shell (dev.tty.legacy_tiocsti).
func TestEscapeControllingTerminal(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "1000")
	probe := []string{"sh", "-c", ttyProbe}
	for _, tc := range []struct {
		what string
		args []string
	}{
		{"exec", append([]string{"exec", name}, probe...)},
		{"exec -i", append([]string{"exec", "-i", name}, probe...)},
		{"run", append([]string{"run", "--rm", img}, probe...)},
		{"run -i", append([]string{"run", "--rm", "-i", img}, probe...)},
	} {
		t.Run(tc.what, func(t *testing.T) {
			checkNoTerminal(t, tc.what, onTerminal(t, tc.args...))
		})
	}
	t.Run("exec -d", func(t *testing.T) {
		onTerminal(t, "exec", "-d", name, "sh", "-c", "{ "+ttyProbe+"; } >/tmp/detached-probe")
		var out string
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out, " end"); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("exec -d never ran its command")
			}
			out = burrow(t, "exec", name, "cat", "/tmp/detached-probe").Stdout
		}
		checkNoTerminal(t, "exec -d", out)
	})
	t.Run("start -a", func(t *testing.T) {
		ctr := ctrName(t)
		must(t, append([]string{"create", "--name", ctr, img}, probe...)...)
		checkNoTerminal(t, "start -a", onTerminal(t, "start", "-a", ctr))
	})
	t.Run("build RUN", func(t *testing.T) {
		dir := buildContext(t, map[string]string{"Containerfile": "FROM " + img + "\nLABEL run=" + randHex() + "\nRUN " + ttyProbe + "\n"})
		tag := "localhost/tty-probe-" + randHex()[:8]
		t.Cleanup(func() { burrow(t, "rmi", "-f", tag) })
		checkNoTerminal(t, "build's RUN", onTerminal(t, "build", "-t", tag, dir))
	})
	// The CLI still passes the user's signals on to the process.
	t.Run("signals", func(t *testing.T) {
		if hostSignalIgnored(t, syscall.SIGINT) {
			t.Skip("SIGINT is ignored by the test process, so a non-interactive sh cannot trap it")
		}
		p, term := startOnPty(t, 24, 80, "exec", name, "sh", "-c", `trap "echo got-int; exit 9" INT; echo ready; while :; do sleep 0.1; done`)
		p.waitFor(t, "ready", 30*time.Second)
		term.send("\x03")
		if code := p.exitCode(t, 20*time.Second); code != 9 || !strings.Contains(p.out.String(), "got-int") {
			t.Errorf("ctrl-c at the terminal of exec: exit %d, want 9 from the trap; output:\n%s", code, p.out.String())
		}
		p = startBurrow(t, "exec", name, "sh", "-c", `trap "exit 42" TERM; echo ready; while :; do sleep 0.1; done`)
		p.waitFor(t, "ready", 30*time.Second)
		time.Sleep(300 * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGTERM)
		if code := p.exitCode(t, 20*time.Second); code != 42 {
			t.Errorf("SIGTERM to exec: exit %d, want 42 from the trap; output:\n%s", code, p.out.String())
		}
	})
}

// burrowWithin runs burrow ARGS and fails the test when it has not finished
// within d (a hang is the failure these tests look for).
func burrowWithin(t *testing.T, d time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, burrowBin(t), args...)
	cmd.WaitDelay = time.Second
	r := runCommand(t, cmd)
	if ctx.Err() != nil {
		t.Fatalf("burrow %v still ran after %v: it hangs\nstdout: %s\nstderr: %s", args, d, r.Stdout, r.Stderr)
	}
	return r
}

// `exec --user NAME` reads the container's /etc/passwd and /etc/group
// inside its root: a FIFO there does not hang the CLI, and a link to a host
// file, swapped in while burrow looks, is not followed out.
func TestEscapeExecUserLookup(t *testing.T) {
	t.Parallel()
	t.Run("fifo", func(t *testing.T) {
		t.Parallel()
		name := ctrName(t)
		runDetached(t, name, nil, "sh", "-c", "rm /etc/passwd && mkfifo /etc/passwd && touch /ready; sleep 1000")
		waitExecReady(t, name)
		r := burrowWithin(t, 20*time.Second, "exec", "--user", "nobody", name, "id", "-u")
		if r.ExitCode != 125 || !strings.Contains(r.Stderr, "/etc/passwd") {
			t.Errorf("exec --user with a FIFO as /etc/passwd: want exit 125 naming /etc/passwd, got:\n%s", describe(r))
		}
	})
	t.Run("link swapped in", func(t *testing.T) {
		t.Parallel()
		host := t.TempDir() + "/passwd"
		os.WriteFile(host, []byte("hostonly:x:4242:4242::/:/bin/sh\n"), 0o644)
		name := ctrName(t)
		// /etc/passwd turns into a link to the host's file and back
		// (atomic renameat2 exchanges, in a static helper).
		nettest := testbedVar(t, "BURROW_TEST_NETTEST")
		runDetached(t, name, []string{"-v", nettest + ":/nettest:ro"}, "sh", "-c",
			"ln -s "+host+" /etc/pw.link && touch /ready && exec /nettest swap /etc/passwd /etc/pw.link")
		waitExecReady(t, name)
		for i := 0; i < 100; i++ {
			r := burrowWithin(t, 20*time.Second, "exec", "--user", "hostonly", name, "id", "-u")
			if strings.TrimSpace(r.Stdout) == "4242" {
				t.Fatalf("attempt %d: exec --user read a host file through a link in the container: %s", i, describe(r))
			}
		}
	})
}

// waitExecReady waits until the container made /ready.
func waitExecReady(t *testing.T, name string) {
	t.Helper()
	for i := 0; burrow(t, "exec", name, "test", "-e", "/ready").ExitCode != 0; i++ {
		if i > 200 {
			t.Fatal("the container never got ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A `:ro` bind is read-only all through: a mount under the host directory
// (here a tmpfs made in burrow's own mount namespace) is read-only in the
// container too, as Docker 25 makes it.
func TestBindReadOnlyRecursive(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	must(t, "unshare", "mount", "-t", "tmpfs", "tmpfs", sub)
	t.Cleanup(func() { burrow(t, "unshare", "umount", sub) })
	script := "touch /data/top || echo top-ro; touch /data/sub/x && echo WROTE-SUBMOUNT; grep ' /data/sub ' /proc/mounts"
	for _, tc := range []struct {
		name string
		opts []string
	}{
		{"default", nil},
		{"keep-id", []string{"--userns=keep-id"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runRm(t, busyboxImage(t), append(tc.opts, "-v", dir+":/data:ro"), "sh", "-c", script)
			if !strings.Contains(r.Stdout, "top-ro") || !strings.Contains(r.Stdout, "/data/sub") {
				t.Fatalf("the :ro bind or its submount is missing: %s", describe(r))
			}
			if strings.Contains(r.Stdout, "WROTE-SUBMOUNT") {
				t.Errorf("a mount under a :ro bind is writable: %s", describe(r))
			}
		})
	}
	if out := must(t, "unshare", "ls", "-A", sub); out != "" {
		t.Errorf("the container wrote into the host's submount: %q", out)
	}
}

// A container sharing a volume swaps a directory in it for a link to a host
// directory while another container using that volume is started with mount
// points below it: the mount points are created and mounted inside the
// starting container's root, never through the link.
func TestEscapeMountTargetRace(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	host := t.TempDir() // what the link points at: must stay empty
	src := t.TempDir()  // bound read-only below the swapped directory
	vol := "race-" + randHex()[:8]
	must(t, "volume", "create", vol)
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", vol) })
	// The attacker swaps /v/dir and a link to the host directory (atomic
	// renameat2 exchanges, in a static helper: a shell is far too slow to
	// meet burrow in its window).
	attacker := ctrName(t)
	nettest := testbedVar(t, "BURROW_TEST_NETTEST")
	runDetached(t, attacker, []string{"-v", vol + ":/v", "-v", nettest + ":/nettest:ro"}, "sh", "-c",
		"mkdir -p /v/dir && ln -s "+host+" /v/link && exec /nettest swap /v/dir /v/link")
	var opts []string
	for i := 0; i < 20; i++ {
		opts = append(opts, "-v", fmt.Sprintf("%s:/v/dir/m%d:ro", src, i))
	}
	for i := 0; i < 15; i++ {
		r := runRm(t, img, append([]string{"-v", vol + ":/v"}, opts...), "sh", "-c", "for d in /v/dir/m*; do touch $d/written 2>/dev/null; done; true")
		if ents, _ := os.ReadDir(host); len(ents) != 0 {
			t.Fatalf("run %d created %d entries (%s, ...) in the host directory a link in the volume pointed at: %s", i, len(ents), ents[0].Name(), describe(r))
		}
		if ents, _ := os.ReadDir(src); len(ents) != 0 {
			t.Fatalf("run %d wrote into a :ro bind: %s", i, describe(r))
		}
	}
}

// helperStatus finds the process of the user-mode network helper (argv[0]
// ending in name) serving the container with ID id, and returns its
// /proc/PID/status fields and its mount namespace.
func helperStatus(t *testing.T, name, id string) (map[string]string, string) {
	t.Helper()
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		args := strings.Split(string(cmdline), "\x00")
		if err != nil || filepath.Base(args[0]) != name || !strings.Contains(string(cmdline), id) {
			continue
		}
		status, err := os.ReadFile("/proc/" + e.Name() + "/status")
		mnt, err2 := os.Readlink("/proc/" + e.Name() + "/ns/mnt")
		if err != nil || err2 != nil {
			t.Fatalf("reading the status of %s (%s): %v %v", name, e.Name(), err, err2)
		}
		return statusFields(string(status)), mnt
	}
	t.Fatalf("no %s process serves container %s", name, id)
	return nil, ""
}

// The user-mode network helpers parse every packet a container sends: they
// run confined, in a mount namespace of their own, under a seccomp filter,
// without burrow's capabilities.
func TestNetworkHelpersConfined(t *testing.T) {
	t.Parallel()
	burrowNS := strings.TrimSpace(must(t, "unshare", "readlink", "/proc/self/ns/mnt"))
	for _, helper := range []struct{ network, name string }{{"slirp4netns", "slirp4netns"}, {"pasta", "pasta"}} {
		t.Run(helper.network, func(t *testing.T) {
			t.Parallel()
			name := ctrName(t)
			runDetached(t, name, []string{"--network", helper.network, "--cap-add", "NET_RAW"}, "sleep", "1000")
			st, mnt := helperStatus(t, helper.name, inspectField(t, name, "{{.Id}}"))
			if st["Seccomp"] != "2" {
				t.Errorf("%s runs without a seccomp filter (Seccomp: %s)", helper.name, st["Seccomp"])
			}
			if mnt == burrowNS {
				t.Errorf("%s runs in burrow's mount namespace (%s), not a sandbox of its own", helper.name, mnt)
			}
			if capEff := hexField(t, st, "CapEff"); capEff&(1<<unix.CAP_DAC_OVERRIDE) != 0 {
				t.Errorf("%s keeps burrow's capabilities (CAP_DAC_OVERRIDE among them): CapEff %x", helper.name, capEff)
			}
			// The container still reaches the outside through it.
			if r := burrow(t, "exec", name, "sh", "-c", "ip -o -4 addr | grep -qv ' lo '"); r.ExitCode != 0 {
				t.Errorf("the container has no address: %s", describe(r))
			}
			if helper.name == "pasta" {
				// No DHCP server answers: the address is set by pasta itself.
				r := burrow(t, "exec", name, "sh", "-c", "udhcpc -n -q -f -t 2 -T 1 -s /bin/true -i $(ip -o link | grep -v ' lo:' | head -1 | cut -d: -f2)")
				if r.ExitCode == 0 {
					t.Errorf("pasta's DHCP server answered the container: %s", describe(r))
				}
			}
		})
	}
}
