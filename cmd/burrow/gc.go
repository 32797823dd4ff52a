package main

import (
	"os"
	"runtime/debug"
)

// A command is short: it opens the store, does one thing and exits. With
// Go's default GOGC=100 the first collection comes at a 4 MB heap, which
// `run --rm` passes once in a store that holds its image alone and three
// or four times with a thousand containers beside (loading
// containers.json and layers.json whole allocates for each of them), each
// collection a stop, a mark of the live heap and a sweep that the exit
// would have made needless. GOGC=400 moves the first collection to a
// 16 MB heap: no collection in such a run, and a heap at most five times
// what is live in a command that runs longer. The API service serves for
// hours and allocates for each request, and a command attached to a
// container lives as long as it: they go back to Go's default.

// cliGCPercent is the GOGC of a command.
const cliGCPercent = 400

// tuneGC sets a command's GOGC, unless the user set GOGC.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(cliGCPercent)
	}
}

// serviceGC gives a long-running process Go's default GOGC back, unless
// the user set GOGC.
func serviceGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(100)
	}
}
