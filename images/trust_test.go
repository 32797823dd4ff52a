package images

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"

	"github.com/burrow-containers/burrow/errdefs"
)

// podmanPolicy is the file podman 4.3.1 writes for the commands of
// TestSetTrustWritesPodmansFile (podman's output for the same commands,
// with these key paths).
const podmanPolicy = `{
    "default": [
        {
            "type": "insecureAcceptAnything"
        }
    ],
    "transports": {
        "docker": {
            "docker.io": [
                {
                    "type": "reject"
                }
            ],
            "example.com": [
                {
                    "type": "sigstoreSigned",
                    "keyPath": "/keys/b.pub"
                }
            ],
            "quay.io/foo": [
                {
                    "type": "signedBy",
                    "keyType": "GPGKeys",
                    "keyPath": "/keys/a.gpg"
                },
                {
                    "type": "signedBy",
                    "keyType": "GPGKeys",
                    "keyPath": "/keys/a.gpg"
                }
            ]
        }
    }
}`

func TestSetTrustWritesPodmansFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.json")
	set := func(scope, typ string, keys ...string) {
		t.Helper()
		if err := SetTrust(scope, TrustSetOptions{PolicyPath: path, Type: typ, PubKeysFiles: keys}); err != nil {
			t.Fatalf("trust set %s --type %s: %v", scope, typ, err)
		}
	}
	set("default", "reject")
	set("default", "accept")
	set("docker.io", "accept")
	set("docker.io", "reject")
	set("quay.io/foo", "signedBy", "/keys/a.gpg", "/keys/a.gpg")
	set("example.com", "sigstoreSigned", "/keys/b.pub")
	b, _ := os.ReadFile(path)
	if string(b) != podmanPolicy {
		t.Errorf("policy.json:\n%s\nwant podman's:\n%s", b, podmanPolicy)
	}
}

