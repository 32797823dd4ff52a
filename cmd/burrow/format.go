package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/template"

	"go.podman.io/common/pkg/report"
)

// printInspect prints what lookup finds for each name: a JSON array, or
// the --format template per object. A name not found is an error (the
// last one returned, earlier ones printed), as podman's inspect.
func printInspect(names []string, format string, lookup func(name string) (any, error)) error {
	var tmpl *template.Template
	if format != "" && format != "json" {
		var err error
		if tmpl, err = template.New("format").Funcs(templateFuncs).Parse(format + "\n"); err != nil {
			return invalidf("invalid --format template: %v", err)
		}
	}
	out := []any{}
	var last error
	for _, name := range names {
		d, err := lookup(name)
		if err != nil {
			if last != nil {
				fmt.Fprintf(os.Stderr, "Error: %v\n", last)
			}
			last = err
			continue
		}
		if tmpl != nil {
			if err := tmpl.Execute(os.Stdout, withIDAlias(jsonView(d))); err != nil {
				return invalidf("--format: %v", err)
			}
			continue
		}
		out = append(out, d)
	}
	if tmpl == nil {
		b, _ := json.MarshalIndent(out, "", "    ")
		fmt.Println(string(b))
	}
	return last
}

// formatOne prints one object (info, version) as --format says, the way
// podman's report package reads it: "json" (or {{json .}}) for indented
// JSON, else a Go template with \t and \n understood and a newline added.
func formatOne(format string, v any) error {
	if report.IsJSON(format) {
		b, err := json.MarshalIndent(v, "", "    ")
		if err != nil {
			return err
		}
		fmt.Println(string(b))
		return nil
	}
	tmpl, err := report.NewTemplate("format").Parse(format)
	if err != nil {
		return invalidf("template parsing error: %v", err)
	}
	if err := tmpl.Execute(os.Stdout, v); err != nil {
		return invalidf("template: %v", err)
	}
	return nil
}

// withIDAlias lets a template of an inspected object say {{.ID}}, as
// podman's (whose Go field is ID) and {{.Id}}, as the JSON key.
func withIDAlias(v any) any {
	if m, ok := v.(map[string]any); ok {
		if id, ok := m["Id"]; ok {
			if _, taken := m["ID"]; !taken {
				m["ID"] = id
			}
		}
	}
	return v
}
