package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestImageTrust: trust set writes the policy trust show then lists, as
// podman's; bad input changes nothing.
func TestImageTrust(t *testing.T) {
	t.Parallel()
	policy := filepath.Join(t.TempDir(), "policy.json")
	pp := "--policypath=" + policy
	r := burrow(t, "image", "trust", "set", pp, "--type=bogus", "default")
	requireBurrowError(t, r, true)
	if !strings.HasPrefix(r.Stderr, "Error: invalid choice: bogus (choose from") {
		t.Errorf("trust set --type=bogus: %q", r.Stderr)
	}
	requireBurrowError(t, burrow(t, "image", "trust", "set", pp, "--type=reject", "docker.io"), true)
	if _, err := os.Stat(policy); err == nil {
		t.Errorf("a refused trust set wrote %s", policy)
	}
	must(t, "image", "trust", "set", pp, "--type=accept", "default")
	must(t, "image", "trust", "set", pp, "--type=reject", "docker.io")
	must(t, "image", "trust", "set", pp, "-t", "accept", "quay.io/team")
	must(t, "image", "trust", "set", pp, "-t", "reject", "quay.io/team")

	table := must(t, "image", "trust", "show", pp)
	want := regexp.MustCompile(`^TRANSPORT\s+NAME\s+TYPE\s+ID\s+STORE\s*\nall\s+default\s+accept\s*\nrepository\s+docker.io\s+reject\s*\nrepository\s+quay.io/team\s+reject\s*\n$`)
	if !want.MatchString(table) {
		t.Errorf("trust show:\n%s", table)
	}
	var list []struct {
		Transport string `json:"transport"`
		RepoName  string `json:"repo_name"`
		Type      string `json:"type"`
	}
	out := must(t, "image", "trust", "show", pp, "--json")
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 3 || list[0].RepoName != "default" || list[2].RepoName != "quay.io/team" || list[2].Type != "reject" {
		t.Errorf("trust show --json: %v\n%s", err, out)
	}
	file, _ := os.ReadFile(policy)
	if raw := must(t, "image", "trust", "show", pp, "--raw"); raw != string(file)+"\n" {
		t.Errorf("trust show --raw is not the file:\n%s\nfile:\n%s", raw, file)
	}
	// The policy is one pulls obey: a repository it rejects cannot be
	// pulled.
	reject := filepath.Join(t.TempDir(), "policy.json")
	must(t, "image", "trust", "set", "--policypath", reject, "-t", "accept", "default")
	must(t, "image", "trust", "set", "--policypath", reject, "-t", "reject", strings.TrimSuffix(testImage(t), ":latest"))
	r = burrowWith(t, []string{"CONTAINERS_POLICY_JSON=" + reject}, "pull", "--tls-verify=false", testImage(t))
	if r.ExitCode == 0 || !strings.Contains(r.Stderr, "rejected by policy") {
		t.Errorf("a pull from a repository the policy rejects: %s", describe(r))
	}
}

// burrowWith runs burrow with variables added to its environment.
func burrowWith(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return burrowEnv(t, append(os.Environ(), env...), args...)
}

// gpgHome makes a GNUPGHOME with a signing key for foo@bar.com, as the
// podman test does, and stops its agent at the end.
func gpgHome(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Skip("gpg is not installed (Debian's gnupg): image sign runs it")
	}
	home, err := os.MkdirTemp("/tmp", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		kill := exec.Command("gpgconf", "--kill", "gpg-agent")
		kill.Env = append(os.Environ(), "GNUPGHOME="+home)
		kill.Run()
		os.RemoveAll(home)
	})
	gen := exec.Command("gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Foo <foo@bar.com>", "ed25519", "sign", "never")
	gen.Env = append(os.Environ(), "GNUPGHOME="+home)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("gpg --quick-gen-key: %v\n%s", err, out)
	}
	return home
}

