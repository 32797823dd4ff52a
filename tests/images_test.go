package tests

import (
	"archive/tar"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// imageIDs maps each name `burrow images` lists to its full ID.
func imageIDs(t testing.TB) map[string]string {
	t.Helper()
	out := must(t, "images", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}")
	m := map[string]string{}
	for _, l := range nonEmptyLines(out) {
		if n, id, ok := strings.Cut(l, " "); ok {
			m[n] = strings.TrimPrefix(id, "sha256:")
		}
	}
	return m
}

func testRef(t testing.TB, name string) string { return testRegistry(t) + "/" + name + ":latest" }

func TestImagesTagRmi(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	tag := "localhost/tagged-" + randHex()[:8] + ":v1"
	must(t, "tag", img, strings.TrimPrefix(tag, "localhost/"))
	ids := imageIDs(t)
	if ids[tag] == "" || ids[tag] != ids[img] {
		t.Fatalf("after tag, images shows %q -> %q, want the ID of %s (%q)", tag, ids[tag], img, ids[img])
	}
	out := must(t, "images")
	if !strings.HasPrefix(out, "REPOSITORY") || !strings.Contains(out, ids[img][:12]) {
		t.Errorf("images table:\n%s", out)
	}
	var rows []struct {
		ID    string   `json:"Id"`
		Names []string `json:"Names"`
		Size  int64    `json:"Size"`
	}
	if err := json.Unmarshal([]byte(must(t, "images", "--format", "json")), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("images --format json: %v", err)
	}
	if got := strings.TrimSpace(must(t, "images", "-q", "--filter", "reference="+strings.TrimPrefix(tag, "localhost/"))); got != ids[img][:12] {
		t.Errorf("images -q --filter reference=: %q", got)
	}
	// One of several names: rmi only untags.
	r := burrow(t, "rmi", tag)
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, "Untagged: "+tag) || strings.Contains(r.Stdout, "Deleted") {
		t.Fatalf("rmi of one of two names: %s", describe(r))
	}
	if ids := imageIDs(t); ids[img] == "" || ids[tag] != "" {
		t.Errorf("after rmi of the tag: %v", ids)
	}
	if r := burrow(t, "rmi", "no-such-image-"+randHex()); r.ExitCode != 1 {
		t.Errorf("rmi of an unknown image: want exit 1 as podman, got:\n%s", describe(r))
	}
	requireBurrowError(t, burrow(t, "tag", img, "Bad Name"), true)
}

func TestRmiInUse(t *testing.T) {
	t.Parallel()
	// An image of its own, so that removing it disturbs no other test.
	base := ctrName(t)
	runDetached(t, base, nil, "sh", "-c", "echo "+randHex()+" > /unique") // a layer no other test commits
	must(t, "wait", base)
	ref := "localhost/rmi-in-use-" + randHex()[:8] + ":latest"
	must(t, "commit", "-q", base, ref)
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	user := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", user) })
	must(t, "run", "-d", "--name", user, ref, "sleep", "1000")
	r := burrow(t, "rmi", ref)
	if r.ExitCode != 2 || len(nonEmptyLines(r.Stderr)) != 1 {
		t.Errorf("rmi of an image a container uses: want exit 2 and one error line, got:\n%s", describe(r))
	}
	if imageIDs(t)[ref] == "" {
		t.Fatal("a refused rmi removed the image")
	}
	must(t, "rmi", "-f", ref)
	if imageIDs(t)[ref] != "" || psStatus(t, user) != "" {
		t.Errorf("rmi -f left the image or its container")
	}
}

