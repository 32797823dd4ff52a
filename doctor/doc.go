// Package doctor finds what keeps rootless containers from working on a
// host - subordinate IDs, the setuid helpers, user namespaces, the runtime
// directory, cgroups, fuse, tun, the store - and says, for each, the exact
// fix. `burrow system doctor` prints its checks; the same findings back the
// one-line errors of other commands.
package doctor