func TestSetTrustKeepsWhatItDoesNotKnow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.json")
	in := `{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker-daemon":{"":[{"type":"insecureAcceptAnything"}]},"docker":{"r.io":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k","signedIdentity":{"type":"matchExact"}}]}}}`
	os.WriteFile(path, []byte(in), 0o644)
	if err := SetTrust("other.io", TrustSetOptions{PolicyPath: path, Type: "reject"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	for _, want := range []string{`"docker-daemon"`, `"matchExact"`, `"other.io"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("trust set lost or lacks %s:\n%s", want, b)
		}
	}
}

func TestSetTrustRefuses(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.json")
	for _, tc := range []struct {
		scope, typ string
		keys       []string
		want       string
	}{
		{"default", "bogus", nil, "invalid choice: bogus (choose from 'accept', 'reject', 'signedBy', 'sigstoreSigned')"},
		{"docker.io", "accept", nil, "default trust policy must be set"},
		{"default", "signedBy", nil, "at least one public key must be defined for type 'signedBy'"},
		{"default", "sigstoreSigned", nil, "at least one public key must be defined for type 'sigstoreSigned'"},
		{"default", "reject", []string{"/k"}, "1 public keys unexpectedly provided for trust type reject"},
		{"bad scope!", "accept", nil, "invalid image uri: bad scope!"},
	} {
		err := SetTrust(tc.scope, TrustSetOptions{PolicyPath: path, Type: tc.typ, PubKeysFiles: tc.keys})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("trust set %s --type %s %v: got %v, want an invalid-input error %q", tc.scope, tc.typ, tc.keys, err, tc.want)
		}
		if _, err := os.Stat(path); err == nil {
			t.Fatalf("trust set %s --type %s wrote the file though it failed", tc.scope, tc.typ)
		}
	}
	os.WriteFile(path, []byte("not json"), 0o644)
	if err := SetTrust("default", TrustSetOptions{PolicyPath: path, Type: "accept"}); err == nil {
		t.Errorf("trust set over a file that is not JSON succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != "not json" {
		t.Errorf("a failed trust set changed the file: %q", b)
	}
}

// testKey is a new OpenPGP key of the given user ID, armored or binary.
func testKey(t *testing.T, name, email string, armored bool) []byte {
	t.Helper()
	e, err := openpgp.NewEntity(name, "", email, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if !armored {
		e.Serialize(&buf)
		return buf.Bytes()
	}
	w, _ := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	e.Serialize(w)
	w.Close()
	return buf.Bytes()
}

func TestShowTrust(t *testing.T) {
	dir := t.TempDir()
	armored := filepath.Join(dir, "a.asc")
	os.WriteFile(armored, testKey(t, "Foo", "foo@bar.com", true), 0o644)
	data := base64.StdEncoding.EncodeToString(testKey(t, "Bar", "bar@baz.org", false))
	policy := filepath.Join(dir, "policy.json")
	os.WriteFile(policy, []byte(`{"default":[{"type":"reject"}],"transports":{
		"docker":{"z.io":[{"type":"insecureAcceptAnything"}],"quay.io/team":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"`+armored+`"},{"type":"signedBy","keyType":"GPGKeys","keyData":"`+data+`"}],"s.io":[{"type":"sigstoreSigned","keyPath":"/k"}]},
		"atomic":{"a.io":[{"type":"reject"}]}}}`), 0o644)
	regd := filepath.Join(dir, "registries.d")
	os.Mkdir(regd, 0o755)
	os.WriteFile(filepath.Join(regd, "default.yaml"), []byte("default-docker:\n  sigstore: file:///var/lib/sigs\n"), 0o644)
	os.WriteFile(filepath.Join(regd, "quay.yaml"), []byte("docker:\n  quay.io:\n    lookaside: https://sigs.quay.example\n"), 0o644)
	os.WriteFile(filepath.Join(regd, "ignored.txt"), []byte("not: [yaml"), 0o644)

	got, raw, err := ShowTrust(policy, regd)
	if err != nil {
		t.Fatal(err)
	}
	want := []TrustPolicy{
		{Transport: "all", Name: "* (default)", RepoName: "default", Type: "reject", SignatureStore: "file:///var/lib/sigs"},
		{Transport: "atomic", Name: "a.io", RepoName: "a.io", Type: "reject", SignatureStore: "file:///var/lib/sigs"},
		{Transport: "repository", Name: "quay.io/team", RepoName: "quay.io/team", Type: "signed", GPGId: "foo@bar.com", SignatureStore: "https://sigs.quay.example"},
		{Transport: "repository", Name: "quay.io/team", RepoName: "quay.io/team", Type: "signed", GPGId: "bar@baz.org", SignatureStore: "https://sigs.quay.example"},
		{Transport: "repository", Name: "s.io", RepoName: "s.io", Type: "sigstoreSigned", GPGId: "N/A", SignatureStore: "file:///var/lib/sigs"},
		{Transport: "repository", Name: "z.io", RepoName: "z.io", Type: "accept", SignatureStore: "file:///var/lib/sigs"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("trust show:\n%+v\nwant:\n%+v", got, want)
	}
	if b, _ := os.ReadFile(policy); !bytes.Equal(raw, b) {
		t.Errorf("the raw policy is not the file")
	}

	os.WriteFile(filepath.Join(regd, "again.yaml"), []byte("docker:\n  quay.io:\n    lookaside: file:///x\n"), 0o644)
	if _, _, err := ShowTrust(policy, regd); err == nil || !strings.Contains(err.Error(), `"quay.io" defined both in`) {
		t.Errorf("a namespace in two registries.d files: got %v", err)
	}
	if _, _, err := ShowTrust(filepath.Join(dir, "missing.json"), regd); !errdefs.Is(err, errdefs.ClassNotFound) {
		t.Errorf("trust show of a missing policy: got %v, want not found", err)
	}
}

func TestKeyIdentities(t *testing.T) {
	if got := keyIdentities(testKey(t, "Foo", "foo@bar.com", true)); !reflect.DeepEqual(got, []string{"foo@bar.com"}) {
		t.Errorf("armored key: %q", got)
	}
	if got := keyIdentities(testKey(t, "No Mail", "", false)); !reflect.DeepEqual(got, []string{"No Mail"}) {
		t.Errorf("a user ID without an address: %q", got)
	}
	if got := keyIdentities([]byte("garbage")); got != nil {
		t.Errorf("not a key: %q", got)
	}
}
