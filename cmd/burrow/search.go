package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"text/template"

	"github.com/burrow-containers/burrow/engine"
)

// SearchCmd is `burrow search`.
type SearchCmd struct {
	registryFlags
	Filter     []string `short:"f" sep:"none" help:"Filter the results: stars=N, is-official, is-automated (repeatable)."`
	Format     string   `help:"Print with a Go template (fields Index, Name, Description, Stars, Official, Automated, Tag), or json."`
	Limit      int      `help:"Results per registry at most (default: the registry's, 25)."`
	NoTrunc    bool     `name:"no-trunc" help:"Do not shorten descriptions."`
	ListTags   bool     `name:"list-tags" help:"List the tags of the image named instead."`
	Compatible bool     `name:"compatible" help:"Docker's columns (STARS, OFFICIAL, AUTOMATED) too."`
	CertDir    string   `name:"cert-dir" hidden:"" help:"Not supported: certificates come from registries.conf's directories."`
	Term       string   `arg:"" help:"What to look for: a name, or REGISTRY/NAME to search that registry alone."`
}

// Run searches the registries and prints what they found.
func (s *SearchCmd) Run(g *globals) error {
	if s.CertDir != "" {
		return invalidf("--cert-dir is not supported: put the certificates in /etc/containers/certs.d/REGISTRY/ or ~/.config/containers/certs.d/REGISTRY/")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	res, err := eng.Search(g.ctx, s.Term, engine.SearchOptions{Filters: s.Filter, Limit: s.Limit, NoTrunc: s.NoTrunc, ListTags: s.ListTags}, s.options(true))
	if err != nil {
		return err
	}
	switch {
	case s.Format == "json":
		if res == nil {
			res = []engine.SearchResult{}
		}
		b, _ := json.MarshalIndent(res, "", "    ")
		fmt.Println(string(b))
	case s.Format != "":
		tmpl, err := template.New("format").Funcs(templateFuncs).Parse(strings.TrimPrefix(s.Format, "table ") + "\n")
		if err != nil {
			return invalidf("invalid --format template: %v", err)
		}
		for _, r := range res {
			if err := tmpl.Execute(os.Stdout, r); err != nil {
				return invalidf("--format: %v", err)
			}
		}
	default:
		s.table(res)
	}
	return nil
}

// table prints podman's columns: NAME and DESCRIPTION (TAG with
// --list-tags), Docker's three more with --compatible.
func (s *SearchCmd) table(res []engine.SearchResult) {
	if len(res) == 0 {
		return
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	switch {
	case s.ListTags:
		fmt.Fprintln(w, "NAME\tTAG")
		for _, r := range res {
			fmt.Fprintf(w, "%s\t%s\n", r.Name, r.Tag)
		}
	case s.Compatible:
		fmt.Fprintln(w, "NAME\tDESCRIPTION\tSTARS\tOFFICIAL\tAUTOMATED")
		for _, r := range res {
			fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", r.Name, r.Description, r.Stars, r.Official, r.Automated)
		}
	default:
		fmt.Fprintln(w, "NAME\tDESCRIPTION")
		for _, r := range res {
			fmt.Fprintf(w, "%s\t%s\n", r.Name, r.Description)
		}
	}
	w.Flush()
}
