package network

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// lock serializes attaching, detaching and releasing, so that a release
// never sees a container between its setup and its record.
func (m *Manager) lock() (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(m.runDir, "attach.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}

// attachedIDs are the containers with an attachment record.
func (m *Manager) attachedIDs() []string {
	ents, _ := os.ReadDir(filepath.Join(m.runDir, "containers"))
	var ids []string
	for _, e := range ents {
		if id, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// releaseUnused stops what is left of the rootless netns once no
// container is attached. libnetwork does that itself when its count of
// attachments reaches zero; the count stays above when a teardown failed
// (a network removed meanwhile, by podman say), and then slirp4netns and
// aardvark-dns would run for nobody. The caller holds the lock.
func (m *Manager) releaseUnused() {
	if len(m.attachedIDs()) > 0 {
		return
	}
	if isNetNS(m.RootlessNetNS()) {
		// libnetwork's own cleanup runs when its count drops to zero.
		os.WriteFile(filepath.Join(filepath.Dir(m.RootlessNetNS()), "ref-count"), []byte("0"), 0o600)
		m.backend.RunInRootlessNetns(func() error { return nil })
	}
	m.forgetLost()
	m.stopAardvark()
}

// forgetLost clears a rootless netns whose mount is gone (it lived in the
// mount namespace of a pause process that ended): its slirp4netns and
// aardvark-dns serve nobody, and libnetwork would start new ones beside
// them. The caller holds the lock.
func (m *Manager) forgetLost() {
	ns := m.RootlessNetNS()
	if _, err := os.Stat(ns); err != nil || isNetNS(ns) {
		return
	}
	dir := filepath.Dir(ns)
	stopListed(filepath.Join(dir, "rootless-netns-conn.pid"), ns)
	os.RemoveAll(dir)
	m.stopAardvark()
}

// stopAardvark ends an aardvark-dns left without networks and forgets its
// entries.
func (m *Manager) stopAardvark() {
	dir := filepath.Join(m.runDir, "aardvark-dns")
	stopListed(filepath.Join(dir, "aardvark.pid"), dir)
	os.RemoveAll(dir)
}

// stopListed sends SIGTERM to the process a pid file names, if its
// command line holds mark (the PID may have been reused since).
func stopListed(pidFile, mark string) {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !strings.Contains(string(cmdline), mark) {
		return
	}
	if err := unix.Kill(pid, unix.SIGTERM); err != nil && !errors.Is(err, unix.ESRCH) {
		return
	}
}
