package main

import (
	"encoding/json"
	"fmt"

	"github.com/burrow-containers/burrow/doctor"
	"github.com/burrow-containers/burrow/userns"
)

// SystemCmd groups `burrow system ...`.
type SystemCmd struct {
	Doctor DoctorCmd `cmd:"" help:"Check the host for what rootless containers need, and say how to fix it."`
}

// DoctorCmd is `burrow system doctor`.
type DoctorCmd struct {
	Format string `help:"json for JSON output."`
	Repair bool   `help:"Remove what the store check finds broken."`
}

// Run prints one line per check; it exits 1 when a check fails.
func (d *DoctorCmd) Run(g *globals) error {
	uid, gid := userns.HostUID(), userns.HostGID()
	h := doctor.CurrentHost(uid, gid)
	results := doctor.HostChecks(h)
	// The store check needs burrow's user namespace; it may be what is
	// broken, which the checks above have said.
	if err := enterUserNamespace(); err != nil {
		results = append(results, doctor.Result{Check: "store", Status: doctor.Warn, Message: "not checked: " + err.Error(), Fix: "fix the failures above first"})
	} else if eng, err := openEngine(); err != nil {
		results = append(results, doctor.Result{Check: "store", Status: doctor.Fail, Message: err.Error(), Fix: "see the storage.conf named in the error"})
	} else {
		defer eng.Close()
		results = append(results, doctor.StoreChecks(eng, d.Repair)...)
	}
	failed := false
	for _, r := range results {
		failed = failed || r.Status == doctor.Fail
	}
	if d.Format == "json" {
		b, _ := json.MarshalIndent(results, "", "  ")
		fmt.Println(string(b))
	} else {
		for _, r := range results {
			fmt.Printf("%-4s %-28s %s\n", r.Status, r.Check, r.Message)
			if r.Fix != "" {
				fmt.Printf("     %-28s fix: %s\n", "", r.Fix)
			}
		}
	}
	if failed {
		return withExit(fmt.Errorf("%d checks failed: see the fixes above", countFailed(results)), 1)
	}
	return nil
}

func countFailed(rs []doctor.Result) int {
	n := 0
	for _, r := range rs {
		if r.Status == doctor.Fail {
			n++
		}
	}
	return n
}
