package tests

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// podman cp's path forms, as users' scripts rely on them: relative paths
// are the container's working directory's, "dir/." copies a directory's
// contents, "-" is a tar archive on stdin or stdout, and CTR:PATH to
// CTR:PATH copies between containers, running or created.
func TestCpPodmanForms(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, []string{"--workdir=/home"}, "sh", "-c", "mkdir /home/subdir; echo dot > /tmp/dotfile.; touch /ready; sleep 1000")
	for i := 0; burrow(t, "exec", name, "test", "-e", "/ready").ExitCode != 0; i++ {
		if i > 200 {
			t.Fatal("the container never got ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	dir := t.TempDir()
	os.WriteFile(dir+"/hostfile", []byte("host\n"), 0o644)
	os.WriteFile(dir+"/dotfile.", []byte("dotted\n"), 0o644)
	os.MkdirAll(dir+"/d/sub", 0o755)
	os.WriteFile(dir+"/d/sub/f", []byte("deep\n"), 0o644)
	for _, c := range []struct{ src, dst, want string }{
		{dir + "/hostfile", name + ":.", "/home/hostfile"},
		{dir + "/hostfile", name + ":subdir", "/home/subdir/hostfile"},
		{dir + "/hostfile", name + ":renamed", "/home/renamed"},
		{dir + "/hostfile", name + ":/tmp/.", "/tmp/hostfile"},
		{dir + "/dotfile.", name + ":/tmp", "/tmp/dotfile."},
		{dir + "/d/.", name + ":/usr/", "/usr/sub/f"},
		{dir + "/d/.", name + ":/newdir", "/newdir/sub/f"},
		{dir + "/d/sub/.", name + ":subdir/.", "/home/subdir/f"},
	} {
		if r := burrow(t, "cp", c.src, c.dst); r.ExitCode != 0 {
			t.Errorf("cp %s %s: %s", c.src, c.dst, describe(r))
			continue
		}
		if r := burrow(t, "exec", name, "test", "-f", c.want); r.ExitCode != 0 {
			t.Errorf("cp %s %s: %s missing in the container", c.src, c.dst, c.want)
		}
	}

	// Errors name the path as typed, with podman's exit code.
	for _, c := range []struct{ src, dst, msg string }{
		{dir + "/nope", name + ":/tmp", fmt.Sprintf("Error: %q could not be found on the host: no such file or directory", dir+"/nope")},
		{dir + "/hostfile", name + ":/IdoNotExist/", fmt.Sprintf(`Error: "/IdoNotExist/" could not be found on container %s: no such file or directory`, name)},
		{name + ":nope", dir, fmt.Sprintf(`Error: "nope" could not be found on container %s: no such file or directory`, name)},
		{dir + "/d", name + ":/etc/passwd", "Error: destination must be a directory when copying a directory"},
		{name + ":/home", dir + "/hostfile", "Error: destination must be a directory when copying a directory"},
	} {
		r := burrow(t, "cp", c.src, c.dst)
		requireBurrowError(t, r, true)
		if got := strings.TrimSpace(r.Stderr); got != c.msg {
			t.Errorf("cp %s %s: stderr %q, want %q", c.src, c.dst, got, c.msg)
		}
	}

	// A tar on stdin keeps its IDs with -a=false; one on stdout holds
	// the file under its name.
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "a.txt", Mode: 0o644, Uid: 1042, Gid: 1043, Size: 3})
	tw.Write([]byte("tar"))
	tw.Close()
	if r := burrowStdin(t, buf.String(), "cp", "-a=false", "-", name+":/tmp/"); r.ExitCode != 0 {
		t.Fatalf("cp -a=false - CTR:/tmp/: %s", describe(r))
	}
	if got := must(t, "exec", name, "stat", "-c", "%u:%g", "/tmp/a.txt"); got != "1042:1043\n" {
		t.Errorf("cp -a=false from a tar: /tmp/a.txt owned by %q, want 1042:1043", got)
	}
	r := burrow(t, "cp", name+":/tmp/dotfile.", "-")
	if r.ExitCode != 0 {
		t.Fatalf("cp CTR:PATH -: %s", describe(r))
	}
	if h, err := tar.NewReader(strings.NewReader(r.Stdout)).Next(); err != nil || h.Name != "dotfile." {
		t.Errorf("cp CTR:PATH - wrote a tar whose first entry is %+v (%v), want dotfile.", h, err)
	}

	// Between containers, into a created one and out of it.
	created := ctrName(t) + "-created"
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", created) })
	must(t, "create", "--name", created, busyboxImage(t), "sleep", "1000")
	// /tmp/dotfile. is the host's now, copied in above.
	must(t, "cp", name+":/tmp/dotfile.", created+":/")
	must(t, "cp", name+":/home/subdir/.", created+":/newdir")
	must(t, "start", created)
	if got := must(t, "exec", created, "cat", "/dotfile.", "/newdir/f"); got != "dotted\ndeep\n" {
		t.Errorf("cp between containers: %q", got)
	}
	must(t, "cp", created+":/dotfile.", name+":/tmp/back")
	if got := must(t, "exec", name, "cat", "/tmp/back"); got != "dotted\n" {
		t.Errorf("cp from a created container to a running one: %q", got)
	}
	must(t, "cp", name+":subdir", filepath.Join(dir, "out"))
	if b, _ := os.ReadFile(filepath.Join(dir, "out", "f")); string(b) != "deep\n" {
		t.Errorf("cp of a relative directory to the host: out/f = %q", b)
	}
}

