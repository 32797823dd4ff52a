// Package infra is the process of a pod's built-in infra container
// (docs/roles.md, role "infra"): burrow's own binary, bound read-only at
// /pause in an empty image, holding the pod's namespaces as podman's
// catatonit -P or Kubernetes' pause do. It runs entirely in C
// (pause_linux.c, started by the binary's constructor in cmd/burrow): the
// Go runtime never starts, so a pod costs a few hundred kilobytes for it.
package infra
