// Package network gives containers user-defined bridge networks, as
// rootless podman does: the networks are podman's own files
// (<graph root>/networks/NAME.json, written and read by
// go.podman.io/common's libnetwork), so `podman network ls` lists burrow's
// networks and burrow lists podman's.
//
// A container on such a network keeps a network namespace of its own; netavark
// (driven by libnetwork) puts one end of a veth pair in it and the other on
// the network's bridge. The bridges live in one more network namespace per
// user, the rootless netns, which libnetwork makes on the first attachment
// and connects to the host with slirp4netns; it is removed, slirp4netns
// stopped, when the last attachment goes. netavark starts aardvark-dns in it
// for the networks with DNS: it answers at each network's gateway, with the
// names and aliases of the containers on that network only.
//
// Each attachment is recorded in burrow's run directory
// (<run root>/burrow/networks/containers/ID.json) so that Detach tears down
// exactly what Attach set up, once, whoever calls it first (the cleanup
// after the container's exit, or rm -f).
package network
