// Package roles names the roles the burrow binary plays (docs/roles.md),
// chosen from the environment before any command-line parsing. The C
// parts of the roles (userns, sandbox, monitor) spell the same names; the
// one ELF constructor that starts them is in cmd/burrow, so that no other
// binary or test that links those packages runs a role.
package roles

// Env is the variable that selects the role; unset, the binary is the CLI.
const Env = "_BURROW_ROLE"

// The roles.
const (
	Pause   = "pause"   // holds burrow's user and mount namespaces (C, userns)
	Monitor = "monitor" // a container's monitor (C, monitor)
	Init    = "init"    // a container's init (C, sandbox)
	Exec    = "exec"    // joins a running container (C, sandbox)
	Port    = "port"    // forwards a container's published ports (slirp.PortMain)
	Infra   = "infra"   // the process of a pod's built-in infra container (C, infra)
)
