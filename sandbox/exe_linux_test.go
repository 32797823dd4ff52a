package sandbox

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func TestReadonlyClone(t *testing.T) {
	f, err := readonlyClone()
	if errors.Is(err, unix.EPERM) {
		t.Skip("open_tree needs CAP_SYS_ADMIN: run the unit tests as root (or in burrow unshare)")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// O_TRUNC: the mount is checked before the file being run (ETXTBSY).
	_, err = os.OpenFile(fdPath(int(f.Fd())), os.O_WRONLY|os.O_TRUNC, 0)
	if !errors.Is(err, unix.EROFS) {
		t.Errorf("opening the clone for writing: %v, want EROFS", err)
	}
	// Unmounted, the clone cannot be made writable again.
	err = unix.MountSetattr(int(f.Fd()), "", unix.AT_EMPTY_PATH, &unix.MountAttr{Attr_clr: unix.MOUNT_ATTR_RDONLY})
	if err == nil {
		t.Error("the clone could be made writable again")
	}
}

func TestSealedCopy(t *testing.T) {
	f, err := sealedCopy()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, _ := os.Stat("/proc/self/exe")
	if st, err := f.Stat(); err != nil || st.Size() != want.Size() {
		t.Fatalf("copy of %d bytes: %v, %v", want.Size(), st, err)
	}
	if _, err := f.WriteAt([]byte("x"), 0); err == nil {
		t.Error("the sealed copy could be written")
	}
	if err := f.Truncate(0); err == nil {
		t.Error("the sealed copy could be truncated")
	}
}
