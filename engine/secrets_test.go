package engine

import (
	"os"
	"path/filepath"
	"testing"

	"go.podman.io/storage/types"

	"github.com/burrow-containers/burrow/errdefs"
)

func TestParseSecret(t *testing.T) {
	for in, want := range map[string]SecretRef{
		"db":           {Name: "db", Target: "/run/secrets/db"},
		"db,target=pw": {Name: "db", Target: "/run/secrets/pw"},
		"db,target=/etc/pw,uid=5,gid=6,mode=0400": {Name: "db", Target: "/etc/pw", UID: 5, GID: 6, Mode: 0o400},
		"db,type=env":                 {Name: "db", Env: true, Target: "db"},
		"db,type=env,target=PASSWORD": {Name: "db", Env: true, Target: "PASSWORD"},
	} {
		if got, err := ParseSecret(in); err != nil || got != want {
			t.Errorf("ParseSecret(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "type=env", "db,type=file", "db,uid=x", "db,mode=999", "db,type=env,uid=1", "db,bogus=1", "db,target"} {
		if _, err := ParseSecret(in); !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("ParseSecret(%q): want an invalid-argument error, got %v", in, err)
		}
	}
}

// A secret is kept where podman keeps it, and found by name and ID.
func TestSecretStore(t *testing.T) {
	root := t.TempDir()
	e := &Engine{opts: types.StoreOptions{GraphRoot: root}}
	id, err := e.CreateSecret("db", []byte("pw"), SecretOptions{Labels: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "secrets", "secrets.json")); err != nil {
		t.Errorf("the secret is not in podman's store: %v", err)
	}
	if _, err := e.CreateSecret("db", []byte("pw"), SecretOptions{}); !errdefs.Is(err, errdefs.ClassConflict) {
		t.Errorf("a second secret of the same name: %v", err)
	}
	if _, err := e.CreateSecret("x", []byte("pw"), SecretOptions{Driver: "pass"}); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("another driver: %v", err)
	}
	for _, key := range []string{"db", id, id[:6]} {
		s, err := e.GetSecret(key)
		if err != nil || s.ID != id || s.Spec.Name != "db" || s.Spec.Driver.Name != "file" || s.Spec.Labels["a"] != "b" {
			t.Errorf("GetSecret(%q) = %+v, %v", key, s, err)
		}
	}
	if got, err := e.RemoveSecret("db"); err != nil || got != id {
		t.Errorf("RemoveSecret: %q, %v", got, err)
	}
	if _, err := e.GetSecret("db"); !errdefs.Is(err, errdefs.ClassNotFound) {
		t.Errorf("a removed secret: %v", err)
	}
}
