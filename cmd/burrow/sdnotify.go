package main

import (
	"fmt"

	"github.com/coreos/go-systemd/v22/daemon"

	"github.com/burrow-containers/burrow/engine"
)

// checkSdNotify refuses the --sdnotify mode burrow lacks: container, where
// the container's own process would tell systemd it is ready through the
// notify socket, which burrow does not pass in.
func checkSdNotify(mode string) error {
	if mode == "container" {
		return invalidf("--sdnotify=container: burrow does not pass systemd's notify socket into a container; use --sdnotify=conmon (burrow's monitor tells systemd once the container runs)")
	}
	return nil
}

// notifyReady tells systemd, when it started this command in a unit of
// Type=notify (NOTIFY_SOCKET set, as generate systemd --new's units), that
// the container runs and that its monitor is the unit's main process, as
// podman's conmon does for --sdnotify=conmon (the default). ignore tells
// nothing.
func notifyReady(mode string, ctr *engine.Container) error {
	if mode == "ignore" {
		return nil
	}
	if _, err := daemon.SdNotify(false, fmt.Sprintf("MAINPID=%d\n%s", ctr.State.MonitorPid, daemon.SdNotifyReady)); err != nil {
		return fmt.Errorf("telling systemd the container runs: %w", err)
	}
	return nil
}
