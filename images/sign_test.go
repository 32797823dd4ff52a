package images

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/signature"

	"github.com/burrow-containers/burrow/errdefs"
)

// testGPGHome makes a GNUPGHOME with a new signing key for foo@bar.com
// and stops its agent at the end.
func testGPGHome(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		t.Skip("gpg is not installed (Debian's gnupg): signing runs it")
	}
	// A short path: gpg-agent's socket must fit a unix socket's name.
	home, err := os.MkdirTemp("/tmp", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GNUPGHOME", home)
	t.Cleanup(func() {
		exec.Command("gpgconf", "--kill", "gpg-agent").Run()
		os.RemoveAll(home)
	})
	out, err := exec.Command("gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Foo <foo@bar.com>", "ed25519", "sign", "never").CombinedOutput()
	if err != nil {
		t.Fatalf("gpg --quick-gen-key: %v\n%s", err, out)
	}
	return home
}

func TestPutSignatureVerifies(t *testing.T) {
	testGPGHome(t)
	pub, err := exec.Command("gpg", "--export", "foo@bar.com").Output()
	if err != nil {
		t.Fatal(err)
	}
	mech, err := newGPGMechanism()
	if err != nil {
		t.Fatal(err)
	}
	named, _ := reference.ParseNormalizedNamed("quay.io/libpod/testimage:20221018")
	m := []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:aa","size":2},"layers":[]}`)
	d, _ := manifest.Digest(m)
	dir, err := signatureDir(nil, nil, named, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := putSignature(m, mech, dir, d, named, "foo@bar.com"); err != nil {
			t.Fatal(err)
		}
	}
	sigDir := dir + "@sha256=" + d.Encoded()
	if filepath.Base(filepath.Dir(dir)) != "libpod" {
		t.Errorf("signature directory %s is not under the repository's path", dir)
	}
	for _, n := range []string{"signature-1", "signature-2"} {
		sig, err := os.ReadFile(filepath.Join(sigDir, n))
		if err != nil {
			t.Fatalf("the second signing did not add %s: %v", n, err)
		}
		// containers/image's own (openpgp) verifier accepts it, as a pull
		// with a signedBy policy would.
		verifier, ids, err := signature.NewEphemeralGPGSigningMechanism(pub)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := signature.VerifyDockerManifestSignature(sig, m, named.String(), verifier, ids[0]); err != nil {
			t.Errorf("%s does not verify: %v", n, err)
		}
		if _, err := signature.VerifyDockerManifestSignature(sig, m, "quay.io/libpod/other:1", verifier, ids[0]); err == nil {
			t.Errorf("%s verifies for another image name", n)
		}
	}
	if err := putSignature(m, mech, dir, d, named, "nobody@example.com"); err == nil {
		t.Errorf("signing with a key the keyring lacks succeeded")
	}
}

func TestSignRefusesBeforeAnything(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	for _, tc := range []struct {
		o    SignOptions
		want string
	}{
		{SignOptions{}, "no identity provided"},
		{SignOptions{SignBy: "k", AuthFile: missing}, "checking authfile"},
		{SignOptions{SignBy: "k", Directory: missing}, "signature directory"},
	} {
		err := Sign(t.Context(), []string{"docker://127.0.0.1:1/none:latest"}, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("sign %+v: got %v, want an invalid-input error %q", tc.o, err, tc.want)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("a refused sign made %s", missing)
	}
}
