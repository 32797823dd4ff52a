package main

import (
	"github.com/burrow-containers/burrow/engine"
)

// AttachCmd is `burrow attach`.
type AttachCmd struct {
	detachFlag
	NoStdin   bool   `name:"no-stdin" help:"Do not attach stdin."`
	SigProxy  bool   `name:"sig-proxy" default:"true" negatable:"" help:"Pass the signals burrow receives on to the container's process (default true)."`
	Latest    bool   `short:"l" help:"Attach to the container created last."`
	Container string `arg:"" optional:"" help:"The running container to attach to."`
}

// Run attaches the user's terminal to a running container until it exits
// (its exit code) or the detach keys are typed (0, the container goes on).
func (a *AttachCmd) Run(g *globals) error {
	if a.Latest && a.Container != "" {
		return invalidf("--latest and containers cannot be used together")
	}
	if !a.Latest && a.Container == "" {
		return invalidf("attach requires the name or ID of one running container, or --latest")
	}
	proxy := startSigProxy(a.SigProxy)
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	ctr, err := oneContainer(eng, a.Container, a.Latest)
	if err != nil {
		return err
	}
	streams := userStreams(!a.NoStdin && ctr.Config.Interactive && ctr.Config.LogDriver != engine.LogPassthrough)
	if err := a.detachKeys(eng, &streams); err != nil {
		return err
	}
	p, err := eng.AttachRunning(g.ctx, ctr, streams)
	if err != nil {
		return err
	}
	return attachedExit(foreground(p, ctr.Config.TTY, proxy))
}
