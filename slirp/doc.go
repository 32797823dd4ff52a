// Package slirp gives a rootless container its network: a network
// namespace of its own, joined to the host's network by user-mode
// networking (slirp4netns), and published ports forwarded by rootlesskit's
// builtin port driver.
//
// A container's network namespace is a file (a bind mount of the namespace)
// made before the container, so that networking is ready when its process
// starts; the container's init joins it by path. slirp4netns is started on
// that path and stops when its exit descriptor closes: the container's
// monitor holds the other end, so the network lives exactly as long as the
// monitor. Published ports are served by a small helper process (the "port"
// role of the burrow binary) that runs both halves of rootlesskit's builtin
// port driver, the child half inside the namespace by path; it too stops
// when the monitor goes.
//
// Addresses are slirp4netns' defaults: the container is 10.0.2.100/24,
// the gateway (and the host's loopback, when allowed) 10.0.2.2, DNS
// 10.0.2.3. Connections through a published port reach the container from
// 127.0.0.1 (the port driver dials inside the namespace): the source
// address of the client is not preserved.
package slirp