// TestRmiInfraImage: an image a pod's infra container uses is refused
// with podman's words; rmi -f removes the whole pod with it, and prints
// every name untagged before the IDs deleted, as podman's.
func TestRmiInfraImage(t *testing.T) {
	t.Parallel()
	base := ctrName(t)
	runDetached(t, base, nil, "sh", "-c", "echo "+randHex()+" > /unique") // a layer no other test commits
	must(t, "wait", base)
	ref := "localhost/infra-" + randHex()[:8] + ":latest"
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	id := strings.TrimSpace(must(t, "commit", "-q", base, ref))
	pod := "rmipod-" + randHex()[:8]
	t.Cleanup(func() { burrow(t, "pod", "rm", "-f", "-t", "0", pod) })
	must(t, "pod", "create", "--name", pod, "--infra-image", ref, "--infra-command", "sleep")
	member := createCtr(t, ctrName(t), []string{"--pod", pod}, "true")
	r := burrow(t, "rmi", ref)
	want := "Error: image used by " + id + ": image is in use by a container: consider listing external containers and force-removing image"
	if r.ExitCode != 2 || strings.TrimSpace(r.Stderr) != want {
		t.Fatalf("rmi of a pod's infra image: want exit 2 and %q, got:\n%s", want, describe(r))
	}
	out := must(t, "rmi", "-f", ref)
	if out != "Untagged: "+ref+"\nDeleted: "+id+"\n" {
		t.Errorf("rmi -f of the infra image printed %q", out)
	}
	if r := burrow(t, "pod", "exists", pod); r.ExitCode != 1 {
		t.Errorf("rmi -f left the pod whose infra used the image:\n%s", describe(r))
	}
	if r := burrow(t, "container", "exists", member); r.ExitCode != 1 {
		t.Errorf("rmi -f left the pod's other container:\n%s", describe(r))
	}
}

// TestLoadNotAnArchive: load of a file or stdin that is no image archive
// fails with the words podman prints, and loads nothing.
func TestLoadNotAnArchive(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "invalid")
	if err := os.WriteFile(bad, []byte("I am not an image archive\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const words = "payload does not match any of the supported image formats:"
	for _, r := range []result{burrow(t, "load", "-i", bad), burrowStdin(t, "a corrupt tarball\n", "load")} {
		if r.ExitCode != 125 || !strings.Contains(r.Stderr, words) || len(nonEmptyLines(r.Stderr)) != 1 {
			t.Errorf("load of no archive: want exit 125 and one line with %q, got:\n%s", words, describe(r))
		}
	}
}

func TestImageInspectHistory(t *testing.T) {
	t.Parallel()
	img := configImage(t)
	var data []struct {
		ID       string   `json:"Id"`
		RepoTags []string `json:"RepoTags"`
		Config   struct {
			Entrypoint []string
			Cmd        []string
			WorkingDir string
		}
		RootFS struct{ Layers []string }
		Size   int64
	}
	if err := json.Unmarshal([]byte(must(t, "image", "inspect", img)), &data); err != nil || len(data) != 1 {
		t.Fatalf("image inspect: %v", err)
	}
	d := data[0]
	if d.Config.WorkingDir != "/srv" || d.Config.Entrypoint[0] != "/bin/echo" || len(d.RootFS.Layers) != 2 || d.Size <= 0 || !contains(d.RepoTags, img) {
		t.Errorf("image inspect: %+v", d)
	}
	if got := inspectField(t, img, "{{.Config.WorkingDir}}"); got != "/srv" {
		t.Errorf("inspect of an image by name: %q", got)
	}
	lines := nonEmptyLines(must(t, "history", img))
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "ID") {
		t.Errorf("history:\n%s", strings.Join(lines, "\n"))
	}
	// podman's history flags: templates, -q, -H, --no-trunc, --human=false, json.
	id := inspectField(t, img, "{{.Id}}")
	for _, tc := range []struct {
		args []string
		want string // a regular expression the first line matches
	}{
		{[]string{"--format", "{{.ID}} {{.Created}} {{.Tags}}"}, `^` + id[:12] + ` .* ago \[` + regexp.QuoteMeta(img) + `\]$`},
		{[]string{"--human=false", "-H"}, `^` + id[:12] + ` +[0-9-]+T[0-9:]+Z `},
		{[]string{"-qH"}, `^` + id[:12] + `$`},
		{[]string{"--no-trunc", "--noheading"}, `^` + id + ` `},
		{[]string{"--format", "table {{.ID}} {{.CreatedBy}}"}, `^ID +CREATED BY$`},
	} {
		out := nonEmptyLines(must(t, append(append([]string{"history"}, tc.args...), img)...))
		if len(out) == 0 || !regexp.MustCompile(tc.want).MatchString(out[0]) {
			t.Errorf("history %s: first line %q, want %s", strings.Join(tc.args, " "), out, tc.want)
		}
	}
	var hist []struct {
		ID      string    `json:"id"`
		Created time.Time `json:"created"`
		Size    *int64    `json:"size"`
	}
	if err := json.Unmarshal([]byte(must(t, "history", "--format", "json", img)), &hist); err != nil || len(hist) < 2 ||
		hist[0].ID != id || hist[1].ID != "<missing>" || hist[0].Size == nil || hist[0].Created.IsZero() {
		t.Errorf("history --format json: %+v, %v", hist, err)
	}
}

