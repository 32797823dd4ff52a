package build

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/burrow-containers/burrow/errdefs"
)

// File is a parsed Containerfile.
type File struct {
	Name     string // as the user named it, for messages
	Stages   []instructions.Stage
	MetaArgs []instructions.ArgCommand // ARGs before the first FROM
	Escape   rune
}

// Parse reads a Containerfile. Syntax errors and unknown instructions come
// back as invalid-input errors naming the file and the line.
func Parse(name string, content []byte) (*File, error) {
	res, err := parser.Parse(bytes.NewReader(content))
	if err != nil {
		return nil, located(name, err)
	}
	stages, meta, err := instructions.Parse(res.AST, linter.New(&linter.Config{SkipAll: true}))
	if err != nil {
		return nil, located(name, err)
	}
	if len(stages) == 0 {
		return nil, errdefs.Invalid(fmt.Errorf("%s: no FROM instruction: a Containerfile starts with FROM IMAGE", name))
	}
	return &File{Name: name, Stages: stages, MetaArgs: meta, Escape: res.EscapeToken}, nil
}

// located turns a parser error into "FILE:LINE: message".
func located(name string, err error) error {
	line := 0
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		line = le.Locations[0][0].Start.Line
	}
	var ue *instructions.UnknownInstructionError
	if errors.As(err, &ue) {
		line = ue.Line
	}
	msg := err.Error()
	// BuildKit prefixes some messages with "dockerfile parse error on line N:".
	if _, rest, ok := strings.Cut(msg, "dockerfile parse error on line "); ok {
		if _, after, ok := strings.Cut(rest, ": "); ok {
			msg = after
		}
	}
	if line > 0 {
		return errdefs.Invalid(fmt.Errorf("%s:%d: %s", name, line, msg))
	}
	return errdefs.Invalid(fmt.Errorf("%s: %s", name, msg))
}

// stageIndex finds a stage by name (case-insensitive) or number among the
// first n stages; -1 when none.
func (f *File) stageIndex(ref string, n int) int {
	for i := 0; i < n && i < len(f.Stages); i++ {
		if f.Stages[i].Name != "" && strings.EqualFold(f.Stages[i].Name, ref) {
			return i
		}
	}
	var i int
	if _, err := fmt.Sscanf(ref, "%d", &i); err == nil && fmt.Sprint(i) == ref && i >= 0 && i < n {
		return i
	}
	return -1
}

// startLine is where a command starts in the file.
func startLine(c instructions.Command) int {
	if loc := c.Location(); len(loc) > 0 {
		return loc[0].Start.Line
	}
	return 0
}
