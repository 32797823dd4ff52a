package engine

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	units "github.com/docker/go-units"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/monitor"
)

// Log drivers, as podman names them (--log-driver).
const (
	// LogK8sFile keeps the output in a file in the k8s-file format
	// (LogPath).
	LogK8sFile = "k8s-file"
	// LogJSONFile is podman's other name of k8s-file: the same file,
	// and inspect shows the name given.
	LogJSONFile = "json-file"
	// LogNone keeps no output.
	LogNone = "none"
	// LogPassthrough gives the container the caller's own stdio.
	LogPassthrough = "passthrough"
)

// minLogSizeMax is the smallest positive log_size_max containers.conf
// allows (podman's OCIBufSize); smaller values are taken as this.
const minLogSizeMax = 8192

// ParseLogDriver checks a --log-driver value and returns the driver's
// name, as podman keeps it: json-file is k8s-file under another name.
func ParseLogDriver(s string) (string, error) {
	switch s {
	case "", LogK8sFile:
		return LogK8sFile, nil
	case LogJSONFile, LogNone, LogPassthrough:
		return s, nil
	case "journald":
		return "", errdefs.Invalid(errors.New("--log-driver journald: burrow writes no journal; use k8s-file (the default, which burrow logs reads), json-file, none or passthrough"))
	}
	return "", errdefs.Invalid(fmt.Errorf("unsupported --log-driver %q: use k8s-file (or json-file), none or passthrough", s))
}

// ParseLogOpt checks a --log-opt NAME=VALUE and returns the log's maximum
// size: max-size=SIZE (10mb, 1g: decimal units, as podman reads them) is
// the option burrow has.
func ParseLogOpt(s string) (int64, error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		return 0, errdefs.Invalid(fmt.Errorf("invalid --log-opt %q: use NAME=VALUE, such as max-size=10mb", s))
	}
	if name != "max-size" {
		return 0, errdefs.Invalid(fmt.Errorf("unsupported --log-opt %q: burrow has max-size=SIZE", s))
	}
	n, err := units.FromHumanSize(value)
	if err != nil || n <= 0 {
		return 0, errdefs.Invalid(fmt.Errorf("invalid --log-opt %q: give a size such as max-size=10mb", s))
	}
	return n, nil
}

// logDriver is the container's log driver; records made before there was
// a choice have k8s-file.
func (c *Config) logDriver() string {
	if c.LogDriver == "" {
		return LogK8sFile
	}
	return c.LogDriver
}

// keepsLog tells whether the container's output goes to its log file
// (k8s-file, json-file), which logs reads.
func (c *Config) keepsLog() bool {
	d := c.logDriver()
	return d == LogK8sFile || d == LogJSONFile
}

// monitorLog is where the monitor of a container of config c puts its
// output. Without --log-opt max-size, containers.conf's log_size_max
// bounds the log, read at each start as podman does.
func (e *Engine) monitorLog(id string, c *Config) monitor.LogOptions {
	switch c.logDriver() {
	case LogNone:
		return monitor.LogOptions{}
	case LogPassthrough:
		return monitor.LogOptions{Passthrough: true}
	}
	size := c.LogSizeMax
	if size <= 0 {
		if conf, err := e.conf(); err == nil && conf.Containers.LogSizeMax > 0 {
			size = max(conf.Containers.LogSizeMax, minLogSizeMax)
		}
	}
	return monitor.LogOptions{Path: e.LogPath(id), MaxSize: size}
}

// LogOptions select what Logs prints.
type LogOptions struct {
	Follow     bool      // keep printing until the container exits
	Tail       int       // only the last Tail lines; negative: all
	Since      time.Time // only lines written at or after Since
	Until      time.Time // only lines written before Until (zero: no bound)
	Timestamps bool      // prefix each line with its time
	// Prefix starts each line, before its time: the container's short ID
	// or name when several containers' logs are shown together.
	Prefix string
}

