package monitor

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestReadExit(t *testing.T) {
	dir := t.TempDir()
	if _, ok := ReadExit(dir); ok {
		t.Error("an exit without a file")
	}
	for body, want := range map[string]ExitStatus{
		"137 1700000000000000001 0\n": {Code: 137, At: time.Unix(0, 1700000000000000001)},
		"137 1700000000000000001 1\n": {Code: 137, At: time.Unix(0, 1700000000000000001), OOMKilled: true},
		"3 1700000000000000001\n":     {Code: 3, At: time.Unix(0, 1700000000000000001)},
	} {
		os.WriteFile(filepath.Join(dir, "exit"), []byte(body), 0o600)
		if got, ok := ReadExit(dir); !ok || got.Code != want.Code || !got.At.Equal(want.At) || got.OOMKilled != want.OOMKilled {
			t.Errorf("%q: %+v %v, want %+v", body, got, ok, want)
		}
	}
	os.WriteFile(filepath.Join(dir, "exit"), []byte("garbage\n"), 0o600)
	if _, ok := ReadExit(dir); ok {
		t.Error("a malformed exit file read as an exit")
	}
}
