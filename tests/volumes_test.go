package tests

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestBindMounts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "src"), 0o755)
	os.WriteFile(filepath.Join(dir, "src", "a.txt"), []byte("from host\n"), 0o644)
	img := busyboxImage(t)
	// A relative host path is relative to where burrow runs.
	r := burrowIn(t, dir, "run", "--rm", "-v", "./src:/src", img, "sh", "-c", "cat /src/a.txt; echo from container > /src/b.txt")
	if r.ExitCode != 0 || r.Stdout != "from host\n" {
		t.Fatalf("-v ./src:/src: %s", describe(r))
	}
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(dir, "src", "b.txt"), &st); err != nil {
		t.Fatalf("the file written in the bind mount is not on the host: %v", err)
	}
	if int(st.Uid) != os.Getuid() {
		t.Errorf("a file root wrote in a bind mount belongs to uid %d on the host, want the user's %d", st.Uid, os.Getuid())
	}
	r = burrowIn(t, dir, "run", "--rm", "-v", "./src:/src:ro", img, "sh", "-c", "echo x > /src/c.txt")
	if r.ExitCode == 0 {
		t.Errorf("writing to a :ro bind mount succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "src", "c.txt")); err == nil {
		t.Errorf("a :ro bind mount was written")
	}
	r = burrowIn(t, dir, "run", "--rm", "--mount", "type=bind,source=./src,target=/m,readonly", img, "ls", "/m")
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, "a.txt") {
		t.Errorf("--mount type=bind: %s", describe(r))
	}
	name := ctrName(t)
	r = burrow(t, "run", "--name", name, "-v", filepath.Join(dir, "missing")+":/x", img, "true")
	requireBurrowError(t, r, true)
	if psStatus(t, name) != "" {
		t.Errorf("a run with a missing bind source left a container")
	}
	requireBurrowError(t, burrow(t, "run", "--rm", "-v", dir+":relative/path", img, "true"), true)
	requireBurrowError(t, burrow(t, "run", "--rm", "-v", dir+":/x:bogus", img, "true"), true)
}

func TestTmpfs(t *testing.T) {
	t.Parallel()
	out := shOut(t, "grep ' /scratch ' /proc/mounts; echo x > /scratch/f && cat /scratch/f", "--tmpfs", "/scratch:size=1m")
	if !strings.Contains(out, "tmpfs /scratch tmpfs") || !strings.Contains(out, "size=1024k") || !strings.HasSuffix(out, "x\n") {
		t.Errorf("--tmpfs /scratch:size=1m:\n%s", out)
	}
}

func TestNamedVolumes(t *testing.T) {
	t.Parallel()
	vol := "vol-" + randHex()[:10]
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", vol) })
	img := busyboxImage(t)
	// A new volume is filled from the image's content at the mount point.
	if got := mustRun(t, img, []string{"-v", vol + ":/etc"}, "sh", "-c", "cat /etc/passwd | head -1; cat /etc/hostname >/dev/null && echo hostname-kept; echo kept > /etc/mine"); got != "root:x:0:0:root:/root:/bin/sh\nhostname-kept\n" {
		t.Errorf("a volume on /etc: %q", got)
	}
	if got := mustRun(t, img, []string{"-v", vol + ":/data"}, "cat", "/data/mine"); got != "kept\n" {
		t.Errorf("the volume did not keep its data: %q", got)
	}
	if got := strings.TrimSpace(must(t, "volume", "ls", "-q")); !strings.Contains(got, vol) {
		t.Errorf("volume ls lacks %s: %q", vol, got)
	}
	mp := strings.TrimSpace(must(t, "volume", "inspect", "--format", "{{.Mountpoint}}", vol))
	if !strings.HasSuffix(mp, "/volumes/"+vol+"/_data") {
		t.Errorf("volume inspect Mountpoint: %q", mp)
	}
	user := ctrName(t)
	runDetached(t, user, []string{"-v", vol + ":/data"}, "sleep", "1000")
	if r := burrow(t, "volume", "rm", vol); r.ExitCode != 2 {
		t.Errorf("volume rm of a volume in use: want exit 2, got:\n%s", describe(r))
	}
	if got := inspectField(t, user, "{{range .Mounts}}{{.Name}} {{.Destination}}{{end}}"); got != vol+" /data" {
		t.Errorf("inspect Mounts: %q", got)
	}
	must(t, "volume", "rm", "-f", vol)
	if psStatus(t, user) != "" {
		t.Errorf("volume rm -f left the container that used it")
	}
	requireBurrowError(t, burrow(t, "volume", "create", "bad/name"), true)
	dup := "dup-" + randHex()[:8]
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", dup) })
	must(t, "volume", "create", dup)
	requireBurrowError(t, burrow(t, "volume", "create", dup), true)
	if r := burrow(t, "volume", "rm", "no-such-volume-"+randHex()[:6]); r.ExitCode != 1 {
		t.Errorf("volume rm of an unknown volume: want exit 1, got:\n%s", describe(r))
	}
}

