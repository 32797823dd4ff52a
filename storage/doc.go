// Package storage opens the user's containers/storage store, the same one
// podman, skopeo and buildah use.
//
// The store is opened from inside burrow's user namespace (see package
// userns), where the process is root; the rootless locations are chosen
// because the namespace constructor exports _CONTAINERS_ROOTLESS_UID, the
// variable containers/storage reads to learn the real user, exactly as podman
// does. With that, storage.conf is looked up in
// $XDG_CONFIG_HOME/containers (then /etc/containers and /usr/share/containers),
// the graph root defaults to $XDG_DATA_HOME/containers/storage and the run
// root to $XDG_RUNTIME_DIR/containers.
//
// The driver is the library's choice when storage.conf does not name one:
// a driver that already holds data is kept; otherwise native overlay when the
// kernel allows it inside a user namespace, overlay through fuse-overlayfs
// (mount_program) when it does not, and vfs last.
package storage
