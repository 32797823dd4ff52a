package main

import (
	"fmt"
	"os"
	"strings"

	"go.podman.io/common/pkg/report"

	"github.com/burrow-containers/burrow/engine"
)

// AutoUpdateCmd is `burrow auto-update`.
type AutoUpdateCmd struct {
	registryFlags
	DryRun   bool   `name:"dry-run" help:"Check for pending updates without updating."`
	Rollback bool   `default:"true" negatable:"" help:"Roll back to the previous image if an update fails."`
	Format   string `help:"Change the output format to a Go template."`
}

// Run checks (and without --dry-run updates) the containers and prints
// their report; each error is printed, the last one is the command's.
func (c *AutoUpdateCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	reports, errs := eng.AutoUpdate(g.ctx, engine.AutoUpdateOptions{DryRun: c.DryRun, Rollback: c.Rollback, Pull: c.options(false)})
	if err := c.print(reports); err != nil {
		return err
	}
	if len(errs) == 0 {
		return nil
	}
	for _, err := range errs[:len(errs)-1] {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
	}
	return errs[len(errs)-1]
}

// print prints the report as podman's table, or with the user's template.
func (c *AutoUpdateCmd) print(reports []engine.AutoUpdateReport) error {
	if len(reports) == 0 {
		return nil
	}
	rpt := report.New(os.Stdout, "auto-update")
	defer rpt.Flush()
	format, origin := c.Format, report.OriginUser
	if format == "" {
		origin = report.OriginPodman
		format = "{{range . }}" + strings.Join([]string{"{{.Unit}}", "{{.Container}}", "{{.Image}}", "{{.Policy}}", "{{.Updated}}"}, "\t") + "\n{{end -}}"
	}
	if _, err := rpt.Parse(origin, format); err != nil {
		return invalidf("template parsing error: %v", err)
	}
	if rpt.RenderHeaders {
		if err := rpt.Execute(report.Headers(engine.AutoUpdateReport{}, nil)); err != nil {
			return invalidf("template: %v", err)
		}
	}
	if err := rpt.Execute(reports); err != nil {
		return invalidf("template: %v", err)
	}
	return nil
}

// systemdUnitLabel labels a container created inside a systemd unit of
// generate systemd with the unit's name, as podman's create: auto-update
// restarts that unit.
func systemdUnitLabel(cfg *engine.Config) {
	unit := os.Getenv(engine.SystemdUnitEnv)
	if unit == "" {
		return
	}
	if _, ok := cfg.Labels[engine.SystemdUnitEnv]; ok {
		return
	}
	if cfg.Labels == nil {
		cfg.Labels = map[string]string{}
	}
	cfg.Labels[engine.SystemdUnitEnv] = unit
}
