// Package hostinfo gathers what `burrow info` reports about the host: the
// ID mappings in use, the cgroup setup, the network backend and the helper
// binaries burrow relies on, with their versions.
package hostinfo
