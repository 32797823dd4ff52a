package build

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

func cptMkfifo(p string) error { return unix.Mkfifo(p, 0o644) }

// cptOpts are options every user can apply: the files stay the caller's.
func cptOpts() CopyOptions {
	return CopyOptions{UID: os.Getuid(), GID: os.Getgid(), Ignore: true}
}

// cptTree describes what is under root as cptMake takes it, plus "|MODE"
// suffixes on nothing: kinds only, and file contents.
func cptTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out[rel] = "@link:" + target
		case d.IsDir():
			out[rel+"/"] = ""
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = string(b)
		default:
			out[rel] = "@" + d.Type().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func cptDiff(t *testing.T, got, want map[string]string) {
	t.Helper()
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		g, gok := got[k]
		w, wok := want[k]
		switch {
		case !wok:
			t.Errorf("unexpected %q (%q)", k, g)
		case !gok:
			t.Errorf("missing %q (want %q)", k, w)
		case g != w:
			t.Errorf("%q is %q, want %q", k, g, w)
		}
	}
}

func TestCopyRules(t *testing.T) {
	baseCtx := map[string]string{
		"Containerfile": "FROM scratch",
		"a.txt":         "A",
		"b.txt":         "B",
		"c.md":          "C",
		"dir/x":         "X",
		"dir/sub/y":     "Y",
		"dir/link":      "@link:/etc/passwd",
		"dir/empty/":    "",
		"etcpw":         "@link:/etc/passwd",
		"escape":        "@link:../../../../../../../../etc/passwd",
		"indir":         "@link:dir/x",
		"todir":         "@link:/dir",
		"secret.key":    "S",
		"logs/1.log":    "L",
		"keepdir/no":    "N",
		"keepdir/yes":   "Y",
		"keepdir/d/yes": "DY",
		"keepdir/d/no":  "DN",
		"tosecret":      "@link:secret.key",
		"h/t/f":         "F",
	}
	ignore := "secret.key\nlogs\nkeepdir\n!keepdir/yes\n!keepdir/d/yes\n"
	tests := []struct {
		name     string
		rootfs   map[string]string
		srcs     []string
		dest     string
		workdir  string
		noIgnore bool
		want     map[string]string // added to the rootfs's own files
		err      errdefs.Class
		errText  string
	}{
		{name: "file to file", srcs: []string{"a.txt"}, dest: "/b", want: map[string]string{"b": "A"}},
		{name: "file into existing dir", rootfs: map[string]string{"opt/": ""}, srcs: []string{"a.txt"}, dest: "/opt",
			want: map[string]string{"opt/a.txt": "A"}},
		{name: "file into dir named with slash", srcs: []string{"a.txt"}, dest: "/new/",
			want: map[string]string{"new/": "", "new/a.txt": "A"}},
		{name: "file over file", rootfs: map[string]string{"b": "old"}, srcs: []string{"a.txt"}, dest: "/b",
			want: map[string]string{"b": "A"}},
		{name: "dir copies its contents", srcs: []string{"dir"}, dest: "/app",
			want: map[string]string{"app/": "", "app/x": "X", "app/sub/": "", "app/sub/y": "Y", "app/link": "@link:/etc/passwd", "app/empty/": ""}},
		{name: "dir contents into existing dir", rootfs: map[string]string{"app/old": "O"}, srcs: []string{"dir/sub/"}, dest: "/app/",
			want: map[string]string{"app/": "", "app/old": "O", "app/y": "Y"}},
		{name: "dot copies the whole context", srcs: []string{"."}, dest: "/ctx", want: nil /* checked below */},
		{name: "wildcard", srcs: []string{"*.txt"}, dest: "/w/",
			want: map[string]string{"w/": "", "w/a.txt": "A", "w/b.txt": "B"}},
		{name: "wildcard in a directory component", srcs: []string{"h/*/f"}, dest: "/f",
			want: map[string]string{"f": "F"}},
		{name: "wildcard matching one file, dest a file", srcs: []string{"c.*"}, dest: "/c",
			want: map[string]string{"c": "C"}},
		{name: "several sources make dest a directory", srcs: []string{"a.txt", "b.txt"}, dest: "/multi",
			want: map[string]string{"multi/": "", "multi/a.txt": "A", "multi/b.txt": "B"}},
		{name: "several sources onto a file", rootfs: map[string]string{"multi": "file"}, srcs: []string{"a.txt", "b.txt"}, dest: "/multi",
			errText: "not a directory"},
		{name: "parents are created", srcs: []string{"a.txt"}, dest: "/p/q/r/f.txt",
			want: map[string]string{"p/": "", "p/q/": "", "p/q/r/": "", "p/q/r/f.txt": "A"}},
		{name: "relative dest under workdir", srcs: []string{"a.txt"}, dest: "rel/", workdir: "/work",
			want: map[string]string{"work/": "", "work/rel/": "", "work/rel/a.txt": "A"}},
		{name: "dot dest is the workdir", rootfs: map[string]string{"work/": ""}, srcs: []string{"a.txt"}, dest: ".", workdir: "/work",
			want: map[string]string{"work/a.txt": "A"}},
		{name: "relative dest without workdir", srcs: []string{"a.txt"}, dest: "top",
			want: map[string]string{"top": "A"}},
		{name: "dotdot source refused", srcs: []string{"../x"}, dest: "/",
			err: errdefs.ClassInvalid, errText: "COPY ../x: the path is outside the build context"},
		{name: "dotdot inside source refused", srcs: []string{"dir/../../x"}, dest: "/",
			err: errdefs.ClassInvalid, errText: "outside the build context"},
		{name: "dotdot that stays inside", srcs: []string{"dir/../a.txt"}, dest: "/in",
			want: map[string]string{"in": "A"}},
		{name: "absolute source is relative to the context", srcs: []string{"/a.txt"}, dest: "/abs",
			want: map[string]string{"abs": "A"}},
		{name: "absolute host path is not found", srcs: []string{"/etc/passwd"}, dest: "/x",
			err: errdefs.ClassNotFound, errText: "COPY /etc/passwd: no such file or directory in the build context"},
		{name: "missing source", srcs: []string{"nope"}, dest: "/x",
			err: errdefs.ClassNotFound, errText: "COPY nope: no such file or directory in the build context"},
		{name: "wildcard matching nothing", srcs: []string{"*.nope"}, dest: "/x/",
			err: errdefs.ClassNotFound, errText: "COPY *.nope: no such file or directory"},
		{name: "symlink to a host file is resolved in the context", srcs: []string{"etcpw"}, dest: "/x",
			err: errdefs.ClassNotFound},
		{name: "relative symlink escaping the context", srcs: []string{"escape"}, dest: "/x",
			err: errdefs.ClassNotFound},
		{name: "symlink source inside the context is followed", srcs: []string{"indir"}, dest: "/d/",
			want: map[string]string{"d/": "", "d/indir": "X"}},
		{name: "absolute symlink to a context directory", srcs: []string{"todir/sub"}, dest: "/s",
			want: map[string]string{"s/": "", "s/y": "Y"}},
		{name: "ignored file is not found", srcs: []string{"secret.key"}, dest: "/x",
			err: errdefs.ClassNotFound},
		{name: "symlink to an ignored file is not found", srcs: []string{"tosecret"}, dest: "/x",
			err: errdefs.ClassNotFound},
		{name: "ignored directory is not found", srcs: []string{"logs"}, dest: "/x",
			err: errdefs.ClassNotFound},
		{name: "exceptions re-include files of an ignored directory", srcs: []string{"keepdir"}, dest: "/k",
			want: map[string]string{"k/": "", "k/yes": "Y", "k/d/": "", "k/d/yes": "DY"}},
		{name: "ignore rules do not apply to another stage", noIgnore: true, srcs: []string{"logs", "secret.key"}, dest: "/s/",
			want: map[string]string{"s/": "", "s/1.log": "L", "s/secret.key": "S"}},
		{name: "file onto directory", rootfs: map[string]string{"d/x/": ""}, srcs: []string{"dir/x"}, dest: "/d/",
			err: errdefs.ClassConflict, errText: "cannot overwrite directory /d/x"},
		{name: "directory onto file", rootfs: map[string]string{"f": "file"}, srcs: []string{"dir"}, dest: "/f",
			errText: "not a directory"},
		{name: "file named as a directory", srcs: []string{"a.txt/"}, dest: "/x",
			err: errdefs.ClassNotFound, errText: "COPY a.txt/: not a directory"},
		{name: "wildcard with a slash matches directories only", srcs: []string{"d*/"}, dest: "/dd/",
			want: map[string]string{"dd/": "", "dd/x": "X", "dd/sub/": "", "dd/sub/y": "Y", "dd/link": "@link:/etc/passwd", "dd/empty/": ""}},
		{name: "url", srcs: []string{"https://example.com/x"}, dest: "/x",
			err: errdefs.ClassInvalid, errText: "remote sources are not supported"},
		{name: "existing symlink in dest dir is replaced", rootfs: map[string]string{"opt/a.txt": "@link:/etc/passwd"}, srcs: []string{"a.txt"}, dest: "/opt/",
			want: map[string]string{"opt/a.txt": "A"}},
		{name: "dest dir through a symlink in the rootfs", rootfs: map[string]string{"usr/lib/": "", "lib": "@link:usr/lib"}, srcs: []string{"a.txt"}, dest: "/lib/",
			want: map[string]string{"usr/lib/a.txt": "A"}},
		{name: "copied tree merges through a directory symlink", rootfs: map[string]string{"usr/sub/": "", "app/sub": "@link:/usr/sub"}, srcs: []string{"dir"}, dest: "/app",
			want: map[string]string{"app/x": "X", "app/link": "@link:/etc/passwd", "app/empty/": "", "usr/sub/y": "Y"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{".dockerignore": ignore}
			for k, v := range baseCtx {
				files[k] = v
			}
			ctx := cptContext(t, files)
			rootfs := t.TempDir()
			cptMake(t, rootfs, tc.rootfs)
			opts := cptOpts()
			opts.WorkDir = tc.workdir
			opts.Ignore = !tc.noIgnore
			err := Copy(ctx.Dir, rootfs, tc.srcs, tc.dest, ctx, opts)
			if tc.err != errdefs.Unknown || tc.errText != "" {
				if err == nil {
					t.Fatalf("no error, want %v %q", tc.err, tc.errText)
				}
				if tc.err != errdefs.Unknown && !errdefs.Is(err, tc.err) {
					t.Errorf("error class %v, want %v: %v", errdefs.ClassOf(err), tc.err, err)
				}
				if !strings.Contains(err.Error(), tc.errText) {
					t.Errorf("error %q does not say %q", err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				return
			}
			want := map[string]string{}
			for k, v := range tc.rootfs {
				want[k] = v
			}
			for k, v := range tc.want {
				want[k] = v
			}
			// cptMake's implied parents.
			for k := range want {
				for d := filepath.Dir(strings.TrimSuffix(k, "/")); d != "."; d = filepath.Dir(d) {
					want[d+"/"] = ""
				}
			}
			cptDiff(t, cptTree(t, rootfs), want)
		})
	}
}

func TestCopyWholeContextWithIgnores(t *testing.T) {
	ctx := cptContext(t, map[string]string{
		".dockerignore":      "*.log\nvendor\nbuild\n!build/out/keep.bin\nContainerfile\n.dockerignore\n",
		"Containerfile":      "FROM x",
		"main.go":            "main",
		"debug.log":          "log",
		"sub/deep.log":       "kept: *.log is top level only",
		"vendor/v.go":        "v",
		"build/tmp.o":        "o",
		"build/out/keep.bin": "K",
		"build/out/drop.bin": "D",
	})
	rootfs := t.TempDir()
	if err := Copy(ctx.Dir, rootfs, []string{"."}, "/app/", ctx, cptOpts()); err != nil {
		t.Fatal(err)
	}
	cptDiff(t, cptTree(t, rootfs), map[string]string{
		"app/":                   "",
		"app/main.go":            "main",
		"app/sub/":               "",
		"app/sub/deep.log":       "kept: *.log is top level only",
		"app/build/":             "",
		"app/build/out/":         "",
		"app/build/out/keep.bin": "K",
	})
	// The ignored Containerfile stays readable by whoever opens it.
	if _, err := os.ReadFile(filepath.Join(ctx.Dir, "Containerfile")); err != nil {
		t.Fatal(err)
	}
}

func TestCopySymlinkedDestStaysInRootfs(t *testing.T) {
	host := t.TempDir() // stands for a host directory a symlink in the image names
	hostFile := filepath.Join(host, "hostfile")
	if err := os.WriteFile(hostFile, []byte("host"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := cptContext(t, map[string]string{"a.txt": "A", "d/x": "X"})
	for _, tc := range []struct{ link, dest, srcs string }{
		{host, "/target/", "a.txt"},
		{host, "/target", "a.txt"},
		{host, "/target", "d"},
		{host, "/target/sub/", "a.txt"},
		{hostFile, "/target", "a.txt"},
		{"../../../../../../../.." + host, "/target/", "a.txt"},
	} {
		rootfs := t.TempDir()
		if err := os.Symlink(tc.link, filepath.Join(rootfs, "target")); err != nil {
			t.Fatal(err)
		}
		if err := Copy(ctx.Dir, rootfs, []string{tc.srcs}, tc.dest, ctx, cptOpts()); err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if got := cptTree(t, host); len(got) != 1 || got["hostfile"] != "host" {
			t.Fatalf("%+v: the host directory changed: %v", tc, got)
		}
		// What was written is inside rootfs, where the link leads from "/".
		found := false
		for k := range cptTree(t, rootfs) {
			if strings.HasPrefix(k, strings.TrimPrefix(host, "/")) {
				found = true
			}
		}
		if !found {
			t.Errorf("%+v: nothing written under rootfs%s: %v", tc, host, cptTree(t, rootfs))
		}
	}
}

func TestCopyParentDirsAndModes(t *testing.T) {
	ctx := cptContext(t, map[string]string{"f": "F", "d/ro/x": "X", "d/exe": "E"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Chmod(filepath.Join(ctx.Dir, "d/exe"), 0o750))
	must(os.Chmod(filepath.Join(ctx.Dir, "d/ro/x"), 0o400))
	must(os.Chmod(filepath.Join(ctx.Dir, "d/ro"), 0o555))
	t.Cleanup(func() { os.Chmod(filepath.Join(ctx.Dir, "d/ro"), 0o755) })
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	must(os.Chtimes(filepath.Join(ctx.Dir, "d/exe"), old, old))
	must(os.Chtimes(filepath.Join(ctx.Dir, "d/ro"), old, old))

	defer syscall.Umask(syscall.Umask(0o077))
	rootfs := t.TempDir()
	must(Copy(ctx.Dir, rootfs, []string{"f"}, "/a/b/c", ctx, cptOpts()))
	must(Copy(ctx.Dir, rootfs, []string{"d"}, "/d", ctx, cptOpts()))
	roDir := filepath.Join(rootfs, "d/ro")
	t.Cleanup(func() { os.Chmod(roDir, 0o755) })
	for rel, want := range map[string]os.FileMode{
		"a":      fs.ModeDir | 0o755,
		"a/b":    fs.ModeDir | 0o755,
		"a/b/c":  0o644,
		"d":      fs.ModeDir | 0o755,
		"d/exe":  0o750,
		"d/ro":   fs.ModeDir | 0o555,
		"d/ro/x": 0o400,
	} {
		fi, err := os.Lstat(filepath.Join(rootfs, rel))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", rel, fi.Mode(), want)
		}
	}
	for _, rel := range []string{"d/exe", "d/ro"} {
		fi, err := os.Lstat(filepath.Join(rootfs, rel))
		must(err)
		if !fi.ModTime().Equal(old) {
			t.Errorf("%s: mtime %v, want %v", rel, fi.ModTime(), old)
		}
	}

	// --chmod applies to files and directories, not to symlinks.
	rootfs = t.TempDir()
	roDir2 := filepath.Join(rootfs, "cd/ro")
	t.Cleanup(func() { os.Chmod(roDir2, 0o755) })
	opts := cptOpts()
	opts.Chmod, opts.HasChmod = 0o640, true
	must(Copy(ctx.Dir, rootfs, []string{"d/exe"}, "/exe", ctx, opts))
	opts.Chmod = 0o711
	must(Copy(ctx.Dir, rootfs, []string{"d"}, "/cd", ctx, opts))
	for rel, want := range map[string]os.FileMode{
		"exe":     0o640,
		"cd/exe":  0o711,
		"cd/ro":   fs.ModeDir | 0o711,
		"cd/ro/x": 0o711,
	} {
		fi, err := os.Lstat(filepath.Join(rootfs, rel))
		must(err)
		if fi.Mode() != want {
			t.Errorf("chmod %s: mode %v, want %v", rel, fi.Mode(), want)
		}
	}
	// The octal special bits are understood.
	if got := chmodMode(0o4755); got != os.ModeSetuid|0o755 {
		t.Errorf("chmodMode(04755) = %v", got)
	}
}

func TestCopySpecialFiles(t *testing.T) {
	ctx := cptContext(t, map[string]string{"d/f": "F"})
	if err := os.Link(filepath.Join(ctx.Dir, "d/f"), filepath.Join(ctx.Dir, "d/hard")); err != nil {
		t.Fatal(err)
	}
	if err := cptMkfifo(filepath.Join(ctx.Dir, "d/pipe")); err != nil {
		t.Fatal(err)
	}
	// A socket path must be short; make it in a short temporary directory.
	sockDir, err := os.MkdirTemp("", "s")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(sockDir)
	l, err := net.Listen("unix", filepath.Join(sockDir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if err := os.Rename(filepath.Join(sockDir, "s"), filepath.Join(ctx.Dir, "d/sock")); err != nil {
		t.Skip("cannot move a socket into the context:", err)
	}
	rootfs := t.TempDir()
	if err := Copy(ctx.Dir, rootfs, []string{"d"}, "/d", ctx, cptOpts()); err != nil {
		t.Fatal(err)
	}
	cptDiff(t, cptTree(t, rootfs), map[string]string{"d/": "", "d/f": "F", "d/hard": "F", "d/pipe": "@" + fs.ModeNamedPipe.String()})
	var a, b syscall.Stat_t
	syscall.Lstat(filepath.Join(rootfs, "d/f"), &a)
	syscall.Lstat(filepath.Join(rootfs, "d/hard"), &b)
	if a.Ino == b.Ino {
		t.Errorf("hard links are copied as separate files")
	}

	// Device nodes are refused (making one needs root).
	if os.Getuid() != 0 {
		return
	}
	if err := unix.Mknod(filepath.Join(ctx.Dir, "d/null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Skip("cannot make a device node:", err)
	}
	err = Copy(ctx.Dir, t.TempDir(), []string{"d"}, "/d", ctx, cptOpts())
	if !errdefs.Is(err, errdefs.ClassInvalid) || !strings.Contains(err.Error(), "device node") {
		t.Errorf("device node: %v", err)
	}
	if _, err := Digest(ctx.Dir, []string{"d"}, ctx, true, "COPY"); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("device node digest: %v", err)
	}
}

func cptOwner(t *testing.T, p string) (int, int) {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return int(st.Uid), int(st.Gid)
}

func TestCopyChown(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("giving files to other owners needs root (CAP_CHOWN); the rest of Copy is tested without it")
	}
	ctx := cptContext(t, map[string]string{"d/f": "F", "d/sub/g": "G", "d/link": "@link:f", "one": "1"})
	rootfs := t.TempDir()
	cptMake(t, rootfs, map[string]string{"existing/": ""})
	opts := cptOpts()
	opts.UID, opts.GID = 1234, 5678
	if err := Copy(ctx.Dir, rootfs, []string{"d"}, "/new/parent/d", ctx, opts); err != nil {
		t.Fatal(err)
	}
	if err := Copy(ctx.Dir, rootfs, []string{"one"}, "/existing/", ctx, opts); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"new", "new/parent", "new/parent/d", "new/parent/d/f", "new/parent/d/sub", "new/parent/d/sub/g", "new/parent/d/link", "existing/one"} {
		if uid, gid := cptOwner(t, filepath.Join(rootfs, rel)); uid != 1234 || gid != 5678 {
			t.Errorf("%s owned by %d:%d", rel, uid, gid)
		}
	}
	if uid, gid := cptOwner(t, filepath.Join(rootfs, "existing")); uid != 0 || gid != 0 {
		t.Errorf("an existing destination changed owner: %d:%d", uid, gid)
	}
	// The docker default, root.
	opts.UID, opts.GID = 0, 0
	if err := os.Chown(filepath.Join(ctx.Dir, "one"), 99, 99); err != nil {
		t.Fatal(err)
	}
	if err := Copy(ctx.Dir, rootfs, []string{"one"}, "/root-owned", ctx, opts); err != nil {
		t.Fatal(err)
	}
	if uid, gid := cptOwner(t, filepath.Join(rootfs, "root-owned")); uid != 0 || gid != 0 {
		t.Errorf("default owner %d:%d", uid, gid)
	}
}

// cptTar makes a tar archive of entries, gzipped when asked.
func cptTar(t *testing.T, gz bool, entries ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w *tar.Writer
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = tar.NewWriter(zw)
	} else {
		w = tar.NewWriter(&buf)
	}
	for _, h := range entries {
		body := ""
		if h.Typeflag == tar.TypeReg {
			body = h.Linkname // the content rides in Linkname for brevity
			h.Linkname = ""
			h.Size = int64(len(body))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
			if h.Typeflag == tar.TypeDir {
				h.Mode = 0o755
			}
		}
		if h.ModTime.IsZero() {
			h.ModTime = time.Unix(1e9, 0)
		}
		h.Uid, h.Gid = os.Getuid(), os.Getgid()
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func cptFile(name, content string) *tar.Header {
	return &tar.Header{Name: name, Typeflag: tar.TypeReg, Linkname: content}
}

func cptAdd(t *testing.T, archive []byte, dest string, rootfs map[string]string) (string, error) {
	t.Helper()
	ctx := cptContext(t, nil)
	if err := os.WriteFile(filepath.Join(ctx.Dir, "payload.bin"), archive, 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	cptMake(t, root, rootfs)
	opts := cptOpts()
	opts.Extract = true
	opts.KeepArchiveOwners = true
	return root, Copy(ctx.Dir, root, []string{"payload.bin"}, dest, ctx, opts)
}

func TestAddExtracts(t *testing.T) {
	entries := func() []*tar.Header {
		return []*tar.Header{
			{Name: "top/", Typeflag: tar.TypeDir},
			cptFile("top/a", "A"),
			{Name: "top/link", Typeflag: tar.TypeSymlink, Linkname: "a"},
			{Name: "top/hard", Typeflag: tar.TypeLink, Linkname: "top/a"},
			cptFile("implied/dir/b", "B"),
			cptFile("/abs", "ABS"),
			{Name: "./", Typeflag: tar.TypeDir, Mode: 0o750},
		}
	}
	want := map[string]string{
		"opt/":                "",
		"opt/x/":              "",
		"opt/x/top/":          "",
		"opt/x/top/a":         "A",
		"opt/x/top/link":      "@link:a",
		"opt/x/top/hard":      "A",
		"opt/x/implied/":      "",
		"opt/x/implied/dir/":  "",
		"opt/x/implied/dir/b": "B",
		"opt/x/abs":           "ABS",
	}
	for _, gz := range []bool{false, true} {
		root, err := cptAdd(t, cptTar(t, gz, entries()...), "/opt/x", nil)
		if err != nil {
			t.Fatalf("gzip %v: %v", gz, err)
		}
		cptDiff(t, cptTree(t, root), want)
		fi, err := os.Stat(filepath.Join(root, "opt/x"))
		if err != nil || fi.Mode().Perm() != 0o750 {
			t.Errorf("the archive's ./ entry sets the destination's mode: %v %v", fi.Mode(), err)
		}
	}

	// Not an archive (even gzipped): copied as it is.
	var gzText bytes.Buffer
	zw := gzip.NewWriter(&gzText)
	zw.Write([]byte("just text"))
	zw.Close()
	for _, content := range [][]byte{[]byte("plain text"), gzText.Bytes()} {
		root, err := cptAdd(t, content, "/f", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(filepath.Join(root, "f")); err != nil || !bytes.Equal(got, content) {
			t.Errorf("non-archive not copied as is: %q %v", got, err)
		}
	}
}

func TestAddArchiveCannotEscape(t *testing.T) {
	host := t.TempDir()
	for _, tc := range []struct {
		name    string
		entries []*tar.Header
		err     bool
		want    map[string]string // under dest
	}{
		{name: "dotdot entry", entries: []*tar.Header{cptFile("../evil", "E")}, err: true},
		{name: "dotdot inside entry", entries: []*tar.Header{cptFile("a/../../../evil", "E")}, err: true},
		{name: "symlink then file through it", entries: []*tar.Header{
			{Name: "up", Typeflag: tar.TypeSymlink, Linkname: "../../../../../../.."},
			cptFile("up/evil", "E"),
		}, want: map[string]string{"up": "@link:../../../../../../..", "evil": "E"}},
		{name: "absolute symlink then file through it", entries: []*tar.Header{
			{Name: "hostdir", Typeflag: tar.TypeSymlink, Linkname: host},
			cptFile("hostdir/evil", "E"),
		}, want: map[string]string{"hostdir": "@link:" + host, strings.TrimPrefix(host, "/") + "/evil": "E"}},
		{name: "symlink then directory through it", entries: []*tar.Header{
			{Name: "up", Typeflag: tar.TypeSymlink, Linkname: "/"},
			{Name: "up/etc/", Typeflag: tar.TypeDir},
			cptFile("up/etc/evil", "E"),
		}, want: map[string]string{"up": "@link:/", "etc/": "", "etc/evil": "E"}},
		{name: "symlink replaced by file, never written through", entries: []*tar.Header{
			{Name: "f", Typeflag: tar.TypeSymlink, Linkname: host + "/victim"},
			cptFile("f", "E"),
		}, want: map[string]string{"f": "E"}},
		{name: "hard link out", entries: []*tar.Header{{Name: "h", Typeflag: tar.TypeLink, Linkname: "../outside"}}, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, err := cptAdd(t, cptTar(t, true, tc.entries...), "/in/dest/", map[string]string{"in/sibling": "S", "outside": "O"})
			if tc.err {
				if !errdefs.Is(err, errdefs.ClassInvalid) || !strings.Contains(err.Error(), "outside the destination") {
					t.Errorf("error %v", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := cptTree(t, host); len(got) != 0 {
				t.Errorf("the host directory changed: %v", got)
			}
			got := cptTree(t, root)
			for k, v := range got {
				if k == "in/" || k == "in/sibling" || k == "outside" || k == "in/dest/" {
					continue
				}
				if !strings.HasPrefix(k, "in/dest/") {
					t.Errorf("%q (%q) landed outside the destination", k, v)
				}
			}
			if got["in/sibling"] != "S" || got["outside"] != "O" {
				t.Errorf("files outside the destination changed: %v", got)
			}
			if tc.want != nil {
				under := map[string]string{}
				for k, v := range got {
					if rest, ok := strings.CutPrefix(k, "in/dest/"); ok && rest != "" {
						under[rest] = v
					}
				}
				want := map[string]string{}
				for k, v := range tc.want {
					want[k] = v
					for d := filepath.Dir(strings.TrimSuffix(k, "/")); d != "."; d = filepath.Dir(d) {
						want[d+"/"] = ""
					}
				}
				cptDiff(t, under, want)
			}
		})
	}
}

func TestAddOwners(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("archives with other owners need root (CAP_CHOWN) to unpack")
	}
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	w.WriteHeader(&tar.Header{Name: "d/", Typeflag: tar.TypeDir, Mode: 0o755, Uid: 11, Gid: 12})
	w.WriteHeader(&tar.Header{Name: "d/f", Typeflag: tar.TypeReg, Mode: 0o4755, Uid: 21, Gid: 22})
	w.WriteHeader(&tar.Header{Name: "implied/g", Typeflag: tar.TypeReg, Mode: 0o644, Uid: 31, Gid: 32})
	w.Close()
	ctx := cptContext(t, nil)
	os.WriteFile(filepath.Join(ctx.Dir, "a.tar"), buf.Bytes(), 0o644)

	root := t.TempDir()
	opts := CopyOptions{Extract: true, KeepArchiveOwners: true, Ignore: true}
	if err := Copy(ctx.Dir, root, []string{"a.tar"}, "/x", ctx, opts); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string][2]int{"x": {0, 0}, "x/d": {11, 12}, "x/d/f": {21, 22}, "x/implied": {0, 0}, "x/implied/g": {31, 32}} {
		if uid, gid := cptOwner(t, filepath.Join(root, rel)); uid != want[0] || gid != want[1] {
			t.Errorf("%s owned by %d:%d, want %v", rel, uid, gid, want)
		}
	}
	if fi, _ := os.Lstat(filepath.Join(root, "x/d/f")); fi.Mode() != os.ModeSetuid|0o755 {
		t.Errorf("setuid lost: %v", fi.Mode())
	}

	root = t.TempDir()
	opts = CopyOptions{UID: 7, GID: 8, Extract: true, Ignore: true}
	if err := Copy(ctx.Dir, root, []string{"a.tar"}, "/x", ctx, opts); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"x", "x/d", "x/d/f", "x/implied", "x/implied/g"} {
		if uid, gid := cptOwner(t, filepath.Join(root, rel)); uid != 7 || gid != 8 {
			t.Errorf("--chown: %s owned by %d:%d", rel, uid, gid)
		}
	}
}

func TestAddRemote(t *testing.T) {
	ctx := cptContext(t, nil)
	opts := cptOpts()
	opts.Extract = true
	err := Copy(ctx.Dir, t.TempDir(), []string{"https://example.com/a.tar.gz"}, "/", ctx, opts)
	if !errdefs.Is(err, errdefs.ClassInvalid) || err.Error() !=
		"ADD https://example.com/a.tar.gz: remote sources are not supported; download the file into the build context" {
		t.Errorf("got %v", err)
	}
}

func TestCopyFromStage(t *testing.T) {
	// Another stage's root: no context, no ignore rules, and its absolute
	// symlinks resolve inside it.
	stage := t.TempDir()
	cptMake(t, stage, map[string]string{"usr/bin/tool": "T", "bin": "@link:/usr/bin", "etc/passwd": "stage"})
	rootfs := t.TempDir()
	ctx := cptContext(t, map[string]string{".dockerignore": "*"})
	opts := cptOpts()
	opts.Ignore = false
	if err := Copy(stage, rootfs, []string{"/bin/tool", "/etc/passwd"}, "/out/", ctx, opts); err != nil {
		t.Fatal(err)
	}
	cptDiff(t, cptTree(t, rootfs), map[string]string{"out/": "", "out/tool": "T", "out/passwd": "stage"})
	err := Copy(stage, rootfs, []string{"/nope"}, "/out/", nil, opts)
	if !errdefs.Is(err, errdefs.ClassNotFound) || strings.Contains(err.Error(), "build context") {
		t.Errorf("missing in a stage: %v", err)
	}
}
