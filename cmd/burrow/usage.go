package main

// The synopses of commands whose arguments kong's model cannot spell as
// podman does (one list of words holds the image and the container's
// command line): podman's, which the shell completion of each argument
// follows too (complete_args.go).

func (*RunCmd) usage() string  { return "IMAGE [COMMAND [ARG...]]" }
func (*ExecCmd) usage() string { return "CONTAINER [COMMAND [ARG...]]" }
func (*CpCmd) usage() string   { return "[CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH" }
