package main

import (
	"os"
	"runtime/debug"
	"time"
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
// container lives as long as it: they go back to Go's default, the
// attached command once its container has run for attachedGCDelay. Going
// back at once collected at the start of every `run --rm`: the store's
// load had left a heap past Go's first 4 MB goal, and that collection
// (7 ms of a quiet machine's wall time with a thousand containers in the
// store) ran beside the container's start for a command about to exit.

// cliGCPercent is the GOGC of a command.
const cliGCPercent = 400

// tuneGC sets a command's GOGC, unless the user set GOGC.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(cliGCPercent)
	}
}

// attachedGCDelay is how long a command attached to a container keeps a
// command's GOGC: a container that ends sooner never waits for a
// collection.
const attachedGCDelay = time.Second

// attachedGC gives a command attached to a container Go's default GOGC
// once the container has run for attachedGCDelay; stop ends the wait.
func attachedGC() (stop func() bool) {
	return time.AfterFunc(attachedGCDelay, serviceGC).Stop
}

// serviceGC gives a long-running process Go's default GOGC back, unless
// the user set GOGC, and 4 kB pages for the heap it maps from now on
// (hugeheap.go).
func serviceGC() {
	hugeHeapOff()
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(100)
	}
}
