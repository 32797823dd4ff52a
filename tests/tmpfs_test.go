package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A tmpfs the user asks for starts with what the image has at its
// destination (podman's tmpcopyup, its default), unless notmpcopyup.

func TestTmpfsCopyUp(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	// The image's /etc, and the container's own files bound over it.
	for _, opts := range [][]string{{"--tmpfs", "/etc"}, {"--mount", "type=tmpfs,dst=/etc"}, {"--tmpfs", "/etc:tmpcopyup,size=2m"}} {
		got := strings.Fields(mustRun(t, img, opts, "sh", "-c", "ls /etc; grep -c ' /etc tmpfs' /proc/mounts; stat -c '%a %u' /etc"))
		for _, want := range []string{"group", "passwd", "hostname", "hosts", "resolv.conf"} {
			if !strings.Contains(strings.Join(got, " "), want) {
				t.Errorf("%s: /etc lacks the image's %s: %q", opts, want, got)
			}
		}
		if n := len(got); n < 3 || got[n-3] != "1" || got[n-2] != "755" || got[n-1] != "0" {
			t.Errorf("%s: want a tmpfs on /etc with the image's mode 755 and owner 0: %q", opts, got)
		}
	}
	// notmpcopyup: only what the container binds there, and no option
	// of the kind reaches the kernel.
	for _, opts := range [][]string{{"--tmpfs", "/etc:notmpcopyup"}, {"--mount", "type=tmpfs,dst=/etc,notmpcopyup"}} {
		got := mustRun(t, img, opts, "sh", "-c", "ls /etc; grep ' /etc tmpfs' /proc/mounts")
		if strings.Contains(got, "passwd") || !strings.Contains(got, "hosts") || strings.Contains(got, "copyup") {
			t.Errorf("%s: want an /etc with only the container's binds:\n%s", opts, got)
		}
	}
	// A destination the image lacks: an empty tmpfs, podman's mode 1777.
	if got := mustRun(t, img, []string{"--tmpfs", "/nowhere/here"}, "sh", "-c", "ls -A /nowhere/here; stat -c %a /nowhere/here"); got != "1777\n" {
		t.Errorf("--tmpfs on a path the image lacks: %q, want an empty 1777 directory", got)
	}
	r := burrow(t, "run", "--rm", "--tmpfs", "/etc:tmpcopyup,notmpcopyup", img, "true")
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, "can only be set once") {
		t.Errorf("tmpcopyup and notmpcopyup together: %s", describe(r))
	}
}

