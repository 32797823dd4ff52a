package main

import (
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.podman.io/common/pkg/timetype"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/engine"
)

// LogsCmd is `burrow logs`.
type LogsCmd struct {
	Follow     bool     `short:"f" help:"Follow the output until the containers exit."`
	Tail       int      `default:"-1" help:"Only the last N lines of each container (-1: all)."`
	Since      string   `help:"Only lines since this time (RFC 3339, a date, Unix seconds, or a duration such as 10m)."`
	Until      string   `help:"Only lines before this time (same forms as --since)."`
	Timestamps bool     `short:"t" help:"Show the time of each line."`
	Names      bool     `short:"n" help:"With several containers, start each line with the container's name (default: its short ID)."`
	Color      bool     `name:"color" help:"With several containers, color each one's prefix differently."`
	Latest     bool     `short:"l" help:"Show the log of the container created last."`
	Containers []string `arg:"" optional:"" name:"container" help:"Containers whose logs to show."`
}

// Run prints the logs, each container's in a goroutine of its own when
// there are several, as podman's, lines starting with the container's
// short ID (or name).
func (l *LogsCmd) Run(g *globals) error {
	o := engine.LogOptions{Follow: l.Follow, Tail: l.Tail, Timestamps: l.Timestamps}
	var err error
	if o.Since, err = parseTime(l.Since); err != nil {
		return err
	}
	if o.Until, err = parseTime(l.Until); err != nil {
		return err
	}
	if err := checkSelection(false, l.Latest, l.Containers, false); err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	targets, err := selectContainers(eng, l.Containers, selection{latest: l.Latest})
	if err != nil {
		return err
	}
	for _, t := range targets {
		if t.err != nil {
			return t.err
		}
	}
	if len(targets) == 1 {
		return eng.Logs(g.ctx, targets[0].ctr, o, os.Stdout, os.Stderr)
	}
	stdout, stderr := &lockedWriter{w: os.Stdout}, &lockedWriter{w: os.Stderr}
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		co := o
		co.Prefix = stringid.TruncateID(t.ctr.ID) + " "
		if l.Names {
			co.Prefix = t.ctr.Name + " "
		}
		if l.Color {
			co.Prefix = prefixColors[i%len(prefixColors)] + co.Prefix + "\033[0m"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = eng.Logs(g.ctx, t.ctr, co, stdout, stderr)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// prefixColors are the ANSI colors of logs --color's prefixes, one
// container after the other.
var prefixColors = []string{"\033[0;32m", "\033[0;33m", "\033[0;34m", "\033[0;35m", "\033[0;36m", "\033[0;31m"}

// lockedWriter lets several goroutines write whole records to one stream.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// parseTime reads --since and --until as podman does: RFC 3339 (with or
// without zone or seconds), a date, Unix seconds, or a duration back from
// now.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	ts, err := timetype.GetTimestamp(s, time.Now())
	if err != nil {
		return time.Time{}, invalidf("invalid time %q: use RFC 3339 (2006-01-02T15:04:05Z), a date, Unix seconds or a duration (10m)", s)
	}
	secs, frac, _ := strings.Cut(ts, ".")
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return time.Time{}, invalidf("invalid time %q: use RFC 3339 (2006-01-02T15:04:05Z), a date, Unix seconds or a duration (10m)", s)
	}
	var nsec int64
	if frac != "" {
		frac = (frac + "000000000")[:9]
		nsec, _ = strconv.ParseInt(frac, 10, 64)
	}
	return time.Unix(sec, nsec), nil
}
