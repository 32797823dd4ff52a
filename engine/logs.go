package engine

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// LogOptions select what Logs prints.
type LogOptions struct {
	Follow     bool      // keep printing until the container exits
	Tail       int       // only the last Tail lines; negative: all
	Since      time.Time // only lines written at or after Since
	Until      time.Time // only lines written before Until (zero: no bound)
	Timestamps bool      // prefix each line with its time
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

// tailStart returns the index of the first entry of the last n lines.
func tailStart(entries []LogEntry, n int) int {
	if n < 0 {
		return 0
	}
	lines := 0
	for i := len(entries) - 1; i >= 0; i-- {
		// A line ends with a full record, or with the last record when
		// the output stopped mid-line.
		if !entries[i].Partial || i == len(entries)-1 {
			if lines == n {
				return i + 1
			}
			lines++
		}
	}
	return 0
}

// Logs copies a container's log to stdout and stderr, each record to the
// stream it came from. With Follow it goes on until the container has
// exited and everything it wrote is printed, or ctx ends.
func (e *Engine) Logs(ctx context.Context, ctr *Container, o LogOptions, stdout, stderr io.Writer) error {
	f, err := os.Open(e.LogPath(ctr.ID))
	if errors.Is(err, os.ErrNotExist) {
		if !o.Follow || !ctr.Running() {
			return nil // never started
		}
	} else if err != nil {
		return fmt.Errorf("reading the log of container %s: %w", ctr.Name, err)
	} else {
		defer f.Close()
	}
	emit := func(en LogEntry) {
		if !o.Since.IsZero() && en.Time.Before(o.Since) {
			return
		}
		if !o.Until.IsZero() && !en.Time.Before(o.Until) {
			return
		}
		w := stdout
		if en.Stderr {
			w = stderr
		}
		if w == nil {
			return
		}
		if o.Timestamps {
			fmt.Fprintf(w, "%s ", en.Time.Local().Format(time.RFC3339Nano))
		}
		w.Write(en.Data)
		if !en.Partial {
			w.Write([]byte{'\n'})
		}
	}

	var rd *bufio.Reader
	var pending []byte
	// readAll returns the complete records now in the file; a record still
	// being written stays pending.
	readAll := func() []LogEntry {
		if f == nil {
			return nil
		}
		var out []LogEntry
		for {
			chunk, err := rd.ReadBytes('\n')
			pending = append(pending, chunk...)
			if err != nil {
				return out
			}
			line := bytes.TrimSuffix(pending, []byte{'\n'})
			pending = nil
			if en, err := ParseLogLine(line); err == nil {
				out = append(out, en)
			}
		}
	}
	if f != nil {
		rd = bufio.NewReaderSize(f, 64*1024)
	}
	first := readAll()
	for _, en := range first[tailStart(first, o.Tail):] {
		emit(en)
	}
	if !o.Follow {
		return nil
	}
	for {
		running := true
		if c, err := e.Get(ctr.ID); err != nil || !c.Running() {
			running = false
		}
		if f == nil {
			if f, err = os.Open(e.LogPath(ctr.ID)); err == nil {
				defer f.Close()
				rd = bufio.NewReaderSize(f, 64*1024)
			} else {
				f = nil
			}
		}
		for _, en := range readAll() {
			emit(en)
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