// TestTmpfsCopyUpKeepsFiles: owners, modes, nested directories and links
// come through; a link is copied as a link, never what it points at, so
// an image's link to a host path brings nothing of the host in.
func TestTmpfsCopyUpKeepsFiles(t *testing.T) {
	t.Parallel()
	host := t.TempDir()
	marker := filepath.Join(host, "marker")
	if err := os.WriteFile(marker, []byte("host secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := buildContext(t, map[string]string{"Containerfile": "FROM " + busyboxImage(t) + `
RUN mkdir -p /data/sub/deeper && echo deep > /data/sub/deeper/f && chown 1234:5678 /data/sub && chmod 0750 /data/sub && \
    echo s > /data/secret && chown 42:43 /data/secret && chmod 0604 /data/secret && \
    ln -s ` + marker + ` /data/hostlink && ln -s ` + host + ` /data/hostdir && ln -s sub/deeper/f /data/rel && \
    mkfifo /data/fifo && ln -s ` + host + ` /escape
`})
	tag := "localhost/tmpcopyup-" + randHex()[:8] + ":latest"
	t.Cleanup(func() { burrow(t, "rmi", "-f", tag) })
	if r := burrow(t, "build", "-q", "-t", tag, dir); r.ExitCode != 0 {
		t.Fatalf("build: %s", describe(r))
	}
	script := `cd /data && grep -c ' /data tmpfs' /proc/mounts && stat -c '%n %F %a %u:%g' sub sub/deeper/f secret fifo &&
for l in hostlink hostdir rel; do echo "$l -> $(readlink $l)"; done; cat rel; cat hostlink hostdir/marker 2>/dev/null; true`
	got := mustRun(t, tag, []string{"--tmpfs", "/data"}, "sh", "-c", script)
	want := "1\n" +
		"sub directory 750 1234:5678\n" +
		"sub/deeper/f regular file 644 0:0\n" +
		"secret regular file 604 42:43\n" +
		"fifo fifo 644 0:0\n" +
		"hostlink -> " + marker + "\n" +
		"hostdir -> " + host + "\n" +
		"rel -> sub/deeper/f\n" +
		"deep\n"
	if got != want {
		t.Errorf("the copy of the image's /data:\n%s\nwant:\n%s", got, want)
	}
	// A read-only tmpfs is filled before it turns read-only.
	if got := mustRun(t, tag, []string{"--tmpfs", "/data:ro"}, "sh", "-c", "cat /data/rel; touch /data/x 2>/dev/null && echo writable; true"); got != "deep\n" {
		t.Errorf("--tmpfs /data:ro: %q, want the image's content, read-only", got)
	}
	// A tmpfs on an image's link to a host directory: mounted on that
	// path inside the container's root, and nothing of the host copied.
	got = mustRun(t, tag, []string{"--tmpfs", "/escape"}, "sh", "-c", "ls -A /escape/; ls -A "+host)
	if strings.Contains(got, "marker") {
		t.Errorf("a tmpfs on the image's link to %s shows the host's files: %q", host, got)
	}
}

// TestTmpfsCopyUpCreated: a file cp'd into a created container where its
// tmpfs goes is in the tmpfs once it starts (podman's 065-cp), systemd
// mode's /tmp too; /dev, the engine's own tmpfs, is not copied up.
func TestTmpfsCopyUpCreated(t *testing.T) {
	t.Parallel()
	src := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(src, []byte("copied up\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	must(t, "create", "--name", name, "--mount", "type=tmpfs,dst=/tmp", busyboxImage(t), "sh", "-c",
		"cat /tmp/file; ls -A /dev/shm; ls /dev/file 2>&1 >/dev/null | wc -l")
	for _, dst := range []string{"/tmp/", "/dev/"} {
		must(t, "cp", src, name+":"+dst)
	}
	if r := burrow(t, "start", "-a", name); r.ExitCode != 0 || r.Stdout != "copied up\n1\n" {
		t.Errorf("start: want the cp'd file in /tmp, none in /dev and an empty /dev/shm: %s", describe(r))
	}
	// systemd mode's own tmpfs on /tmp copies up too, as podman's.
	sd := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", sd) })
	must(t, "create", "--name", sd, "--systemd=always", busyboxImage(t), "sh", "-c", "grep -c ' /tmp tmpfs' /proc/mounts; cat /tmp/file")
	must(t, "cp", src, sd+":/tmp/")
	if r := burrow(t, "start", "-a", sd); r.ExitCode != 0 || r.Stdout != "1\ncopied up\n" {
		t.Errorf("start of a systemd-mode container: want its /tmp tmpfs with the cp'd file: %s", describe(r))
	}
}

// A --read-only container gets podman's writable tmpfs mounts on /run,
// /tmp and /var/tmp (--read-only-tmpfs, on by default), not where the user
// mounts something, and its /etc/hosts, hostname, resolv.conf and
// /run/.containerenv are read-only; --read-only-tmpfs=false leaves the
// root read-only throughout.
func TestReadOnlyTmpfs(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	if got := mustRun(t, img, []string{"--read-only"}, "sh", "-c", "touch /tmp/a /var/tmp/b /run/c && echo writable; touch /etc/d 2>/dev/null || echo ro; for f in /etc/hosts /etc/hostname /etc/resolv.conf /run/.containerenv; do (echo x >> $f) 2>/dev/null && echo wrote $f; done; true"); got != "writable\nro\n" {
		t.Errorf("--read-only: %q", got)
	}
	dir := t.TempDir()
	if got := mustRun(t, img, []string{"--read-only", "-v", dir + ":/tmp"}, "sh", "-c", "grep -c ' /tmp tmpfs' /proc/mounts; grep -c ' /var/tmp tmpfs' /proc/mounts"); got != "0\n1\n" {
		t.Errorf("--read-only with a bind on /tmp: %q", got)
	}
	r := burrow(t, "run", "--rm", "--read-only", "--read-only-tmpfs=false", img, "touch", "/tmp/x")
	if r.ExitCode == 0 || !strings.Contains(r.Stderr+r.Stdout, "Read-only file system") {
		t.Errorf("--read-only-tmpfs=false: want the write refused, got:\n%s", describe(r))
	}
}

// TestDockerTmpfsStartsEmpty: the API's tmpfs mounts start empty, as
// dockerd's (podman's --tmpfs copies the image's files up); inspect shows
// them in HostConfig.Tmpfs as given and not among the Mounts.
func TestDockerTmpfsStartsEmpty(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	img := busyboxImage(t)
	if out := mustDocker(t, host, "run", "--rm", "--tmpfs", "/etc:size=1m", img, "ls", "-a", "/etc"); strings.Contains(out, "passwd") {
		t.Errorf("docker run --tmpfs /etc: /etc holds the image's files:\n%s", out)
	}
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", name) })
	mustDocker(t, host, "create", "--name", name, "--tmpfs", "/scratch:size=1m", img, "true")
	if got := strings.TrimSpace(mustDocker(t, host, "inspect", "--format", "{{json .HostConfig.Tmpfs}} {{len .Mounts}}", name)); got != `{"/scratch":"size=1m"} 0` {
		t.Errorf("docker inspect: %s, want the tmpfs as given and no mount point", got)
	}
	if got := mustRun(t, img, []string{"--tmpfs", "/etc"}, "ls", "/etc"); !strings.Contains(got, "passwd") {
		t.Errorf("burrow run --tmpfs /etc: /etc lacks the image's files (podman copies them up):\n%s", got)
	}
}

// TestReadOnlyTmpfsTakesMountsOnTop: --tmpfs /etc:ro gets the image's
// files and burrow's /etc/hosts and /etc/hostname bound in, then turns
// read-only, as podman's (runc's) does.
func TestReadOnlyTmpfsTakesMountsOnTop(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	got := mustRun(t, img, []string{"--tmpfs", "/etc:ro", "--hostname", "rotmp"}, "sh", "-c", "cat /etc/hostname; ls /etc; touch /etc/new 2>&1; grep ' /etc tmpfs ro,' /proc/mounts | wc -l")
	for _, want := range []string{"rotmp\n", "passwd\n", "hosts\n", "Read-only file system", "\n1\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("--tmpfs /etc:ro: output lacks %q:\n%s", want, got)
		}
	}
}

// TestTmpfsTakesTheDirectorysMode: a tmpfs on a directory of the image
// takes its mode, copied up or not, unless mode= is given (runc's, so
// podman's); a new mount point's tmpfs is 1777.
func TestTmpfsTakesTheDirectorysMode(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	want := strings.TrimSpace(mustRun(t, img, nil, "stat", "-c", "%a", "/etc"))
	for _, c := range []struct{ opt, want string }{
		{"/etc:notmpcopyup", want}, {"/etc", want}, {"/etc:notmpcopyup,mode=700", "700"}, {"/brand-new", "1777"},
	} {
		dir, _, _ := strings.Cut(c.opt, ":")
		if got := strings.TrimSpace(mustRun(t, img, []string{"--tmpfs", c.opt}, "stat", "-c", "%a", dir)); got != c.want {
			t.Errorf("--tmpfs %s: mode %s, want %s", c.opt, got, c.want)
		}
	}
}