func TestCommitDiffExportImport(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, nil, "sh", "-c", "echo committed > /hello; rm /bin/vi; mkdir /newdir")
	must(t, "wait", name)
	diff := nonEmptyLines(must(t, "diff", name))
	for _, want := range []string{"A /hello", "D /bin/vi", "A /newdir", "C /bin"} {
		if !contains(diff, want) {
			t.Errorf("diff lacks %q: %q", want, diff)
		}
	}
	// The mount points of the run are not the container's changes (podman's diff).
	for _, line := range diff {
		if p := strings.TrimPrefix(line[1:], " "); p == "/etc/hosts" || p == "/etc/resolv.conf" || p == "/etc/hostname" || p == "/run" || p == "/run/.containerenv" {
			t.Errorf("diff lists the run's mount point %s: %q", p, diff)
		}
	}
	ref := "localhost/committed-" + randHex()[:8] + ":v1"
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	must(t, "commit", "-q", "-m", "a message", "--change", `CMD ["cat", "/hello"]`, "--change", "ENV ADDED=yes", name, ref)
	if got := mustRun(t, ref, nil); got != "committed\n" {
		t.Errorf("running the committed image: %q", got)
	}
	if got := mustRun(t, ref, nil, "sh", "-c", "echo $ADDED; test -e /bin/vi || echo vi-gone"); got != "yes\nvi-gone\n" {
		t.Errorf("the committed image's env and deletion: %q", got)
	}
	// An image's diff is its top layer's; two names compare their layers.
	if d := nonEmptyLines(must(t, "diff", ref)); !contains(d, "A /hello") || !contains(d, "D /bin/vi") {
		t.Errorf("diff of the committed image: %q", d)
	}
	var changes struct{ Added, Changed, Deleted []string }
	if err := json.Unmarshal([]byte(must(t, "diff", "--format", "json", ref, busyboxImage(t))), &changes); err != nil ||
		!contains(changes.Added, "/hello") || !contains(changes.Deleted, "/bin/vi") ||
		contains(changes.Added, "/etc/hosts") || contains(changes.Added, "/etc/resolv.conf") || contains(changes.Added, "/etc/mtab") {
		t.Errorf("diff --format json of the image against its base (the run's mount points are no changes): %+v, %v", changes, err)
	}
	if h := must(t, "history", ref); !strings.Contains(h, "a message") {
		t.Errorf("history of the commit lacks its message:\n%s", h)
	}
	// Only the base's layers and one new one: the store reused the rest.
	if n := inspectField(t, ref, "{{len .RootFS.Layers}}"); n != "2" {
		t.Errorf("the committed image has %s layers, want 2", n)
	}

	dir := t.TempDir()
	tarPath := filepath.Join(dir, "export.tar")
	must(t, "export", "-o", tarPath, name)
	names := tarNames(t, tarPath)
	if !names["hello"] || names["bin/vi"] || !names["bin/busybox"] {
		t.Errorf("export: hello %v, bin/vi %v, bin/busybox %v", names["hello"], names["bin/vi"], names["bin/busybox"])
	}
	imported := "localhost/imported-" + randHex()[:8] + ":v1"
	t.Cleanup(func() { burrow(t, "rmi", "-f", imported) })
	must(t, "import", "-q", "--change", `CMD ["/bin/cat", "/hello"]`, tarPath, imported)
	if got := mustRun(t, imported, nil); got != "committed\n" {
		t.Errorf("running the imported image: %q", got)
	}
	requireBurrowError(t, burrow(t, "import", filepath.Join(dir, "missing.tar")), true)
}

func tarNames(t testing.TB, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := map[string]bool{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatalf("reading %s: %v", path, err)
		}
		names[strings.TrimSuffix(strings.TrimPrefix(h.Name, "./"), "/")] = true
	}
}

