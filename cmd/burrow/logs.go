package main

import (
	"fmt"
	"os"
	"time"

	"github.com/burrow-containers/burrow/engine"
)

// LogsCmd is `burrow logs`.
type LogsCmd struct {
	Follow     bool   `short:"f" help:"Follow the output until the container exits."`
	Tail       int    `short:"n" default:"-1" help:"Only the last N lines (-1: all)."`
	Since      string `help:"Only lines since this time (RFC 3339, Unix seconds, or a duration such as 10m)."`
	Until      string `help:"Only lines before this time (same forms as --since)."`
	Timestamps bool   `short:"t" help:"Show the time of each line."`
	Container  string `arg:"" help:"Container whose log to show."`
}

// Run prints the log.
func (l *LogsCmd) Run(g *globals) error {
	o := engine.LogOptions{Follow: l.Follow, Tail: l.Tail, Timestamps: l.Timestamps}
	var err error
	if o.Since, err = parseTime(l.Since); err != nil {
		return err
	}
	if o.Until, err = parseTime(l.Until); err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	c, err := eng.Get(l.Container)
	if err != nil {
		return err
	}
	return eng.Logs(g.ctx, c, o, os.Stdout, os.Stderr)
}

// parseTime accepts RFC 3339, Unix seconds or a duration back from now.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(-d), nil
	}
	var secs float64
	if _, err := fmt.Sscanf(s, "%f", &secs); err == nil {
		return time.Unix(0, int64(secs*1e9)), nil
	}
	return time.Time{}, invalidf("invalid time %q: use RFC 3339 (2006-01-02T15:04:05Z), Unix seconds or a duration (10m)", s)
}
