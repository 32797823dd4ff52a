package tests

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// buildContext writes files (name -> content) into a new context directory.
func buildContext(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	l := nonEmptyLines(s)
	if len(l) == 0 {
		return ""
	}
	return strings.TrimSpace(l[len(l)-1])
}

func TestBuildMultiStage(t *testing.T) {
	t.Parallel()
	base := busyboxImage(t)
	dir := buildContext(t, map[string]string{
		"Containerfile": `ARG BASE=` + base + `
FROM $BASE AS builder
# A cache of its own, whatever earlier runs of this test left.
LABEL run=` + randHex() + `
ARG GREETING=hello
RUN mkdir -p /out && echo "$GREETING from the builder" > /out/artifact
FROM ${BASE}
ARG FROMSTAGE=builder
COPY --from=$FROMSTAGE /out/artifact /app/artifact
COPY --chmod=0755 run.sh /app/
COPY . /ctx/
ENV APPVAR=set
WORKDIR /app
LABEL org.example.built=yes
CMD ["/bin/sh", "/app/run.sh"]
`,
		// Preferred over Dockerfile, as podman does.
		"Dockerfile":       "FROM " + base + "\nRUN exit 7\n",
		"run.sh":           "cat /app/artifact; echo \"APPVAR=$APPVAR pwd=$(pwd)\"\n",
		"data.txt":         "data\n",
		"secret.txt":       "secret\n",
		"sub/keep.txt":     "keep\n",
		"sub/drop.txt":     "drop\n",
		".containerignore": "secret.txt\nsub\n!sub/keep.txt\n",
	})
	tag := "localhost/built-" + randHex()[:8] + ":latest"
	t.Cleanup(func() { burrow(t, "rmi", "-f", tag) })
	r := burrow(t, "build", "-t", tag, "--build-arg", "GREETING=hi,all", dir)
	if r.ExitCode != 0 {
		t.Fatalf("build: %s", describe(r))
	}
	for _, want := range []string{"[1/2] STEP 1/4: FROM $BASE AS builder", "[2/2] STEP 3/9: COPY --from=$FROMSTAGE /out/artifact /app/artifact", "Successfully tagged " + tag} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("build output lacks %q:\n%s", want, r.Stdout)
		}
	}
	id := lastLine(r.Stdout)
	if len(id) != 64 {
		t.Fatalf("build: the last line should be the image ID, got %q", id)
	}
	if ids := imageIDs(t); ids[tag] != id {
		t.Errorf("images: %s is %q, want %q", tag, ids[tag], id)
	}
	if got := mustRun(t, tag, nil); got != "hi,all from the builder\nAPPVAR=set pwd=/app\n" {
		t.Errorf("the built image's CMD printed %q", got)
	}
	if got := mustRun(t, tag, nil, "ls", "/app", "/ctx", "/ctx/sub"); !strings.Contains(got, "run.sh") || !strings.Contains(got, "data.txt") ||
		strings.Contains(got, "secret.txt") || strings.Contains(got, "drop.txt") || !strings.Contains(got, "keep.txt") {
		t.Errorf(".containerignore (secret.txt, sub, !sub/keep.txt) not honoured:\n%s", got)
	}
	if got := mustRun(t, tag, nil, "stat", "-c", "%a %u", "/app/run.sh"); got != "755 0\n" {
		t.Errorf("COPY --chmod=0755: mode and owner %q", got)
	}
	if got := strings.TrimSpace(must(t, "image", "inspect", "--format", "{{index .Config.Labels \"org.example.built\"}}", tag)); got != "yes" {
		t.Errorf("LABEL: %q", got)
	}

	// The steps' images are intermediate: images shows them with -a only.
	steps := nonEmptyLines(must(t, "images", "-a", "--filter", "intermediate=true", "-q", "--no-trunc"))
	if len(steps) == 0 {
		t.Errorf("images -a --filter intermediate=true lists none after a build")
	}
	shown := must(t, "images", "-q", "--no-trunc")
	for _, s := range steps {
		if strings.Contains(shown, s) {
			t.Errorf("images without -a shows the intermediate image %s", s)
		}
	}

	// The same build again comes from the cache, to the same image.
	r = burrow(t, "build", "-t", tag, "--build-arg", "GREETING=hi,all", dir)
	if r.ExitCode != 0 {
		t.Fatalf("second build: %s", describe(r))
	}
	if n := strings.Count(r.Stdout, "--> Using cache"); n < 4 {
		t.Errorf("second build: want every step from the cache, %d were:\n%s", n, r.Stdout)
	}
	if got := lastLine(r.Stdout); got != id {
		t.Errorf("second build made %q, want the cached %q", got, id)
	}
	// -q prints the ID only.
	if got := strings.TrimSpace(must(t, "build", "-q", "--build-arg", "GREETING=hi,all", dir)); got != id {
		t.Errorf("build -q printed %q, want %q", got, id)
	}
	// A changed context file is not served from the cache.
	os.WriteFile(filepath.Join(dir, "data.txt"), []byte("changed\n"), 0o644)
	if got := strings.TrimSpace(must(t, "build", "-q", "--build-arg", "GREETING=hi,all", dir)); got == id || len(got) != 64 {
		t.Errorf("after a context change the build gave %q (the old image is %q)", got, id)
	}
	// A changed build arg reruns the RUN that sees it.
	r = burrow(t, "build", "--build-arg", "GREETING=hey", "--target", "builder", dir)
	if r.ExitCode != 0 || strings.Contains(r.Stdout, "Using cache") {
		t.Fatalf("build with another GREETING: want the RUN run again:\n%s", describe(r))
	}
	if got := mustRun(t, lastLine(r.Stdout), nil, "cat", "/out/artifact"); got != "hey from the builder\n" {
		t.Errorf("--target builder with GREETING=hey: %q", got)
	}
	if got := mustRun(t, lastLine(r.Stdout), nil, "ls", "/"); strings.Contains(got, "app") {
		t.Errorf("--target builder: the image has the last stage's /app")
	}
	// --no-cache runs every step.
	r = burrow(t, "build", "--no-cache", "--build-arg", "GREETING=hi,all", dir)
	if r.ExitCode != 0 || strings.Contains(r.Stdout, "Using cache") {
		t.Errorf("--no-cache: %s", describe(r))
	}
}

