package engine

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/burrow-containers/burrow/errdefs"
)

func TestWithInit(t *testing.T) {
	c := &Config{Init: true, InitPath: "/usr/bin/catatonit"}
	args, mounts := withInit(c, []string{"sleep", "9"}, nil)
	if !reflect.DeepEqual(args, []string{ContainerInitPath, "--", "sleep", "9"}) {
		t.Errorf("args %q: the init runs the command after --", args)
	}
	if len(mounts) != 1 || mounts[0].Destination != ContainerInitPath || mounts[0].Source != c.InitPath || !reflect.DeepEqual(mounts[0].Options, []string{"bind", "ro"}) {
		t.Errorf("mounts %+v: the init bound read-only", mounts)
	}
	if got := commandArgs(c, args); !reflect.DeepEqual(got, []string{"sleep", "9"}) {
		t.Errorf("command %q: ps shows the command, not the init", got)
	}
	if args, mounts := withInit(&Config{}, []string{"true"}, nil); len(args) != 1 || len(mounts) != 0 {
		t.Errorf("without --init: %q %v", args, mounts)
	}
}

func TestSettleInit(t *testing.T) {
	e := &Engine{}
	bin := filepath.Join(t.TempDir(), "catatonit")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &Config{Init: true, InitPath: bin}
	if err := e.settleInit(c); err != nil || c.InitPath != bin {
		t.Errorf("an existing --init-path: %v, %q", err, c.InitPath)
	}
	c = &Config{Init: true, InitPath: filepath.Join(t.TempDir(), "none")}
	if err := e.settleInit(c); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("a missing --init-path: %v", err)
	}
	c = &Config{Init: true, InitPath: t.TempDir()}
	if err := e.settleInit(c); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("a directory as --init-path: %v", err)
	}
	c = &Config{InitPath: bin}
	if err := e.settleInit(c); err != nil || c.InitPath != "" {
		t.Errorf("--init-path without --init is not used: %v, %q", err, c.InitPath)
	}
}