// LogEntry is one record of a container log in the k8s-file format the
// monitor writes: "TIME STREAM F|P DATA", P marking a line that goes on in
// the next record.
type LogEntry struct {
	Time    time.Time
	Stderr  bool
	Partial bool
	Data    []byte
}

// ParseLogLine parses one record (without its newline).
func ParseLogLine(line []byte) (LogEntry, error) {
	var e LogEntry
	f := bytes.SplitN(line, []byte(" "), 4)
	if len(f) < 3 {
		return e, fmt.Errorf("malformed log record %q", line)
	}
	t, err := time.Parse(time.RFC3339Nano, string(f[0]))
	if err != nil {
		return e, fmt.Errorf("malformed log time %q", f[0])
	}
	e.Time = t
	e.Stderr = string(f[1]) == "stderr"
	e.Partial = string(f[2]) == "P"
	if len(f) == 4 {
		e.Data = f[3]
	}
	return e, nil
}

// Logs copies a container's log to stdout and stderr, each record to the
// stream it came from. With Follow it goes on until the container has
// exited and everything it wrote is printed, or ctx ends, following the
// log into the new file when the monitor starts one (--log-opt max-size).
func (e *Engine) Logs(ctx context.Context, ctr *Container, o LogOptions, stdout, stderr io.Writer) error {
	if d := ctr.Config.logDriver(); !ctr.Config.keepsLog() {
		return errdefs.Invalid(fmt.Errorf("this container is using the '%s' log driver, cannot read logs: this container is not logging output", d))
	}
	// A line of a stream starts with the prefix and time, unless it goes
	// on a partial record; each record is one write, so that the writers
	// of several containers' logs may be shared.
	midLine := map[bool]bool{}
	emit := func(en LogEntry) {
		if !o.Since.IsZero() && en.Time.Before(o.Since) || !o.Until.IsZero() && !en.Time.Before(o.Until) {
			return
		}
		w := stdout
		if en.Stderr {
			w = stderr
		}
		if w == nil {
			return
		}
		var b []byte
		if !midLine[en.Stderr] {
			b = append(b, o.Prefix...)
			if o.Timestamps {
				b = append(append(b, en.Time.Local().Format(time.RFC3339Nano)...), ' ')
			}
		}
		b = append(b, en.Data...)
		if !en.Partial {
			b = append(b, '\n')
		}
		midLine[en.Stderr] = en.Partial
		w.Write(b)
	}
	l := &logReader{path: e.LogPath(ctr.ID)}
	defer l.close()
	if err := l.open(o.Tail, !o.Follow); err != nil {
		return fmt.Errorf("reading the log of container %s: %w", ctr.Name, err)
	}
	l.each(emit)
	if !o.Follow {
		return nil
	}
	for {
		c, err := e.Get(ctr.ID)
		running := err == nil && c.Running()
		// Everything written before the exit is in the log by now.
		if err := l.follow(emit); err != nil {
			return fmt.Errorf("reading the log of container %s: %w", ctr.Name, err)
		}
		if !running {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// logReader reads a container's log record by record, in constant memory,
// and follows it across rotations.
type logReader struct {
	path    string
	f       *os.File // nil while there is no log
	rd      *bufio.Reader
	pos     int64  // the offset in f up to which records were read
	pending []byte // a record not complete yet
	// With bounded, reading stops at end: the log's size when it was
	// opened, for a reader that does not follow it.
	bounded bool
	end     int64
}

// open opens the log at the first of its last tail lines (all lines when
// tail is negative); with snapshot, what is written after stays unread. A
// log that does not exist yet is no error.
func (l *logReader) open(tail int, snapshot bool) error {
	f, err := os.Open(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	st, err := f.Stat()
	var off int64
	if err == nil && tail >= 0 {
		if off, err = tailOffset(f, st.Size(), tail); err == nil {
			_, err = f.Seek(off, io.SeekStart)
		}
	}
	if err != nil {
		f.Close()
		return err
	}
	l.use(f, off)
	l.bounded, l.end = snapshot, st.Size()
	return nil
}

func (l *logReader) use(f *os.File, off int64) {
	l.f, l.pos, l.pending = f, off, l.pending[:0]
	l.rd = bufio.NewReaderSize(f, 64*1024)
}

func (l *logReader) close() {
	if l.f != nil {
		l.f.Close()
	}
}

// each calls fn with every complete record from where the reader is to
// the end of the file; a record still being written stays pending.
func (l *logReader) each(fn func(LogEntry)) {
	if l.f == nil {
		return
	}
	for !l.bounded || l.pos < l.end {
		chunk, err := l.rd.ReadSlice('\n')
		l.pending = append(l.pending, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			return
		}
		l.pos += int64(len(l.pending))
		if en, err := ParseLogLine(bytes.TrimSuffix(l.pending, []byte{'\n'})); err == nil {
			fn(en)
		}
		l.pending = l.pending[:0]
	}
}

// follow reads what was added to the log since the last call. When the
// monitor has replaced the log with a new one, the rest of the old file
// comes first (the monitor finished it before the new one took its
// place); a log emptied in place is read again from its start.
func (l *logReader) follow(fn func(LogEntry)) error {
	l.each(fn)
	st, err := os.Stat(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // not there yet, or the container was removed
	}
	if err != nil {
		return err
	}
	if l.f != nil {
		if cur, err := l.f.Stat(); err == nil && os.SameFile(cur, st) {
			if cur.Size() < l.pos {
				if _, err := l.f.Seek(0, io.SeekStart); err != nil {
					return err
				}
				l.use(l.f, 0)
				l.each(fn)
			}
			return nil
		}
		l.each(fn)
		l.f.Close()
		l.f = nil
	}
	f, err := os.Open(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	l.use(f, 0)
	l.each(fn)
	return nil
}

// tailOffset returns the offset of the first record of the last n lines of
// the log f of the given size, reading it backwards, a block at a time. A
// line ends with a full record (F), or with the last record when the output
// stopped mid-line; a record not complete yet (no newline) is not counted.
func tailOffset(f io.ReaderAt, size int64, n int) (int64, error) {
	lines, last := 0, true
	end := int64(-1) // the newline ending the record being looked at
	found := int64(-1)
	// record looks at the record from start to end (its newline).
	record := func(start int64) (bool, error) {
		partial, ok, err := recordPartial(f, start)
		if err != nil {
			return false, err
		}
		if ok && (!partial || last) {
			if lines == n {
				found = end + 1
				return false, nil
			}
			lines++
		}
		if ok {
			last = false
		}
		return true, nil
	}
	err := newlinesBackward(f, size, func(nl int64) (bool, error) {
		if end < 0 {
			end = nl
			return true, nil
		}
		more, err := record(nl + 1)
		end = nl
		return more, err
	})
	if err != nil || found >= 0 {
		return found, err
	}
	if end >= 0 {
		if _, err := record(0); err != nil || found >= 0 {
			return found, err
		}
	}
	return 0, nil
}

// recordPartial reads the head of the record at off: ok is false when it
// is not a record (malformed), partial tells a P record.
func recordPartial(f io.ReaderAt, off int64) (partial, ok bool, err error) {
	head := make([]byte, 80)
	n, err := f.ReadAt(head, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return false, false, err
	}
	fields := bytes.SplitN(head[:n], []byte(" "), 4)
	if len(fields) < 4 {
		return false, false, nil
	}
	switch string(fields[2]) {
	case "P":
		return true, true, nil
	case "F":
		return false, true, nil
	}
	return false, false, nil
}

// newlinesBackward calls fn with the offset of every newline of f before
// end, the last first, until fn returns false.
func newlinesBackward(f io.ReaderAt, end int64, fn func(int64) (bool, error)) error {
	buf := make([]byte, 64*1024)
	for end > 0 {
		start := max(end-int64(len(buf)), 0)
		b := buf[:end-start]
		if _, err := f.ReadAt(b, start); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != '\n' {
				continue
			}
			if more, err := fn(start + int64(i)); err != nil || !more {
				return err
			}
		}
		end = start
	}
	return nil
}