func TestBuildFailures(t *testing.T) {
	t.Parallel()
	base := busyboxImage(t)
	t.Run("unknown instruction", func(t *testing.T) {
		dir := buildContext(t, map[string]string{"Containerfile": "FROM " + base + "\n\nFROBNICATE now\n"})
		r := burrow(t, "build", dir)
		requireBurrowError(t, r, true)
		if !strings.Contains(r.Stderr, "Containerfile:3") || !strings.Contains(strings.ToLower(r.Stderr), "frobnicate") {
			t.Errorf("the error should name the file, the line and the instruction:\n%s", r.Stderr)
		}
	})
	t.Run("syntax error", func(t *testing.T) {
		dir := buildContext(t, map[string]string{"Dockerfile": "FROM " + base + "\nENV\n"})
		r := burrow(t, "build", dir)
		requireBurrowError(t, r, true)
		if !strings.Contains(r.Stderr, "Dockerfile:2") {
			t.Errorf("the error should name the file and the line:\n%s", r.Stderr)
		}
	})
	t.Run("failing RUN", func(t *testing.T) {
		marker := "marker-" + randHex()[:8]
		dir := buildContext(t, map[string]string{"Containerfile": "FROM " + base + "\nRUN echo " + marker + "; exit 3\nRUN echo never\n"})
		tag := "localhost/failed-" + randHex()[:8]
		r := burrow(t, "build", "-t", tag, dir)
		if r.ExitCode != 3 {
			t.Errorf("a RUN exiting 3: want exit 3, got:\n%s", describe(r))
		}
		if !strings.Contains(r.Stdout, marker) || strings.Contains(r.Stdout, "STEP 3/3") {
			t.Errorf("the RUN's output should show and the build stop:\n%s", r.Stdout)
		}
		if ids := imageIDs(t); ids[tag+":latest"] != "" {
			t.Errorf("a failed build tagged %s", tag)
		}
		if out := must(t, "ps", "-a", "--no-trunc", "--format", "{{.Command}}"); strings.Contains(out, marker) {
			t.Errorf("the failed step's container is left:\n%s", out)
		}
	})
	t.Run("ADD of a missing file", func(t *testing.T) {
		dir := buildContext(t, map[string]string{"Containerfile": "FROM " + base + "\nADD missing.txt /x\n"})
		r := burrow(t, "build", dir)
		requireBurrowError(t, r, true)
		if !strings.Contains(r.Stderr, "Containerfile:2") || !strings.Contains(r.Stderr, "ADD missing.txt") {
			t.Errorf("the error should name the line and the instruction: %s", r.Stderr)
		}
	})
	for name, tc := range map[string]struct{ file, link string }{
		"parent path":   {file: "COPY ../outside /x\n"},
		"absolute path": {file: "COPY /etc/passwd /x\n"},
		"symlink out":   {file: "COPY link /x\n", link: "/etc/passwd"},
		"symlink up":    {file: "COPY link /x\n", link: "../../../../../../etc/passwd"},
	} {
		t.Run("COPY "+name, func(t *testing.T) {
			dir := buildContext(t, map[string]string{"Containerfile": "FROM " + base + "\n" + tc.file})
			os.WriteFile(filepath.Join(filepath.Dir(dir), "outside"), []byte("outside\n"), 0o644)
			if tc.link != "" {
				if err := os.Symlink(tc.link, filepath.Join(dir, "link")); err != nil {
					t.Fatal(err)
				}
			}
			r := burrow(t, "build", dir)
			requireBurrowError(t, r, true)
		})
	}
}

