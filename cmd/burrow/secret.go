package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	"github.com/docker/go-units"

	"github.com/burrow-containers/burrow/engine"
)

// SecretCmd groups `burrow secret ...`: podman's secrets, in podman's store.
type SecretCmd struct {
	Create  SecretCreateCmd  `cmd:"" help:"Create a secret from a file, stdin (-) or a variable (--env)."`
	Ls      SecretLsCmd      `cmd:"" aliases:"list" help:"List secrets."`
	Inspect SecretInspectCmd `cmd:"" help:"Show secrets' details (not their data)."`
	Rm      SecretRmCmd      `cmd:"" aliases:"remove" help:"Remove secrets."`
	Exists  SecretExistsCmd  `cmd:"" help:"Exit 0 if the secret exists, 1 if not."`
}

// SecretCreateCmd is `burrow secret create`.
type SecretCreateCmd struct {
	Driver     string   `short:"d" default:"file" help:"Driver that keeps the data: file (the only one burrow takes)."`
	DriverOpts []string `name:"driver-opts" sep:"," help:"Driver options K=V (file: path=DIR)."`
	Env        bool     `name:"env" help:"Read the data from the environment variable named SOURCE."`
	Label      []string `short:"l" name:"label" sep:"none" help:"Set a label K=V (repeatable)."`
	Replace    bool     `name:"replace" help:"Replace a secret of the same name."`
	Name       string   `arg:"" help:"Secret name."`
	Source     string   `arg:"" help:"File holding the data, - for stdin, or with --env a variable."`
}

// Run stores the secret and prints its ID.
func (c *SecretCreateCmd) Run(g *globals) error {
	data, err := c.data()
	if err != nil {
		return err
	}
	opts, err := keyValues(nil, c.DriverOpts, "--driver-opts")
	if err != nil {
		return err
	}
	labels, err := keyValues(nil, c.Label, "--label")
	if err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	id, err := eng.CreateSecret(c.Name, data, engine.SecretOptions{Driver: c.Driver, DriverOpts: opts, Labels: labels, Replace: c.Replace})
	if err != nil {
		return err
	}
	fmt.Println(id)
	return nil
}

// data reads the secret's data from its source.
func (c *SecretCreateCmd) data() ([]byte, error) {
	switch {
	case c.Env:
		v, ok := os.LookupEnv(c.Source)
		if !ok {
			return nil, invalidf("cannot create secret %s: environment variable %s is not set", c.Name, c.Source)
		}
		return []byte(v), nil
	case c.Source == "-":
		return io.ReadAll(os.Stdin)
	}
	b, err := os.ReadFile(c.Source)
	if err != nil {
		return nil, invalidf("reading the secret's file: %v", err)
	}
	return b, nil
}

// SecretLsCmd is `burrow secret ls`.
type SecretLsCmd struct {
	Filter    []string `short:"f" sep:"none" help:"Filter: name=NAME, id=ID (prefixes; repeatable)."`
	Format    string   `help:"Go template (.ID .Name .Driver .CreatedAt .UpdatedAt) or json."`
	Noheading bool     `short:"n" name:"noheading" help:"Do not print the header line."`
	Quiet     bool     `short:"q" help:"Print only the IDs."`
}

// secretRow is a line of secret ls, as podman's.
type secretRow struct {
	ID, Name, Driver, CreatedAt, UpdatedAt string
}

// Run lists the secrets.
func (c *SecretLsCmd) Run(g *globals) error {
	match, err := secretFilter(c.Filter)
	if err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	all, err := eng.Secrets()
	if err != nil {
		return err
	}
	rows := []secretRow{}
	for _, s := range all {
		if match(s) {
			rows = append(rows, secretRow{ID: s.ID, Name: s.Spec.Name, Driver: s.Spec.Driver.Name, CreatedAt: ago(s.CreatedAt), UpdatedAt: ago(s.UpdatedAt)})
		}
	}
	switch {
	case c.Format == "json":
		b, _ := json.MarshalIndent(rows, "", "    ")
		fmt.Println(string(b))
	case c.Quiet:
		for _, r := range rows {
			fmt.Println(r.ID)
		}
	case c.Format != "":
		tmpl, err := template.New("format").Funcs(templateFuncs).Parse(strings.TrimPrefix(c.Format, "table ") + "\n")
		if err != nil {
			return invalidf("invalid --format template: %v", err)
		}
		for _, r := range rows {
			if err := tmpl.Execute(os.Stdout, r); err != nil {
				return invalidf("--format: %v", err)
			}
		}
	default:
		w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		if !c.Noheading {
			fmt.Fprintln(w, "ID\tNAME\tDRIVER\tCREATED\tUPDATED")
		}
		for _, r := range rows {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Driver, r.CreatedAt, r.UpdatedAt)
		}
		w.Flush()
	}
	return nil
}

// ago is a time as podman's listings show it: "5 minutes ago".
func ago(t time.Time) string { return units.HumanDuration(time.Since(t)) + " ago" }

// secretFilter reads secret ls --filter: a secret matches when, for each
// key given, one of its values is a prefix of its name or ID, as podman's.
func secretFilter(filters []string) (func(engine.Secret) bool, error) {
	want := map[string][]string{}
	for _, f := range filters {
		k, v, ok := strings.Cut(f, "=")
		if !ok || (k != "name" && k != "id") {
			return nil, invalidf("invalid filter %q: use name=NAME or id=ID", f)
		}
		want[k] = append(want[k], v)
	}
	return func(s engine.Secret) bool {
		for k, vals := range want {
			field := s.ID
			if k == "name" {
				field = s.Spec.Name
			}
			ok := false
			for _, v := range vals {
				ok = ok || strings.HasPrefix(field, v)
			}
			if !ok {
				return false
			}
		}
		return true
	}, nil
}

// SecretInspectCmd is `burrow secret inspect`.
type SecretInspectCmd struct {
	Format string   `short:"f" help:"Go template, or json."`
	Names  []string `arg:"" name:"secret" help:"Secrets to inspect (names or IDs)."`
}

// Run prints the secrets' details.
func (c *SecretInspectCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return printInspect(c.Names, c.Format, func(name string) (any, error) { return eng.GetSecret(name) })
}

// SecretRmCmd is `burrow secret rm`.
type SecretRmCmd struct {
	All   bool     `short:"a" help:"Remove every secret."`
	Names []string `arg:"" optional:"" name:"secret" help:"Secrets to remove (names or IDs)."`
}

// Run removes the secrets and prints their IDs; a missing one is an error
// after the others are removed.
func (c *SecretRmCmd) Run(g *globals) error {
	if c.All == (len(c.Names) > 0) {
		return invalidf("choose either one or more secrets or all")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if c.All {
		all, err := eng.Secrets()
		if err != nil {
			return err
		}
		for _, s := range all {
			c.Names = append(c.Names, s.ID)
		}
	}
	var last error
	for _, n := range c.Names {
		id, err := eng.RemoveSecret(n)
		if err != nil {
			if last != nil {
				fmt.Fprintf(os.Stderr, "Error: %v\n", last)
			}
			last = err
			continue
		}
		fmt.Println(id)
	}
	return last
}

// SecretExistsCmd is `burrow secret exists`.
type SecretExistsCmd struct {
	Name string `arg:"" help:"Secret name or ID."`
}

// Run exits 0 when the secret exists, 1 when not, as podman's.
func (c *SecretExistsCmd) Run(g *globals) error {
	return exists(func(eng *engine.Engine) error {
		_, err := eng.GetSecret(c.Name)
		return err
	})
}
