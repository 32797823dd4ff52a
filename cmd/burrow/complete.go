package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/burrow-containers/burrow/engine"
)

// The completion protocol of cobra, which podman's completion scripts (and
// burrow's own) speak: the script runs `burrow __complete ARGS... LAST`
// (or __completeNoDesc), and burrow prints the candidates for LAST, one a
// line ("value\tdescription" with descriptions), then ":N", N the
// directive's bit mask, and on stderr "Completion ended with directive:
// ..." for a human. Errors go to stderr as "[Debug] [Error] ..." lines,
// which the scripts ignore.
const (
	completeCmd       = "__complete"
	completeNoDescCmd = "__completeNoDesc"
)

// compDirective tells the shell what to do besides offering candidates.
type compDirective int

const (
	compError compDirective = 1 << iota
	compNoSpace
	compNoFileComp
	compFilterFileExt
	compFilterDirs
	compKeepOrder
	compDefault compDirective = 0
)

// String names the directive's bits as cobra prints them.
func (d compDirective) String() string {
	names := []string{"Error", "NoSpace", "NoFileComp", "FilterFileExt", "FilterDirs", "KeepOrder"}
	var out []string
	for i, n := range names {
		if d&(1<<i) != 0 {
			out = append(out, "ShellCompDirective"+n)
		}
	}
	if len(out) == 0 {
		return "ShellCompDirectiveDefault"
	}
	return strings.Join(out, ", ")
}

// candidate is one completion and what the shell may show beside it.
type candidate struct{ value, desc string }

// completion is the answer to one request.
type completion struct {
	cands     []candidate
	directive compDirective
}

// noFiles is an answer with no candidates, and no file names either.
var noFiles = completion{directive: compNoFileComp}

// isCompleteRequest tells whether args ask for completions.
func isCompleteRequest(args []string) bool {
	return len(args) > 0 && (args[0] == completeCmd || args[0] == completeNoDescCmd)
}

// runComplete answers `burrow __complete ARGS... LAST`.
func runComplete(args []string) int {
	withDesc := args[0] == completeCmd
	exit := -1
	parser, err := kong.New(&CLI{}, cliOptions(&exit)...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		return 125
	}
	req := parseCompleteRequest(parser.Model.Node, args[1:])
	// The store the command line names, as the command would use.
	engineOptions = engine.Options{
		GraphRoot: req.values["root"], RunRoot: req.values["runroot"],
		StorageDriver: req.values["storage-driver"], InfraImage: infraImageName(),
	}
	src := newEngineSource()
	defer src.close()
	comp := req.complete(src)
	writeCompletion(os.Stdout, os.Stderr, comp, withDesc)
	return 0
}

// writeCompletion prints comp as cobra's protocol has it.
func writeCompletion(out, errOut io.Writer, comp completion, withDesc bool) {
	for _, c := range comp.cands {
		line := c.value
		if withDesc && c.desc != "" {
			line += "\t" + c.desc
		}
		line, _, _ = strings.Cut(line, "\n")
		fmt.Fprintln(out, strings.TrimSpace(line))
	}
	fmt.Fprintf(out, ":%d\n", int(comp.directive))
	fmt.Fprintf(errOut, "Completion ended with directive: %s\n", comp.directive)
}

// completeRequest is a command line cut where the cursor is: the command
// it names, the arguments given it, and the word being completed.
type completeRequest struct {
	node        *kong.Node
	positionals []string
	toComplete  string
	// valueOf is the flag whose value toComplete is, if it is one.
	valueOf *kong.Flag
	// argsOnly: no more flags of burrow's (after "--", or in the
	// container's command line).
	argsOnly bool
	// setFlags are the flags already given; values, their values.
	setFlags map[*kong.Flag]bool
	values   map[string]string
}