func TestBuildThroughAPI(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("the docker CLI is not installed (this machine kind has it at /usr/local/bin/docker)")
	}
	host := apiService(t)
	base := busyboxImage(t)
	dir := buildContext(t, map[string]string{
		"Dockerfile": "FROM " + base + "\nARG WHO=nobody\nRUN echo \"built by $WHO\" > /who\nCOPY hello.txt /\nCMD [\"cat\", \"/who\", \"/hello.txt\"]\n",
		"hello.txt":  "hello\n",
	})
	tag := "localhost/api-built-" + randHex()[:8] + ":latest"
	t.Cleanup(func() { burrow(t, "rmi", "-f", tag) })
	// The docker CLI without buildx speaks the classic builder's POST /build.
	r := dockerCLI(t, host, "build", "-t", tag, "--build-arg", "WHO=docker", dir)
	if r.ExitCode != 0 {
		t.Fatalf("docker build: %s", describe(r))
	}
	if !strings.Contains(r.Stdout+r.Stderr, "STEP 3/5: RUN") {
		t.Errorf("docker build shows no steps:\n%s", describe(r))
	}
	if got := mustRun(t, tag, nil); got != "built by docker\nhello\n" {
		t.Errorf("the image docker built prints %q", got)
	}
	// A failing step is an error for the client, with the step's output.
	bad := buildContext(t, map[string]string{"Dockerfile": "FROM " + base + "\nRUN echo failing-step; exit 4\n"})
	r = dockerCLI(t, host, "build", bad)
	if r.ExitCode == 0 || !strings.Contains(r.Stdout+r.Stderr, "failing-step") || !strings.Contains(r.Stdout+r.Stderr, "exit status 4") {
		t.Errorf("docker build of a failing RUN: %s", describe(r))
	}
}

func TestBuildAddChownScratch(t *testing.T) {
	t.Parallel()
	base := busyboxImage(t)
	dir := buildContext(t, map[string]string{
		"Containerfile": "FROM " + base + " AS base\n" +
			"RUN echo app:x:1234:1234::/srv:/bin/sh >> /etc/passwd && echo app:x:1234: >> /etc/group\n" +
			"WORKDIR /srv\n" +
			"ADD bundle.tar.gz unpacked/\n" +
			"ADD plain.txt .\n" +
			"COPY --chown=app:app plain.txt owned.txt\n" +
			"USER app\n" +
			"RUN id -u > /tmp/whoami\n" +
			// RUN has the container network (slirp4netns' tap0), as run does.
			"RUN grep -q tap0 /proc/net/dev\n" +
			"FROM scratch\n" +
			"COPY --from=base /srv /\n",
		"plain.txt": "plain\n",
	})
	// A gzip'd tar with a file in a directory: ADD unpacks it.
	writeTarGz(t, filepath.Join(dir, "bundle.tar.gz"), map[string]string{"inner/file.txt": "from the archive\n"})
	r := burrow(t, "build", "--target", "base", dir)
	if r.ExitCode != 0 {
		t.Fatalf("build: %s", describe(r))
	}
	id := lastLine(r.Stdout)
	if got := mustRun(t, id, []string{"--user", "0"}, "sh", "-c", "cat unpacked/inner/file.txt plain.txt /tmp/whoami; stat -c '%U %a' owned.txt; ls unpacked"); got != "from the archive\nplain\n1234\napp 644\ninner\n" {
		t.Errorf("ADD/COPY --chown/USER in the built image:\n%q", got)
	}
	r = burrow(t, "build", dir)
	if r.ExitCode != 0 {
		t.Fatalf("build of the scratch stage: %s", describe(r))
	}
	// The scratch image holds only what was copied: no shell to run, so
	// read it through a container's filesystem export.
	ctr := ctrName(t)
	must(t, "create", "--name", ctr, lastLine(r.Stdout), "/none")
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", ctr) })
	out := filepath.Join(t.TempDir(), "fs.tar")
	must(t, "export", "-o", out, ctr)
	names := tarNames(t, out)
	if !names["plain.txt"] || !names["owned.txt"] || !names["unpacked/inner/file.txt"] || names["bin/busybox"] {
		t.Errorf("the scratch stage's files: %v", names)
	}
}

