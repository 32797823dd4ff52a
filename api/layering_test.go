package api

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOnlyTheEngine keeps the service on the engine's door: the store,
// the images, the cgroup managers and the monitor are the engine's to
// touch (issue 17), so that the CLI and the API cannot drift apart.
func TestOnlyTheEngine(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"images", "limits", "monitor", "storage", "sandbox", "slirp"}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, pkg := range forbidden {
				if p == "github.com/burrow-containers/burrow/"+pkg || p == "go.podman.io/storage" {
					t.Errorf("%s imports %s: go through package engine", f, p)
				}
			}
		}
	}
}