func TestAnonymousVolumesAndVolumesFrom(t *testing.T) {
	t.Parallel()
	src := ctrName(t)
	named := "shared-" + randHex()[:8]
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", named) })
	runDetached(t, src, []string{"-v", named + ":/shared", "-v", "/anon"}, "sh", "-c", "echo s > /shared/f; echo a > /anon/f; sleep 1000")
	var anon string
	for _, l := range nonEmptyLines(inspectField(t, src, "{{range .Mounts}}{{.Name}} {{.Destination}}\n{{end}}")) {
		if n, d, _ := strings.Cut(l, " "); d == "/anon" {
			anon = n
		}
	}
	if anon == "" {
		t.Fatal("the anonymous volume is not in inspect")
	}
	got := ""
	for i := 0; i < 100 && got != "s\na\n"; i++ {
		got = mustRun(t, busyboxImage(t), []string{"--volumes-from", src + ":ro"}, "sh", "-c", "cat /shared/f /anon/f 2>/dev/null; (touch /shared/x 2>/dev/null && echo writable); true")
	}
	if got != "s\na\n" {
		t.Errorf("--volumes-from %s:ro: %q", src, got)
	}
	must(t, "rm", "-f", "-t", "0", "-v", src)
	vols := must(t, "volume", "ls", "-q")
	if strings.Contains(vols, anon) {
		t.Errorf("rm -v left the anonymous volume %s", anon)
	}
	if !strings.Contains(vols, named) {
		t.Errorf("rm -v removed the named volume %s", named)
	}
}

func TestVolumeChownAndUnshare(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	// :U gives the files to the container's user, a subordinate ID here.
	if got := mustRun(t, busyboxImage(t), []string{"-u", "1000", "-v", dir + ":/v:U"}, "sh", "-c", "stat -c %u /v/f; echo y >> /v/f && echo wrote"); got != "1000\nwrote\n" {
		t.Errorf("-v :U with -u 1000: %q", got)
	}
	var st syscall.Stat_t
	syscall.Stat(filepath.Join(dir, "f"), &st)
	if int(st.Uid) == os.Getuid() {
		t.Errorf(":U left the file to the user instead of the container's uid 1000")
	}
	// The user cannot remove what a subordinate ID owns; burrow unshare can.
	if got := strings.TrimSpace(must(t, "unshare", "stat", "-c", "%u", filepath.Join(dir, "f"))); got != "1000" {
		t.Errorf("burrow unshare sees uid %q, want 1000", got)
	}
	must(t, "unshare", "chown", "-R", "0:0", dir)
	syscall.Stat(filepath.Join(dir, "f"), &st)
	if int(st.Uid) != os.Getuid() {
		t.Errorf("after burrow unshare chown 0:0 the file belongs to %d, want the user", st.Uid)
	}
	if got := strings.TrimSpace(must(t, "unshare", "id", "-u")); got != "0" {
		t.Errorf("burrow unshare id -u: %q", got)
	}
}

// A mount target that is a dangling link in the image (an image's
// /etc/resolv.conf may point at a file made only at boot) is made where the
// link points, inside the container's root: for a file bind, relative
// link, and a directory bind, absolute link, across a second link.
func TestBindMountTargetDanglingLink(t *testing.T) {
	t.Parallel()
	base := ctrName(t)
	runDetached(t, base, nil, "sh", "-c", "mkdir -p /etc/app && ln -s ../../var/made/conf.txt /etc/app/conf.txt && ln -s /opt/made /opt-link && ln -s /opt-link/dir /dir-link")
	must(t, "wait", base)
	ref := "localhost/dangling-target-" + randHex()[:8] + ":v1"
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	must(t, "commit", "-q", base, ref)
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "conf"), []byte("from host\n"), 0o644)
	os.Mkdir(filepath.Join(src, "d"), 0o755)
	os.WriteFile(filepath.Join(src, "d", "inside.txt"), nil, 0o644)
	r := runRm(t, ref, []string{"-v", filepath.Join(src, "conf") + ":/etc/app/conf.txt:ro", "-v", filepath.Join(src, "d") + ":/dir-link:ro"},
		"sh", "-c", "cat /etc/app/conf.txt /var/made/conf.txt; ls /opt/made/dir")
	if r.ExitCode != 0 || r.Stdout != "from host\nfrom host\ninside.txt\n" {
		t.Fatalf("binds on dangling links: want the file at the link's target and the directory behind two links, got:\n%s", describe(r))
	}
	if _, err := os.Stat("/opt/made"); err == nil {
		t.Errorf("/opt/made appeared on the host")
	}
}

// TestDockerVolumeDriverOpts: the local driver's options of docker volume
// create and compose's driver_opts: type none with o=bind binds a host
// directory, type tmpfs mounts a tmpfs; inspect shows them.
func TestDockerVolumeDriverOpts(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	img := busyboxImage(t)
	dir := t.TempDir()
	bound, tmp := ctrName(t)+"-bind", ctrName(t)+"-tmpfs"
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", bound, tmp) })
	mustDocker(t, host, "volume", "create", "-o", "type=none", "-o", "o=bind", "-o", "device="+dir, bound)
	mustDocker(t, host, "run", "--rm", "-v", bound+":/data", img, "sh", "-c", "echo through > /data/f")
	if b, err := os.ReadFile(filepath.Join(dir, "f")); err != nil || string(b) != "through\n" {
		t.Errorf("the bind volume's file on the host: %q, %v", b, err)
	}
	if got := strings.TrimSpace(mustDocker(t, host, "volume", "inspect", "-f", "{{.Options.type}} {{.Options.o}} {{.Options.device}}", bound)); got != "none bind "+dir {
		t.Errorf("docker volume inspect: %q", got)
	}
	mustDocker(t, host, "volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m", tmp)
	if got := mustDocker(t, host, "run", "--rm", "-v", tmp+":/t", img, "sh", "-c", "grep ' /t ' /proc/mounts"); !strings.Contains(got, "tmpfs") || !strings.Contains(got, "size=1024k") {
		t.Errorf("the tmpfs volume's mount: %q", got)
	}
	if r := dockerCLI(t, host, "volume", "create", "-o", "type=nfs", "-o", "device=:/x", ctrName(t)+"-nfs"); r.ExitCode == 0 {
		t.Errorf("an nfs volume was made")
	}
}
