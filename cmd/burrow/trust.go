package main

import (
	"encoding/json"
	"fmt"
	"os"

	"go.podman.io/common/pkg/report"

	"github.com/burrow-containers/burrow/engine"
)

// TrustCmd groups `burrow image trust ...`.
type TrustCmd struct {
	Set  TrustSetCmd  `cmd:"" help:"Set the default trust policy or a registry's."`
	Show TrustShowCmd `cmd:"" help:"Display the trust policy."`
}

// TrustSetCmd is `burrow image trust set`, podman's.
type TrustSetCmd struct {
	Type        string   `short:"t" default:"signedBy" help:"Trust type: signedBy (the default), accept, reject or sigstoreSigned."`
	PubKeysFile []string `short:"f" name:"pubkeysfile" sep:"none" help:"Public key file to trust for the scope (signedBy, sigstoreSigned); repeat for more."`
	PolicyPath  string   `name:"policypath" hidden:"" help:"The policy.json to change."`
	Scope       string   `arg:"" name:"registry" help:"default, or REGISTRY[/REPOSITORY]."`
}

// Run changes the scope's requirements in policy.json.
func (c *TrustSetCmd) Run(g *globals) error {
	return engine.SetTrust(c.Scope, engine.TrustSetOptions{PolicyPath: c.PolicyPath, Type: c.Type, PubKeysFiles: c.PubKeysFile})
}

// TrustShowCmd is `burrow image trust show`, podman's.
type TrustShowCmd struct {
	JSON         bool   `short:"j" name:"json" help:"Output as JSON."`
	Raw          bool   `help:"Output the policy file as it is."`
	NoHeading    bool   `short:"n" name:"noheading" help:"Do not print column headings."`
	PolicyPath   string `name:"policypath" hidden:"" help:"The policy.json to read."`
	RegistryPath string `name:"registrypath" hidden:"" help:"The registries.d to read."`
	Registry     string `arg:"" optional:"" help:"Registry (ignored: every scope is shown, as podman)."`
}

// Run prints the policy: a table, JSON, or the file.
func (c *TrustShowCmd) Run(g *globals) error {
	policies, raw, err := engine.ShowTrust(c.PolicyPath, c.RegistryPath)
	if err != nil {
		return err
	}
	switch {
	case c.Raw:
		fmt.Println(string(raw))
		return nil
	case c.JSON:
		if policies == nil {
			policies = []engine.TrustPolicy{}
		}
		b, err := json.MarshalIndent(policies, "", "  ")
		if err != nil {
			return err
		}
		fmt.Println(string(b))
		return nil
	}
	rpt := report.New(os.Stdout, "show")
	defer rpt.Flush()
	if _, err := rpt.Parse(report.OriginPodman, "{{range . }}{{.Transport}}\t{{.RepoName}}\t{{.Type}}\t{{.GPGId}}\t{{.SignatureStore}}\n{{end -}}"); err != nil {
		return err
	}
	if c.NoHeading {
		rpt.RenderHeaders = false
	}
	hdrs := []map[string]string{{"Transport": "TRANSPORT", "RepoName": "NAME", "Type": "TYPE", "GPGId": "ID", "SignatureStore": "STORE"}}
	return writeReport(rpt, hdrs, policies)
}
