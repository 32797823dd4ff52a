package storage

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
	"go.podman.io/storage/types"
)

// writeLayers leaves a store's layers file with one layer for driver.
func writeLayers(t *testing.T, root, driver string) {
	t.Helper()
	dir := filepath.Join(root, driver+"-layers")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "layers.json"), []byte(`[{"id":"x"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeBolt(t *testing.T, root, graphRoot, driver string) {
	t.Helper()
	os.MkdirAll(filepath.Join(root, "libpod"), 0o700)
	db, err := bolt.Open(filepath.Join(root, "libpod", "bolt_state.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("runtime-config"))
		if err != nil {
			return err
		}
		b.Put([]byte("graph-root"), []byte(graphRoot))
		return b.Put([]byte("graph-driver-name"), []byte(driver))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeSQLite(t *testing.T, root, graphRoot, driver string) {
	t.Helper()
	os.MkdirAll(filepath.Join(root, "libpod"), 0o700)
	db, err := sql.Open("sqlite3", filepath.Join(root, "libpod", "db.sql"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE DBConfig(ID INTEGER PRIMARY KEY NOT NULL, SchemaVersion INTEGER NOT NULL, OS TEXT NOT NULL, StaticDir TEXT NOT NULL, TmpDir TEXT NOT NULL, GraphRoot TEXT NOT NULL, RunRoot TEXT NOT NULL, GraphDriver TEXT NOT NULL, VolumeDir TEXT NOT NULL)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO DBConfig VALUES (1, 1, 'linux', '', '', ?, '', ?, '')`, graphRoot, driver); err != nil {
		t.Fatal(err)
	}
}

func TestChooseDriver(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(t *testing.T, root string)
		conf    string // storage.conf's driver
		cmdLine bool
		want    string
		warn    bool
		fails   bool
	}{
		{name: "new store: containers/storage decides", want: ""},
		{name: "storage.conf", conf: "overlay", want: "overlay"},
		{name: "podman 4.3's vfs store with an empty overlay dir", setup: func(t *testing.T, r string) {
			writeLayers(t, r, "vfs")
			os.MkdirAll(filepath.Join(r, "overlay"), 0o700)
		}, want: "vfs"},
		{name: "both drivers hold data: podman's database says which", setup: func(t *testing.T, r string) {
			writeLayers(t, r, "vfs")
			writeLayers(t, r, "overlay")
			writeBolt(t, r, r, "vfs")
		}, want: "vfs"},
		{name: "the database wins over storage.conf, with a warning", conf: "overlay", setup: func(t *testing.T, r string) {
			writeBolt(t, r, r, "vfs")
		}, want: "vfs", warn: true},
		{name: "podman 5's SQLite database", setup: func(t *testing.T, r string) {
			writeLayers(t, r, "vfs")
			writeLayers(t, r, "overlay")
			writeSQLite(t, r, r, "overlay")
		}, want: "overlay"},
		{name: "a database of another graph root is not the store's", conf: "overlay", setup: func(t *testing.T, r string) {
			writeBolt(t, r, "/elsewhere", "vfs")
		}, want: "overlay"},
		{name: "the command line wins over the database", conf: "overlay", cmdLine: true, setup: func(t *testing.T, r string) {
			writeBolt(t, r, r, "vfs")
		}, want: "overlay"},
		{name: "both hold data and nothing says which", setup: func(t *testing.T, r string) {
			writeLayers(t, r, "vfs")
			writeLayers(t, r, "overlay")
		}, fails: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			if c.setup != nil {
				c.setup(t, root)
			}
			opts := types.StoreOptions{GraphRoot: root, GraphDriverName: c.conf}
			warning, err := ChooseDriver(&opts, c.cmdLine)
			if c.fails {
				if err == nil {
					t.Fatalf("chose %q, want an error", opts.GraphDriverName)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if opts.GraphDriverName != c.want {
				t.Errorf("driver %q, want %q", opts.GraphDriverName, c.want)
			}
			if (warning != "") != c.warn {
				t.Errorf("warning %q, want one: %v", warning, c.warn)
			}
		})
	}
}