func writeTarGz(t testing.TB, path string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	for name, content := range files {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg})
		tw.Write([]byte(content))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
}

// buildWithStep builds a two-RUN image named by a new tag, and returns the
// tag and the ID (12 digits) of the first RUN's image, a step under it.
func buildWithStep(t *testing.T, base string) (tag, step string) {
	t.Helper()
	dir := buildContext(t, map[string]string{
		"Containerfile": "FROM " + base + "\nLABEL run=" + randHex() + "\nRUN echo a > /a\nRUN echo b > /b\n",
	})
	tag = "localhost/pruned-" + randHex()[:8] + ":latest"
	r := burrow(t, "build", "-t", tag, dir)
	if r.ExitCode != 0 {
		t.Fatalf("build: %s", describe(r))
	}
	lines := nonEmptyLines(r.Stdout)
	for i, l := range lines {
		if strings.Contains(l, "STEP 3/4: RUN echo a") && i+1 < len(lines) {
			step = strings.TrimPrefix(lines[i+1], "--> ")
		}
	}
	if len(step) != 12 {
		t.Fatalf("no step image in the build output:\n%s", r.Stdout)
	}
	return tag, step
}

// TestImagePrune is not parallel: prune works on the whole store, and
// other tests run images they built by ID.
func TestImagePrune(t *testing.T) {
	base := busyboxImage(t)
	tag, step := buildWithStep(t, base)
	if !strings.Contains(must(t, "images", "-a", "-q", "--no-trunc"), step) || strings.Contains(must(t, "images", "-q", "--no-trunc"), step) {
		t.Fatalf("the step image %s should be listed with -a only", step)
	}
	// A prune keeps the steps under a named image.
	if out := must(t, "image", "prune", "-f"); strings.Contains(out, step) {
		t.Errorf("prune removed the step of a named image:\n%s", out)
	}
	must(t, "rmi", tag)
	out := must(t, "image", "prune", "-f")
	if !strings.Contains(out, step) {
		t.Errorf("after rmi of %s, prune did not remove its step %s:\n%s", tag, step, out)
	}
	if strings.Contains(must(t, "images", "-a", "-q", "--no-trunc"), step) {
		t.Errorf("the pruned step is still listed")
	}
	if got := strings.TrimSpace(must(t, "image", "prune", "-f")); got != "" {
		t.Errorf("a second prune removed %q", got)
	}

	// The same through the Docker API (docker image prune).
	tag, step = buildWithStep(t, base)
	must(t, "rmi", tag)
	host := apiService(t)
	cli, ctx := sdkClient(t, host, time.Minute)
	res, err := cli.ImagePrune(ctx, client.ImagePruneOptions{})
	if err != nil {
		t.Fatalf("ImagePrune: %v", err)
	}
	found := false
	for _, d := range res.Report.ImagesDeleted {
		found = found || strings.HasPrefix(d.Deleted, "sha256:"+step)
	}
	if !found {
		t.Errorf("the API's prune did not remove the step %s: %+v", step, res.Report.ImagesDeleted)
	}
}

// TestBuildRunLayer: a RUN's layer holds what the command wrote, not the
// empty mount points made for /etc/hosts, /etc/resolv.conf and
// /etc/hostname (the test image has none of them).
func TestBuildRunLayer(t *testing.T) {
	t.Parallel()
	base := busyboxImage(t)
	dir := buildContext(t, map[string]string{"Containerfile": "FROM " + base + "\nRUN echo " + randHex() + " > /written\n"})
	id := strings.TrimSpace(must(t, "build", "-q", dir))
	archive := filepath.Join(t.TempDir(), "image.tar")
	must(t, "save", "-o", archive, id)
	// The archive's manifest names the layers; the last is the RUN's.
	files := map[string][]byte{}
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(tr)
		files[h.Name] = b
	}
	var manifest []struct{ Layers []string }
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil || len(manifest) != 1 || len(manifest[0].Layers) == 0 {
		t.Fatalf("the saved image's manifest: %v %s", err, files["manifest.json"])
	}
	layer := filepath.Join(t.TempDir(), "layer.tar")
	os.WriteFile(layer, files[manifest[0].Layers[len(manifest[0].Layers)-1]], 0o644)
	names := tarNames(t, layer)
	if !names["written"] {
		t.Errorf("the RUN's layer lacks the file it wrote: %v", names)
	}
	for _, p := range []string{"etc/hosts", "etc/resolv.conf", "etc/hostname"} {
		if names[p] {
			t.Errorf("the RUN's layer holds the mount point %s: %v", p, names)
		}
	}
}
