package engine

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// record is a log record as the monitor writes it.
func record(stream, flag, data string) string {
	return fmt.Sprintf("2024-05-01T10:00:00.000000001Z %s %s %s\n", stream, flag, data)
}

func TestTailOffsetMatchesTailStart(t *testing.T) {
	logs := []string{
		record("stdout", "F", "a") + record("stdout", "F", "b") + record("stdout", "F", "c"),
		record("stdout", "F", "a") + record("stdout", "P", "b1") + record("stdout", "F", "b2") + record("stdout", "P", "c"),
		record("stdout", "P", "x") + record("stdout", "P", "y") + record("stdout", "F", "z") + record("stderr", "F", "e"),
		record("stdout", "F", "a") + "2024-05-01T10:00:00Z stdout F half-writ", // the last record is not complete
		"",
	}
	for _, log := range logs {
		var entries []LogEntry
		for _, l := range strings.SplitAfter(log, "\n") {
			if strings.HasSuffix(l, "\n") {
				en, err := ParseLogLine([]byte(strings.TrimSuffix(l, "\n")))
				if err != nil {
					t.Fatal(err)
				}
				entries = append(entries, en)
			}
		}
		for n := -1; n <= 5; n++ {
			off, err := tailOffset(strings.NewReader(log), int64(len(log)), n)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, en := range entries[:tailStart(entries, n)] {
				want += len(record("stdout", "F", "")) + len(en.Data) // the same head length for both streams
			}
			if int(off) != want {
				t.Errorf("tail %d of %q: offset %d, want %d", n, log, off, want)
			}
		}
	}
}

// tailStart is the index of the first entry of the last n lines, as the
// whole log in memory would give it.
func tailStart(entries []LogEntry, n int) int {
	if n < 0 {
		return 0
	}
	lines := 0
	for i := len(entries) - 1; i >= 0; i-- {
		if !entries[i].Partial || i == len(entries)-1 {
			if lines == n {
				return i + 1
			}
			lines++
		}
	}
	return 0
}

func TestTailOffsetLongLog(t *testing.T) {
	var b bytes.Buffer
	for i := range 100000 {
		b.WriteString(record("stdout", "F", fmt.Sprint(i)))
	}
	log := b.Bytes()
	off, err := tailOffset(bytes.NewReader(log), int64(len(log)), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := record("stdout", "F", "99997") + record("stdout", "F", "99998") + record("stdout", "F", "99999")
	if got := string(log[off:]); got != want {
		t.Errorf("tail 3: %q", got)
	}
}

func TestLogReaderFollowsRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ctr.log")
	os.WriteFile(path, []byte(record("stdout", "F", "1")+record("stdout", "F", "2")), 0o600)
	var got []string
	emit := func(en LogEntry) { got = append(got, string(en.Data)) }
	l := &logReader{path: path}
	defer l.close()
	if err := l.open(1, false); err != nil {
		t.Fatal(err)
	}
	l.each(emit)
	// More in the old file, then a new file takes its place, as the
	// monitor rotates; then the new one grows.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	io.WriteString(f, record("stdout", "F", "3"))
	f.Close()
	os.WriteFile(path+".tmp", []byte(record("stdout", "F", "4")), 0o600)
	os.Rename(path+".tmp", path)
	if err := l.follow(emit); err != nil {
		t.Fatal(err)
	}
	f, _ = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	io.WriteString(f, record("stdout", "P", "5")+record("stdout", "F", "6"))
	f.Close()
	l.follow(emit)
	if want := "2 3 4 5 6"; strings.Join(got, " ") != want {
		t.Errorf("followed %q, want %q", strings.Join(got, " "), want)
	}
}

func TestParseLogOpt(t *testing.T) {
	if n, err := ParseLogOpt("max-size=10mb"); err != nil || n != 10_000_000 {
		t.Errorf("max-size=10mb: %d %v", n, err)
	}
	for _, bad := range []string{"max-size", "max-size=lots", "max-size=0", "path=/tmp/x", "tag=x"} {
		if _, err := ParseLogOpt(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for in, want := range map[string]string{"": LogK8sFile, "json-file": LogJSONFile, "k8s-file": LogK8sFile, "none": LogNone, "passthrough": LogPassthrough} {
		if got, err := ParseLogDriver(in); err != nil || got != want {
			t.Errorf("--log-driver %q: %q %v", in, got, err)
		}
	}
	if _, err := ParseLogDriver("journald"); err == nil {
		t.Error("journald accepted")
	}
}