// parseCompleteRequest walks args (the last one being completed) through
// the CLI's model: commands, flags (with their values) and positionals.
func parseCompleteRequest(root *kong.Node, args []string) completeRequest {
	req := completeRequest{node: root, setFlags: map[*kong.Flag]bool{}, values: map[string]string{}}
	if len(args) == 0 {
		args = []string{""}
	}
	words, last := args[:len(args)-1], args[len(args)-1]
	onlyArgs := false // after "--", or inside a container's command line
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case onlyArgs:
			req.positionals = append(req.positionals, w)
		case w == "--":
			onlyArgs = true
		case strings.HasPrefix(w, "-") && len(w) > 1:
			f := lookupFlag(req.node, w)
			if f == nil {
				continue
			}
			req.setFlags[f] = true
			if _, v, ok := strings.Cut(w, "="); ok {
				req.values[f.Name] = v
			} else if takesNext(f, w) {
				if i == len(words)-1 {
					req.valueOf = f
				} else {
					req.values[f.Name] = words[i+1]
				}
				i++
			}
		default:
			if len(req.positionals) == 0 {
				if child := findChild(req.node, w); child != nil {
					req.node = child
					continue
				}
			}
			req.positionals = append(req.positionals, w)
			// The rest of run's, exec's or unshare's command line is
			// the container's, flags and all.
			onlyArgs = slices.ContainsFunc(argWords(req.node), func(s string) bool { return strings.Contains(s, "COMMAND") })
		}
	}
	req.toComplete = last
	if onlyArgs {
		req.valueOf, req.argsOnly = nil, true
		return req
	}
	if name, value, ok := strings.Cut(last, "="); ok && strings.HasPrefix(last, "-") {
		if f := lookupFlag(req.node, name); f != nil {
			req.valueOf, req.toComplete = f, value
		}
	}
	return req
}

// findChild is node's subcommand called name, hidden ones included (a
// user may type them).
func findChild(node *kong.Node, name string) *kong.Node {
	for _, ch := range node.Children {
		if ch.Type == kong.CommandNode && (ch.Name == name || slices.Contains(ch.Aliases, name)) {
			return ch
		}
	}
	return nil
}

// lookupFlag is the flag arg ("--name", "--name=v", "-n", "-abn") names,
// on node or the commands above it; nil when it is no flag of theirs.
func lookupFlag(node *kong.Node, arg string) *kong.Flag {
	name, _, _ := strings.Cut(arg, "=")
	for n := node; n != nil; n = n.Parent {
		for _, f := range n.Flags {
			switch {
			case strings.HasPrefix(name, "--"):
				if f.Name == name[2:] || slices.Contains(f.Aliases, name[2:]) {
					return f
				}
			case f.Short != 0 && strings.HasSuffix(name, string(f.Short)):
				// In -abn the flag that may take a value is the last.
				return f
			}
		}
	}
	return nil
}

// takesNext tells whether f, written as arg, takes the next word as its
// value; "-abn" only when n takes one and is the last letter.
func takesNext(f *kong.Flag, arg string) bool {
	return takesValue(f) && (strings.HasPrefix(arg, "--") || strings.HasSuffix(arg, string(f.Short)))
}

// complete answers the request with candidates from src.
func (r completeRequest) complete(src candidateSource) completion {
	switch {
	case r.valueOf != nil:
		return flagValues(r.valueOf, r.toComplete, src)
	case strings.HasPrefix(r.toComplete, "-") && !r.argsOnly:
		return r.flagNames()
	case len(r.positionals) == 0 && len(subcommands(r.node)) > 0:
		var comp completion
		for _, s := range subcommands(r.node) {
			if strings.HasPrefix(s.Name, r.toComplete) {
				comp.cands = append(comp.cands, candidate{s.Name, strings.TrimSuffix(s.Help, ".")})
			}
		}
		comp.directive = compNoFileComp
		if !isGroup(r.node) {
			more := completeArg(r, src)
			comp.cands = append(comp.cands, more.cands...)
		}
		return comp
	case isGroup(r.node):
		return noFiles
	}
	return completeArg(r, src)
}

// flagSet tells whether the flag called name was given.
func (r completeRequest) flagSet(name string) bool {
	for f := range r.setFlags {
		if f.Name == name {
			return true
		}
	}
	return false
}

// flagNames are the flags of the command (and of those above it, the
// global ones) that start with the word, but those given already unless
// they repeat.
func (r completeRequest) flagNames() completion {
	comp := completion{directive: compNoFileComp}
	add := func(name, help string) {
		if strings.HasPrefix(name, r.toComplete) {
			comp.cands = append(comp.cands, candidate{name, strings.TrimSuffix(help, ".")})
		}
	}
	for n := r.node; n != nil; n = n.Parent {
		flags := visibleFlags(n)
		sort.Slice(flags, func(i, j int) bool { return flags[i].Name < flags[j].Name })
		for _, f := range flags {
			if r.setFlags[f] && !f.IsSlice() && !f.IsMap() {
				continue
			}
			add("--"+f.Name, f.Help)
			if f.Short != 0 {
				add("-"+string(f.Short), f.Help)
			}
		}
	}
	add("--help", "Help for "+r.node.Name)
	return comp
}