func TestSaveLoad(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"docker-archive", "oci-archive"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			name := ctrName(t)
			runDetached(t, name, nil, "sh", "-c", "echo "+format+" > /which")
			must(t, "wait", name)
			ref := "localhost/saved-" + randHex()[:8] + ":v1"
			t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
			must(t, "commit", "-q", name, ref)
			must(t, "rm", name)
			file := filepath.Join(t.TempDir(), "image.tar")
			must(t, "save", "-q", "--format", format, "-o", file, ref)
			must(t, "rmi", ref)
			if imageIDs(t)[ref] != "" {
				t.Fatal("rmi did not remove the saved image")
			}
			out := must(t, "load", "-q", "-i", file)
			if !strings.Contains(out, ref) {
				t.Errorf("load printed %q, want the image's name %s", out, ref)
			}
			if got := mustRun(t, ref, nil, "cat", "/which"); got != format+"\n" {
				t.Errorf("the loaded image: %q", got)
			}
		})
	}
	requireBurrowError(t, burrow(t, "load", "-i", "/nonexistent/archive.tar"), true)
}

func TestPushPull(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, nil, "sh", "-c", "echo pushed > /which")
	must(t, "wait", name)
	ref := testRegistry(t) + "/pushed-" + randHex()[:8] + ":v1"
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	must(t, "commit", "-q", name, ref)
	must(t, "push", "-q", "--tls-verify=false", ref)
	must(t, "rmi", ref)
	id := strings.TrimSpace(must(t, "pull", "-q", "--tls-verify=false", ref))
	if !fullID.MatchString(id) {
		t.Fatalf("pull printed %q", id)
	}
	if got := mustRun(t, ref, nil, "cat", "/which"); got != "pushed\n" {
		t.Errorf("the pushed and pulled image: %q", got)
	}
}

func TestPrivateRegistry(t *testing.T) {
	// Not parallel: it logs in and out, which changes the user's auth.json.
	reg := testbedVar(t, "BURROW_TEST_AUTH_REGISTRY")
	user, pass := testbedVar(t, "BURROW_TEST_AUTH_USER"), testbedVar(t, "BURROW_TEST_AUTH_PASSWORD")
	ref := reg + "/private:latest"
	t.Cleanup(func() { burrow(t, "logout", reg); burrow(t, "rmi", "-f", ref) })
	burrow(t, "logout", reg)
	r := burrow(t, "pull", "-q", "--tls-verify=false", ref)
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, "login") {
		t.Errorf("an unauthorized pull does not name the fix (burrow login): %s", r.Stderr)
	}
	if imageIDs(t)[ref] != "" {
		t.Fatal("an unauthorized pull stored the image")
	}
	r = burrowStdin(t, "wrong-password\n", "login", "--tls-verify=false", "-u", user, "--password-stdin", reg)
	requireBurrowError(t, r, true)
	r = burrowStdin(t, pass+"\n", "login", "--tls-verify=false", "-u", user, "--password-stdin", reg)
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, "Login Succeeded") {
		t.Fatalf("login: %s", describe(r))
	}
	must(t, "pull", "-q", "--tls-verify=false", ref)
	if got := mustRun(t, ref, nil, "echo", "private ok"); got != "private ok\n" {
		t.Errorf("running the private image: %q", got)
	}
	must(t, "rmi", ref)
	must(t, "logout", reg)
	requireBurrowError(t, burrow(t, "pull", "-q", "--tls-verify=false", ref), true)
	// --authfile keeps credentials elsewhere.
	authfile := filepath.Join(t.TempDir(), "auth.json")
	r = burrowStdin(t, pass+"\n", "login", "--tls-verify=false", "--authfile", authfile, "-u", user, "--password-stdin", reg)
	if r.ExitCode != 0 {
		t.Fatalf("login --authfile: %s", describe(r))
	}
	if b, err := os.ReadFile(authfile); err != nil || !strings.Contains(string(b), reg) {
		t.Errorf("login --authfile wrote %q (%v)", b, err)
	}
	must(t, "pull", "-q", "--tls-verify=false", "--authfile", authfile, ref)
}

func TestPullBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, ref string }{
		{"unknown tag", testRegistry(t) + "/busybox:no-such-tag"},
		{"unknown repository", testRegistry(t) + "/no-such-repo-" + randHex()[:6]},
		{"registry down", "127.0.0.1:1/busybox"},
		{"digest mismatch", testRef(t, "corrupt")},
		{"truncated layer", testRef(t, "truncated")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			requireBurrowError(t, burrow(t, "pull", "-q", "--tls-verify=false", tc.ref), false)
			if imageIDs(t)[tc.ref] != "" {
				t.Errorf("a failed pull of %s left an image", tc.ref)
			}
		})
	}
}

func TestPullHostileLayer(t *testing.T) {
	t.Parallel()
	marker := testbedVar(t, "BURROW_TEST_HOSTILE_MARKER")
	before := dirState(t, marker)
	ref := testRef(t, "hostile")
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	r := burrow(t, "pull", "-q", "--tls-verify=false", ref)
	if r.ExitCode != 0 && r.ExitCode != 125 {
		t.Fatalf("pull of a hostile layer: %s", describe(r))
	}
	if r.ExitCode == 0 {
		// Whatever was kept stays inside the image's own filesystem.
		runRm(t, ref, nil, "sh", "-c", "cat /ordinary.txt; ls -la / /escape-link/ 2>&1")
	}
	if after := dirState(t, marker); after != before {
		t.Fatalf("a hostile layer changed the host directory %s:\nbefore: %s\nafter:  %s", marker, before, after)
	}
}

// dirState describes a directory's entries and the contents of its files.
func dirState(t testing.TB, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	var parts []string
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		parts = append(parts, e.Name()+"="+string(b))
	}
	return strings.Join(parts, ";")
}

func TestPullInterrupted(t *testing.T) {
	t.Parallel()
	ref := testRef(t, "interrupted")
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	varTmp := userFilesIn(t, "/var/tmp")
	graph, _ := storePaths(t)
	p := startBurrow(t, "pull", "--tls-verify=false", ref)
	p.waitFor(t, "Copying blob", 60*time.Second)
	time.Sleep(150 * time.Millisecond)
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.exitCode(t, 30*time.Second)
	// What it had copied so far is beside the store, not in /var/tmp, and
	// doctor tells of it.
	if now := userFilesIn(t, "/var/tmp"); now > varTmp {
		t.Errorf("the killed pull left %d files of the user's in /var/tmp", now-varTmp)
	}
	if out := burrow(t, "system", "doctor").Stdout; !strings.Contains(out, "left by interrupted pulls") {
		t.Errorf("doctor does not tell of the interrupted pull's files:\n%s", out)
	}
	r := burrow(t, "pull", "-q", "--tls-verify=false", ref)
	if r.ExitCode != 0 {
		t.Fatalf("pull after an interrupted one: %s", describe(r))
	}
	if got := mustRun(t, ref, nil, "sh", "-c", "wc -c < /data/random"); strings.TrimSpace(got) != "41943040" {
		t.Errorf("the image pulled after an interruption has a layer of %q bytes", got)
	}
	must(t, "images")
	// The next pull removed what the killed one left. Parallel tests may
	// be copying images right now: only directories of processes that are
	// gone count.
	requireNoDeadTemp(t, graph)
}

// userFilesIn counts the entries of dir owned by the test user.
func userFilesIn(t *testing.T, dir string) int {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	n := 0
	for _, ent := range ents {
		if info, err := ent.Info(); err == nil {
			if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) == os.Getuid() {
				n++
			}
		}
	}
	return n
}

func TestConcurrentPullsAndRuns(t *testing.T) {
	t.Parallel()
	ref := testRef(t, "pullten")
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	var wg sync.WaitGroup
	errs := make(chan string, 20)
	for i := 0; i < 10; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if r := burrow(t, "pull", "-q", "--tls-verify=false", ref); r.ExitCode != 0 {
				errs <- "pull: " + describe(r)
			}
		}()
		go func() {
			defer wg.Done()
			if r := burrow(t, "run", "--rm", "--tls-verify=false", "-q", ref, "cat", "/etc/burrow-test-image"); r.ExitCode != 0 || r.Stdout != "pullten\n" {
				errs <- "run: " + describe(r)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	n := 0
	for name := range imageIDs(t) {
		if name == ref {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%s is stored %d times", ref, n)
	}
}
