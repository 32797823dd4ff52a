package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/errdefs"
)

// The containers' names, as links <graph root>/burrow/names/NAME -> ID, so
// that a name is found, or known to be free, without reading every record
// (a store of a thousand containers made every run, exec or rm read a
// thousand records). writeRecord makes a record's link before it writes
// the record, under the engine lock: every record has its link. A link may
// outlive its record or name (a command cut off, a rename), so a link
// counts only when the record it points at bears the name.
//
// A store whose records were written by a burrow without links (an older
// one) is found out by the time of the containers directory, kept beside
// the links whenever burrow adds or removes a container's directory:
// anything else changed it, and the links are made again from the records
// (rebuildNames) before the next name is claimed. Until then lookups read
// every record, as before.

func (e *Engine) namesDir() string { return filepath.Join(e.burrowDir(), "names") }

// namesStampPath holds the containers directory's time as of the links.
func (e *Engine) namesStampPath() string { return filepath.Join(e.namesDir(), ".stamp") }

// containersStamp is the containers directory's modification time ("" when
// it cannot be read).
func (e *Engine) containersStamp() string {
	st, err := os.Stat(e.containersDir())
	if err != nil {
		return ""
	}
	return fmt.Sprint(st.ModTime().UnixNano())
}

// namesValid tells whether the links cover every record.
func (e *Engine) namesValid() bool {
	b, err := os.ReadFile(e.namesStampPath())
	stamp := e.containersStamp()
	return err == nil && stamp != "" && string(b) == stamp
}

// stampNames records that the links cover every record as the containers
// directory stands now. The caller holds the lock.
func (e *Engine) stampNames() {
	stamp := e.containersStamp()
	if stamp == "" {
		return
	}
	tmp := e.namesStampPath() + ".tmp"
	if os.WriteFile(tmp, []byte(stamp), 0o600) == nil {
		os.Rename(tmp, e.namesStampPath())
	}
}

// linkName points name's link at id. The caller holds the lock, and has
// made sure no other record bears the name.
func (e *Engine) linkName(name, id string) error {
	if name == "" {
		return nil
	}
	p := filepath.Join(e.namesDir(), name)
	for {
		err := os.Symlink(id, p)
		if err == nil || !errors.Is(err, os.ErrExist) {
			if errors.Is(err, os.ErrNotExist) {
				if err = os.MkdirAll(e.namesDir(), 0o700); err == nil {
					continue
				}
			}
			if err != nil {
				return fmt.Errorf("recording the name %q: %w", name, err)
			}
			return nil
		}
		cur, _ := os.Readlink(p)
		if cur == id {
			return nil
		}
		if r := e.named(name); r != nil {
			return errdefs.Conflict(fmt.Errorf("the name %q is in use by %s", name, stringid.TruncateID(r.ID)))
		}
		// Stale: its record is gone or renamed.
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("recording the name %q: %w", name, err)
		}
	}
}

// unlinkName drops name's link when it points at id.
func (e *Engine) unlinkName(name, id string) {
	p := filepath.Join(e.namesDir(), name)
	if cur, err := os.Readlink(p); err == nil && cur == id {
		os.Remove(p)
	}
}

// named is the record that bears name, nil when none. It needs valid links
// (namesValid).
func (e *Engine) named(name string) *Record {
	if name == "" || strings.ContainsRune(name, '/') {
		return nil
	}
	id, err := os.Readlink(filepath.Join(e.namesDir(), name))
	if err != nil || !validID(id) {
		return nil
	}
	r, err := e.readRecord(id)
	if err != nil || r.Name != name {
		return nil
	}
	return r
}

// rebuildNames makes the links again from every record and drops those no
// record bears. The caller holds the lock.
func (e *Engine) rebuildNames() error {
	recs, err := e.records()
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, r := range recs {
		if err := e.linkName(r.Name, r.ID); err != nil {
			return err
		}
		keep[r.Name] = true
	}
	ents, _ := os.ReadDir(e.namesDir())
	for _, ent := range ents {
		if !strings.HasPrefix(ent.Name(), ".") && !keep[ent.Name()] {
			os.Remove(filepath.Join(e.namesDir(), ent.Name()))
		}
	}
	e.stampNames()
	return nil
}

// removeRecordDir deletes a container's directory (record, spec, log) and
// its name's link. The caller holds the lock.
func (e *Engine) removeRecordDir(r *Record) error {
	valid := e.namesValid()
	err := os.RemoveAll(e.ctrDir(r.ID))
	e.unlinkName(r.Name, r.ID)
	if valid {
		e.stampNames()
	}
	return err
}

// recordIDs are the IDs of the containers' directories, unread.
func (e *Engine) recordIDs() ([]string, error) {
	ents, err := os.ReadDir(e.containersDir())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var ids []string
	for _, ent := range ents {
		if ent.IsDir() && !strings.HasSuffix(ent.Name(), ".tmp") {
			ids = append(ids, ent.Name())
		}
	}
	return ids, nil
}