// With -a (the default) what is copied in belongs to the container's
// user, as podman does for --user=UID --userns=keep-id.
func TestCpArchiveOwner(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	uid := fmt.Sprint(os.Getuid())
	runDetached(t, name, []string{"--user=" + uid, "--userns=keep-id"}, "sleep", "1000")
	f := filepath.Join(t.TempDir(), "hostfile")
	os.WriteFile(f, []byte("x\n"), 0o644)
	must(t, "cp", f, name+":/tmp/hostfile")
	if got := must(t, "exec", name, "stat", "-c", "%u", "/tmp/hostfile"); got != uid+"\n" {
		t.Errorf("cp -a: copied file owned by %q, want the container user %s", got, uid)
	}
}

// A container that does not run has its layer mounted alone; podman cp
// reads and writes a path under one of its volumes or bind mounts in that
// mount's source, the deepest mount winning (podman's 065-cp: a volume
// inside another volume, a host directory inside a volume).
func TestCpStoppedContainersMounts(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	vol1, vol2 := "cpv1-"+randHex()[:8], "cpv2-"+randHex()[:8]
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", vol1, vol2) })
	must(t, "volume", "create", vol1)
	must(t, "volume", "create", vol2)
	mp1 := strings.TrimSpace(must(t, "volume", "inspect", "--format", "{{.Mountpoint}}", vol1))
	mp2 := strings.TrimSpace(must(t, "volume", "inspect", "--format", "{{.Mountpoint}}", vol2))
	hostDir, src := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(src, "hostfile"), []byte("into volume2\n"), 0o644)
	createCtr(t, name, []string{"-v", vol1 + ":/tmp/volume", "-v", vol2 + ":/tmp/volume/sub-volume", "-v", hostDir + ":/tmp/volume/mount"}, "true")

	must(t, "cp", filepath.Join(src, "hostfile"), name+":/tmp/volume/sub-volume")
	if b, err := os.ReadFile(filepath.Join(mp2, "hostfile")); err != nil || string(b) != "into volume2\n" {
		t.Errorf("cp into the nested volume of a created container: %s/hostfile = %q, %v", mp2, b, err)
	}
	if ents, _ := os.ReadDir(mp1); len(ents) != 0 {
		t.Errorf("the outer volume got %d entries, want none (%v)", len(ents), ents)
	}
	must(t, "cp", filepath.Join(src, "hostfile"), name+":/tmp/volume/mount/renamed")
	if b, err := os.ReadFile(filepath.Join(hostDir, "renamed")); err != nil || string(b) != "into volume2\n" {
		t.Errorf("cp into the bind mount of a created container: renamed = %q, %v", b, err)
	}
	// Out of them again, and as a tar on stdout.
	out := t.TempDir()
	must(t, "cp", name+":/tmp/volume/sub-volume/hostfile", filepath.Join(out, "back"))
	if b, _ := os.ReadFile(filepath.Join(out, "back")); string(b) != "into volume2\n" {
		t.Errorf("cp out of the nested volume of a created container: %q", b)
	}
	must(t, "cp", name+":/tmp/volume/mount", out)
	if b, _ := os.ReadFile(filepath.Join(out, "mount", "renamed")); string(b) != "into volume2\n" {
		t.Errorf("cp of a bind mount point out of a created container: mount/renamed = %q", b)
	}
	// Started, the container sees what was copied where it was copied.
	if got := mustRun(t, busyboxImage(t), []string{"-v", vol1 + ":/tmp/volume", "-v", vol2 + ":/tmp/volume/sub-volume"}, "cat", "/tmp/volume/sub-volume/hostfile"); got != "into volume2\n" {
		t.Errorf("a container with the volumes: %q", got)
	}
}

// cp --overwrite lets a file replace a directory and a directory a file,
// which a plain cp refuses (podman 4.4's flag); a destination that is
// neither a directory nor a regular file is refused with podman's error.
func TestCpOverwrite(t *testing.T) {
	t.Parallel()
	file, dir := ctrName(t)+"-file", ctrName(t)+"-dir"
	runDetached(t, file, nil, "sh", "-c", "echo file > /tmp/foo; touch /ready; sleep 1000")
	runDetached(t, dir, nil, "sh", "-c", "mkdir /tmp/foo; echo dir > /tmp/foo/file.txt; touch /ready; sleep 1000")
	for _, n := range []string{file, dir} {
		for i := 0; burrow(t, "exec", n, "test", "-e", "/ready").ExitCode != 0; i++ {
			if i > 200 {
				t.Fatal("the container never got ready")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if r := burrow(t, "cp", file+":/tmp/foo", dir+":/tmp"); r.ExitCode != 125 {
		t.Errorf("cp of a file over a directory: want exit 125, got:\n%s", describe(r))
	}
	must(t, "cp", "--overwrite", file+":/tmp/foo", dir+":/tmp")
	if got := must(t, "exec", dir, "cat", "/tmp/foo"); got != "file\n" {
		t.Errorf("cp --overwrite of a file over a directory: %q", got)
	}
	host := t.TempDir()
	os.Mkdir(filepath.Join(host, "foo"), 0o755)
	must(t, "cp", "--overwrite", file+":/tmp/foo", host)
	if b, _ := os.ReadFile(filepath.Join(host, "foo")); string(b) != "file\n" {
		t.Errorf("cp --overwrite of a file over a host directory: %q", b)
	}
	r := burrow(t, "cp", file+":/tmp/foo", "/dev/null")
	if want := `Error: invalid destination: "/dev/null" must be a directory or a regular file`; r.ExitCode != 125 || !strings.Contains(r.Stderr, want) {
		t.Errorf("cp to a device: want exit 125 and %q, got:\n%s", want, describe(r))
	}
}
