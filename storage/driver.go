package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // podman 5's database (db.sql)
	bolt "go.etcd.io/bbolt"
	"go.podman.io/storage/types"

	"github.com/burrow-containers/burrow/errdefs"
)

// ChooseDriver settles the graph driver of the store opts describe, as
// podman does, so that burrow opens a store podman made with podman's
// driver and sees its images:
//
//   - a driver given on the command line (--storage-driver) is used as it is;
//   - else the driver podman recorded in its database under the graph root
//     (libpod/bolt_state.db for podman 4, libpod/db.sql for podman 5) wins,
//     over storage.conf's too (podman logs that it overrides it);
//   - else storage.conf's driver;
//   - else the one driver that holds data in the store (Debian's podman 4.3
//     makes vfs stores, and leaves an empty overlay directory beside them);
//   - else containers/storage's own choice (overlay where it works).
//
// Where several drivers hold data and nothing says which one is the
// store's, it fails naming the fix. The warning is for the user.
func ChooseDriver(opts *types.StoreOptions, fromCommandLine bool) (warning string, err error) {
	if fromCommandLine {
		return "", nil
	}
	if db, ok := podmanDriver(opts.GraphRoot); ok {
		if opts.GraphDriverName != "" && opts.GraphDriverName != db {
			warning = fmt.Sprintf("storage driver %q from storage.conf overridden by %q from podman's database in %s, as podman does; images of other tools made with %q are not seen",
				opts.GraphDriverName, db, filepath.Join(opts.GraphRoot, "libpod"), opts.GraphDriverName)
		}
		opts.GraphDriverName = db
		return warning, nil
	}
	if opts.GraphDriverName != "" {
		return "", nil
	}
	switch held := driversWithData(opts.GraphRoot); len(held) {
	case 0:
	case 1:
		opts.GraphDriverName = held[0]
	default:
		return "", errdefs.Invalid(fmt.Errorf("the store %s holds images of several storage drivers (%s) and no podman database says which is in use: choose one with --storage-driver, or driver = \"...\" in storage.conf",
			opts.GraphRoot, strings.Join(held, ", ")))
	}
	return "", nil
}

// podmanDriver reads the graph driver podman recorded for the store at
// graphRoot: podman keeps it with the store's paths in its database (as
// podman 5 does, the Bolt database when there is one, else SQLite's).
// A database made for another graph root is not the store's.
func podmanDriver(graphRoot string) (string, bool) {
	dir := filepath.Join(graphRoot, "libpod")
	var root, driver string
	var err error
	if _, serr := os.Stat(filepath.Join(dir, "bolt_state.db")); serr == nil {
		root, driver, err = readBoltConfig(filepath.Join(dir, "bolt_state.db"))
	} else if _, serr := os.Stat(filepath.Join(dir, "db.sql")); serr == nil {
		root, driver, err = readSQLiteConfig(filepath.Join(dir, "db.sql"))
	} else {
		return "", false
	}
	if err != nil || driver == "" || (root != "" && filepath.Clean(root) != filepath.Clean(graphRoot)) {
		return "", false
	}
	return driver, true
}

// readBoltConfig reads podman 4's runtime configuration: the bucket
// runtime-config, keys graph-root and graph-driver-name. Read-only, it
// waits at most a second for a podman that is writing.
func readBoltConfig(path string) (root, driver string, err error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return "", "", err
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("runtime-config"))
		if b == nil {
			return errors.New("no runtime-config bucket")
		}
		root, driver = string(b.Get([]byte("graph-root"))), string(b.Get([]byte("graph-driver-name")))
		return nil
	})
	return root, driver, err
}

// readSQLiteConfig reads podman 5's runtime configuration: the one row of
// its DBConfig table.
func readSQLiteConfig(path string) (root, driver string, err error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=1000")
	if err != nil {
		return "", "", err
	}
	defer db.Close()
	err = db.QueryRow("SELECT GraphRoot, GraphDriver FROM DBConfig").Scan(&root, &driver)
	return root, driver, err
}

// driversWithData are the graph drivers whose layers, images or
// containers files under root list anything, sorted.
func driversWithData(root string) []string {
	var held []string
	for _, d := range []string{"overlay", "vfs", "btrfs", "zfs", "aufs", "devicemapper"} {
		for _, f := range []string{"-layers/layers.json", "-images/images.json", "-containers/containers.json"} {
			// An empty list is "[]" or "null"; anything longer lists something.
			if st, err := os.Stat(filepath.Join(root, d+f)); err == nil && st.Size() > 4 {
				held = append(held, d)
				break
			}
		}
	}
	sort.Strings(held)
	return held
}
