package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"text/tabwriter"
	"time"

	"go.podman.io/common/pkg/report"

	"github.com/burrow-containers/burrow/api"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// progName is the name burrow was called by: its messages and usage say
// "podman" where it was installed as podman (scripts written for podman
// call it so), "burrow" otherwise.
func progName() string {
	if len(os.Args) == 0 {
		return "burrow"
	}
	return filepath.Base(os.Args[0])
}

// VersionCmd is `burrow version`.
type VersionCmd struct {
	Format string `short:"f" help:"Change the output format to JSON or a Go template."`
}

// versionInfo is podman's version report: its field names, for templates
// and JSON.
type versionInfo struct {
	APIVersion string
	Version    string
	GoVersion  string
	GitCommit  string
	BuiltTime  string
	Built      int64
	OsArch     string
	Os         string
}

// versionReport is what `version --format` sees. burrow has no server
// apart from the client: .Server is the client, as podman's without a
// remote service.
type versionReport struct {
	Client *versionInfo `json:"Client"`
	Server *versionInfo `json:"-"`
}

func currentVersion() *versionInfo {
	v := &versionInfo{
		APIVersion: api.MaxAPIVersion, Version: version, GoVersion: runtime.Version(),
		OsArch: runtime.GOOS + "/" + runtime.GOARCH, Os: runtime.GOOS,
	}
	commit, built := api.Build()
	v.GitCommit = commit
	v.Built, v.BuiltTime = built.Unix(), built.Format(time.ANSIC)
	return v
}

// Run prints the version.
func (c *VersionCmd) Run() error {
	v := currentVersion()
	rep := versionReport{Client: v, Server: v}
	if report.IsJSON(c.Format) {
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		fmt.Println(string(b))
		return nil
	}
	if c.Format != "" {
		return formatOne(c.Format, rep)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 1, ' ', 0)
	fmt.Fprintf(w, "Version:\t%s\nAPI Version:\t%s\nGo Version:\t%s\n", v.Version, v.APIVersion, v.GoVersion)
	if v.GitCommit != "" {
		fmt.Fprintf(w, "Git Commit:\t%s\n", v.GitCommit)
	}
	fmt.Fprintf(w, "Built:\t%s\nOS/Arch:\t%s\n", v.BuiltTime, v.OsArch)
	return w.Flush()
}
