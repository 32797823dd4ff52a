// Package api serves the Docker Engine API (versions 1.40 to 1.43; newer
// clients negotiate down through /_ping) over a unix socket, or TCP with
// mutual TLS (TLSConfig), on top of package engine, so that the docker CLI
// and the Docker Go SDK drive burrow unchanged: `burrow system service`.
// It shares the engine's on-disk state with the CLI: a container made
// through the API shows in `burrow ps`, and the reverse.
//
// Served: _ping, version, info; containers: list (with filters), create,
// inspect, start, stop, restart, kill, wait, remove, logs (multiplexed
// framing), attach (hijacked, tty and not; made before start, handed the
// monitor connection by start, so docker run misses no output), resize;
// exec create/start/inspect/resize; prune, top, changes, stats (streamed,
// or one sample), archive (docker cp both ways, streamed: package extract
// unpacks uploads in the container's root); images: list (with
// filters), create (pull, with X-Registry-Auth), inspect, remove, tag,
// push, history, prune, get, load; build (the classic builder: a context
// tar, run by package build; no BuildKit sessions); commit; auth; events
// (container create, start, die, destroy, seen by watching the records).
// Errors are {"message": ...} with 404, 409, 400, 401 by error class; 413
// for a body over Server.UploadLimit. A create request is translated field
// by field (create.go); a field burrow cannot honour is a 400 naming it
// (unsupported.go), never ignored. Requests from web browsers are refused
// (403), JSON bodies must say so (Content-Type application/json).
package api