// TestImageSign: image sign writes, in the lookaside layout, a signature
// gpg calls good, and a pull under a policy that requires the key accepts
// the signed image and refuses an unsigned one.
func TestImageSign(t *testing.T) {
	t.Parallel()
	home := gpgHome(t)
	dir := t.TempDir()
	// The test registry is plain HTTP: sign reads it with registries.conf
	// saying so (podman's sign has no --tls-verify).
	regConf := filepath.Join(dir, "registries.conf")
	os.WriteFile(regConf, []byte("[[registry]]\nlocation = \""+testRegistry(t)+"\"\ninsecure = true\n"), 0o644)
	repo := "signed-" + randHex()[:10]
	signed, unsigned := testRegistry(t)+"/"+repo+":latest", testRegistry(t)+"/"+repo+"-not:latest"
	// An image of this test's own: the store keeps a pulled image's
	// signatures with the image, and the shared test image must not get
	// them (a push that compresses its layers could not keep them).
	name := ctrName(t)
	must(t, "run", "--name", name, busyboxImage(t), "touch", "/"+repo)
	img := "localhost/" + repo + "-base:latest"
	must(t, "commit", "-q", name, img)
	t.Cleanup(func() { burrow(t, "rmi", "-f", img) })
	burrow(t, "rm", name)
	for _, ref := range []string{signed, unsigned} {
		must(t, "tag", img, ref)
		t.Cleanup(func() { burrow(t, "rmi", ref) })
		must(t, "push", "-q", "--tls-verify=false", ref)
	}
	sigs := filepath.Join(dir, "sigs")
	os.Mkdir(sigs, 0o755)
	env := []string{"GNUPGHOME=" + home, "CONTAINERS_REGISTRIES_CONF=" + regConf}

	r := burrowWith(t, env, "image", "sign", "--directory", sigs, "docker://"+signed)
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, "no identity provided") {
		t.Errorf("image sign without --sign-by: %q", r.Stderr)
	}
	requireBurrowError(t, burrowWith(t, env, "image", "sign", "--sign-by", "nobody@example.com", "--directory", sigs, "docker://"+signed), true)
	if r := burrowWith(t, env, "image", "sign", "--sign-by", "foo@bar.com", "--directory", sigs, "docker://"+signed); r.ExitCode != 0 {
		t.Fatalf("image sign: %s", describe(r))
	}
	// The registry's manifest digest names the signature's directory (the
	// push compressed the committed image's layers: not the local digest).
	found, _ := filepath.Glob(filepath.Join(sigs, repo+"@sha256=*", "signature-1"))
	if len(found) != 1 {
		t.Fatalf("image sign wrote %q, want one signature-1 under %s@sha256=DIGEST", found, repo)
	}
	sig := found[0]
	verify := exec.Command("gpg", "--verify", sig)
	verify.Env = append(os.Environ(), "GNUPGHOME="+home)
	if out, err := verify.CombinedOutput(); err != nil || !regexp.MustCompile(`Good signature from "Foo <foo@bar.com>"`).Match(out) {
		t.Fatalf("gpg --verify %s: %v\n%s", sig, err, out)
	}

	// A policy that wants foo@bar.com's signature for the repository, with
	// the signatures where registries.d says.
	export := exec.Command("gpg", "--export", "foo@bar.com")
	export.Env = append(os.Environ(), "GNUPGHOME="+home)
	pub, err := export.Output()
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "foo.gpg")
	os.WriteFile(key, pub, 0o644)
	policy := filepath.Join(dir, "policy.json")
	must(t, "image", "trust", "set", "--policypath", policy, "-t", "accept", "default")
	for _, ref := range []string{signed, unsigned} {
		must(t, "image", "trust", "set", "--policypath", policy, "-f", key, strings.TrimSuffix(ref, ":latest"))
	}
	// Where pulls look for signatures is the user's registries.d: one file
	// for this test's repositories.
	regd := filepath.Join(os.Getenv("HOME"), ".config/containers/registries.d")
	if _, err := os.Stat(regd); err != nil {
		os.MkdirAll(regd, 0o755)
		t.Cleanup(func() { os.Remove(regd) })
	}
	lookaside := filepath.Join(regd, repo+".yaml")
	os.WriteFile(lookaside, []byte("docker:\n  "+testRegistry(t)+"/"+repo+":\n    lookaside: file://"+sigs+"\n  "+testRegistry(t)+"/"+repo+"-not:\n    lookaside: file://"+sigs+"\n"), 0o644)
	t.Cleanup(func() { os.Remove(lookaside) })
	pullEnv := []string{"CONTAINERS_POLICY_JSON=" + policy}
	must(t, "rmi", signed, unsigned)
	if r := burrowWith(t, pullEnv, "pull", "-q", "--tls-verify=false", signed); r.ExitCode != 0 {
		t.Errorf("pulling the signed image under a policy that wants its key: %s", describe(r))
	}
	if r := burrowWith(t, pullEnv, "pull", "-q", "--tls-verify=false", unsigned); r.ExitCode == 0 || !strings.Contains(r.Stderr, "signature") {
		t.Errorf("pulling an unsigned image under a policy that wants a signature: %s", describe(r))
	}
}
