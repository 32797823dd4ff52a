// Package api serves the Docker Engine API (versions 1.40 to 1.43; newer
// clients negotiate down through /_ping) over a unix socket, or TCP with
// mutual TLS (TLSConfig), on top of package engine, so that the docker CLI,
// the Docker Go SDK, docker compose and testcontainers-go drive burrow
// unchanged: `burrow system service`. It shares the engine's on-disk state
// with the CLI: a container made through the API shows in `burrow ps`, and
// the reverse.
//
// Served: _ping, version, info, system/df; events (containers with their
// health, networks and volumes from the records; images' pull, push, tag,
// untag, delete, import, load, save and containers' commit from the
// engine's journal of image operations; dockerd's filters, since and
// until); containers: list (dockerd's filters: label, name, id,
// ancestor, status, exited, before, since, volume, network, health),
// create, inspect (Config and HostConfig from the container's settings),
// start, stop, restart, kill, wait (not-running, next-exit, removed),
// remove, logs (multiplexed framing), attach (hijacked, tty and not; made
// before start, handed the monitor connection by start, so docker run
// misses no output), resize, pause, unpause, rename, update (limits of a
// running container, the restart policy of any), export; exec
// create/start/inspect/resize; prune, top, changes, stats (streamed, or
// one sample), archive (docker cp both ways, streamed, a running
// container's volumes and binds included: package extract unpacks
// uploads in the container's root); a start that cannot run the command
// is a 400 and leaves exit code 127 or 126 and State.Error; images: list (with filters),
// create (pull, with X-Registry-Auth; import), inspect, remove (with the
// build steps nothing else holds, as dockerd's untagged parents), tag, push,
// history, prune, get, load; names as dockerd shows them (docker.io/library/
// for a short name, familiar forms in lists), found by dockerd's reading
// first, then podman's; build (the classic builder: a context tar, run by
// package build; no BuildKit sessions) and build/prune; commit; auth; networks (podman's,
// with a builtin bridge, host and none answering as dockerd's): list,
// inspect, create, remove, prune, connect (of a container on networks;
// one on the default network, a user-mode one of its own, is refused),
// disconnect, and aliases and addresses at create; volumes: list,
// inspect, create, remove, prune.
// Health checks (Config.Healthcheck) run as the CLI's --health-* do.
//
// Errors are {"message": ...} with 404, 409, 400, 401 by error class; 413
// for a body over Server.UploadLimit. A create request is translated field
// by field (create.go); a field burrow cannot honour is a 400 naming it
// (unsupported.go: Links, StorageOpt, Sysctls other than
// net.*, Runtime and a few more), never
// ignored. Requests from web browsers are refused (403) unless the
// service's --cors names their origin (CORSOrigin; podman's CORS headers
// are then sent), JSON bodies must say so (Content-Type application/json).
// Plain TCP on loopback serves the service's own user only
// (SameUserListener). Not served: swarm, plugins,
// secrets, configs, distribution, sessions (BuildKit), and the network
// drivers other than bridge.
package api
