package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/alecthomas/kong"
)

// rootShort is the root command's one-line description, podman's.
const rootShort = "Manage pods, containers and images"

// helpFlag is --help: the help of the command it follows, in podman's
// layout (cobra's), on stdout.
type helpFlag bool

// BeforeReset prints the help and ends the program with 0.
func (h helpFlag) BeforeReset(ctx *kong.Context) error {
	node := ctx.Selected()
	if node == nil {
		node = ctx.Model.Node
	}
	printHelp(os.Stdout, node)
	ctx.Kong.Exit(0)
	return nil
}

// HelpCmd is `burrow help [COMMAND...]`, the help of a command.
type HelpCmd struct {
	Command []string `arg:"" optional:"" help:"The command."`
}

// usage is HelpCmd's synopsis, podman's.
func (*HelpCmd) usage() string { return "[command]" }

// Run prints the help of the command named.
func (c *HelpCmd) Run(k *kong.Context) error {
	node := k.Model.Node
	for _, name := range c.Command {
		child := findCommand(node, name)
		if child == nil {
			return invalidf("unrecognized command `%s %s`\nTry '%s --help' for more information", commandPath(node), name, commandPath(node))
		}
		node = child
	}
	printHelp(os.Stdout, node)
	return nil
}

// findCommand is node's visible subcommand called name (or by an alias).
func findCommand(node *kong.Node, name string) *kong.Node {
	for _, ch := range node.Children {
		if ch.Type != kong.CommandNode || ch.Hidden {
			continue
		}
		if ch.Name == name {
			return ch
		}
		for _, a := range ch.Aliases {
			if a == name {
				return ch
			}
		}
	}
	return nil
}

// commandPath is how the user calls node: "podman container ls".
func commandPath(node *kong.Node) string {
	var parts []string
	for n := node; n != nil && n.Type == kong.CommandNode; n = n.Parent {
		parts = append([]string{n.Name}, parts...)
	}
	return strings.Join(append([]string{progName()}, parts...), " ")
}

// subcommands are node's visible commands.
func subcommands(node *kong.Node) []*kong.Node {
	var out []*kong.Node
	for _, ch := range node.Children {
		if ch.Type == kong.CommandNode && !ch.Hidden {
			out = append(out, ch)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// isGroup tells a command that only holds others (`container`), which
// needs one of them.
func isGroup(node *kong.Node) bool {
	if len(subcommands(node)) == 0 {
		return false
	}
	return !node.Target.IsValid() || !node.Target.Addr().MethodByName("Run").IsValid()
}

// visibleFlags are node's own options as its help lists them.
func visibleFlags(node *kong.Node) []*kong.Flag {
	var out []*kong.Flag
	for _, f := range node.Flags {
		if !f.Hidden && f.Name != "help" {
			out = append(out, f)
		}
	}
	return out
}

// synopsis is the line under "Usage:", as podman writes it: the command,
// [options] when it has any, then its arguments in capitals, optional ones
// in brackets, repeatable ones with "...".
func synopsis(node *kong.Node) string {
	path := commandPath(node)
	if node.Type != kong.CommandNode {
		return path + " [options] [command]"
	}
	if isGroup(node) {
		return path + " [command]"
	}
	parts := []string{path}
	if len(visibleFlags(node)) > 0 {
		parts = append(parts, "[options]")
	}
	if u, ok := node.Target.Addr().Interface().(interface{ usage() string }); ok {
		return strings.Join(append(parts, u.usage()), " ")
	}
	for _, p := range node.Positional {
		name := strings.ToUpper(p.Name)
		switch {
		case p.IsSlice() && p.Required:
			name += " [" + name + "...]"
		case p.IsSlice():
			name = "[" + name + "...]"
		case !p.Required:
			name = "[" + name + "]"
		}
		parts = append(parts, name)
	}
	return strings.Join(parts, " ")
}

// printHelp writes node's help in podman's layout: description, usage,
// examples, subcommands, options.
func printHelp(w io.Writer, node *kong.Node) {
	short := strings.TrimSuffix(node.Help, ".")
	if node.Type != kong.CommandNode {
		short = rootShort
	}
	fmt.Fprintf(w, "%s\n\n", short)
	if node.Type == kong.CommandNode {
		fmt.Fprintf(w, "Description:\n  %s\n\n", short)
	}
	fmt.Fprintf(w, "Usage:\n  %s\n\n", synopsis(node))
	if len(node.Aliases) > 0 {
		fmt.Fprintf(w, "Aliases:\n  %s\n\n", strings.Join(append([]string{node.Name}, node.Aliases...), ", "))
	}
	if node.Detail != "" {
		fmt.Fprintf(w, "%s\n\n", strings.TrimSpace(node.Detail))
	}
	if subs := subcommands(node); len(subs) > 0 {
		width := 0
		for _, s := range subs {
			width = max(width, len(s.Name))
		}
		fmt.Fprintln(w, "Available Commands:")
		for _, s := range subs {
			fmt.Fprintf(w, "  %-*s %s\n", width, s.Name, strings.TrimSuffix(s.Help, "."))
		}
		fmt.Fprintln(w)
	}
	if flags := visibleFlags(node); len(flags) > 0 {
		fmt.Fprintln(w, "Options:")
		lines := kongFlagLines(flags)
		if node.Type != kong.CommandNode {
			lines = append(lines, rootOnlyLines()...)
		}
		sort.Slice(lines, func(i, j int) bool { return flagSortKey(lines[i].left) < flagSortKey(lines[j].left) })
		printFlags(w, lines)
	}
}

// flagLine is one option in a help: its names and type, and its help.
type flagLine struct{ left, help string }

// printFlags lists options as cobra does: "-a, --all   help", the value's
// type after the name, the default after the help.
func printFlags(w io.Writer, lines []flagLine) {
	width := 0
	for _, l := range lines {
		width = max(width, len(l.left))
	}
	for _, l := range lines {
		fmt.Fprintf(w, "  %-*s   %s\n", width, l.left, l.help)
	}
}

// kongFlagLines are the help lines of flags.
func kongFlagLines(flags []*kong.Flag) []flagLine {
	var out []flagLine
	for _, f := range flags {
		l := "    "
		if f.Short != 0 {
			l = "-" + string(f.Short) + ", "
		}
		l += "--" + f.Name
		if t := flagType(f); t != "" {
			l += " " + t
		}
		help := strings.TrimSuffix(f.Help, ".")
		if f.HasDefault && f.Default != "" && !f.IsBool() {
			if f.Target.Kind() == reflect.String {
				help += fmt.Sprintf(" (default %q)", f.Default)
			} else {
				help += fmt.Sprintf(" (default %s)", f.Default)
			}
		}
		out = append(out, flagLine{l, help})
	}
	return out
}

// flagType names a flag's value as cobra does: string, int, stringArray...
func flagType(f *kong.Flag) string {
	if f.IsBool() || f.IsCounter() {
		return ""
	}
	t := f.Target.Type()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeOf(time.Duration(0)) {
		return "duration"
	}
	switch t.Kind() {
	case reflect.Slice:
		return "stringArray"
	case reflect.Map:
		return "stringToString"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "int"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "uint"
	case reflect.Float32, reflect.Float64:
		return "float"
	}
	return "string"
}

// remoteGiven tells whether the user pointed at a remote service; podman's
// help offers --remote only when not.
func remoteGiven() bool {
	if os.Getenv("CONTAINER_HOST") != "" || os.Getenv("CONTAINER_CONNECTION") != "" {
		return true
	}
	for _, a := range os.Args[1:] {
		name, _, _ := strings.Cut(a, "=")
		if name == "--url" || name == "--host" || name == "-H" || name == "--connection" || name == "-c" {
			return true
		}
		if !strings.HasPrefix(a, "-") {
			break
		}
	}
	return false
}

// usageError turns a command-line error of the parser into podman's (cobra's)
// words, which scripts match: "takes no arguments", "requires at least 1
// arg(s)", "unknown flag: --x", "missing command", "unrecognized command".
// It prints the usage first where podman does.
func usageError(err error) error {
	var pe *kong.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	node := pe.Context.Selected()
	if node == nil {
		node = pe.Context.Model.Node
	}
	msg := pe.Unwrap().Error()
	path := commandPath(node)
	if flag := flagWithoutValue(pe.Context); flag != "" {
		return missingValue(flag, path)
	}
	switch {
	case strings.HasPrefix(msg, "unknown flag "):
		flag, _, _ := strings.Cut(strings.TrimPrefix(msg, "unknown flag "), ",")
		if !strings.HasPrefix(flag, "--") {
			return fmt.Errorf("unknown shorthand flag: %q in %s\nSee '%s --help'", strings.TrimPrefix(flag, "-"), flag, path)
		}
		return fmt.Errorf("unknown flag: %s\nSee '%s --help'", flag, path)
	case len(subcommands(node)) > 0 && isGroup(node) && strings.HasPrefix(msg, "unexpected argument "):
		arg, _, _ := strings.Cut(strings.TrimPrefix(msg, "unexpected argument "), ",")
		if flag := unknownFlag(node, pe.Context.Args); flag != "" {
			// cobra reads the flags before it looks for the command.
			return fmt.Errorf("unknown flag: %s\nSee '%s --help'", flag, path)
		}
		return fmt.Errorf("unrecognized command `%s %s`\nTry '%s --help' for more information", path, arg, path)
	case isGroup(node) && strings.HasPrefix(msg, "expected "):
		printHelp(os.Stderr, node)
		return fmt.Errorf("missing command '%s COMMAND'", path)
	case strings.HasPrefix(msg, "unexpected argument "):
		return tooManyArgs(node, pe.Context)
	case strings.HasPrefix(msg, "missing positional arguments") || strings.HasPrefix(msg, "expected \"<"):
		return fmt.Errorf("%s requires at least %d arg(s), only received %d", quoteCmd(path), requiredArgs(node), givenArgs(pe.Context, node))
	}
	return err
}

// flagWithoutValue is pflag's name of the flag that ends the command line
// and takes a value it was not given ("--name", "'h' in -h"), "" when the
// line does not end so. kong gives such a flag an empty value, or reports
// the command's missing arguments, where podman reports the flag.
func flagWithoutValue(ctx *kong.Context) string {
	if len(ctx.Path) == 0 || len(ctx.Args) == 0 {
		return ""
	}
	f := ctx.Path[len(ctx.Path)-1].Flag
	last := ctx.Args[len(ctx.Args)-1]
	if f == nil || !takesValue(f) || strings.Contains(last, "=") || !strings.HasPrefix(last, "-") {
		return ""
	}
	if name, ok := strings.CutPrefix(last, "--"); ok {
		if name == f.Name || slices.Contains(f.Aliases, name) {
			return last
		}
		return ""
	}
	if f.Short != 0 && strings.HasSuffix(last, string(f.Short)) {
		return fmt.Sprintf("'%c' in %s", f.Short, last)
	}
	return ""
}

// unknownFlag is the first long flag in args that neither node nor the
// commands above it know, "" when there is none.
func unknownFlag(node *kong.Node, args []string) string {
	for _, a := range args {
		if a == "--" {
			return ""
		}
		name, ok := strings.CutPrefix(a, "--")
		if !ok || name == "" {
			continue
		}
		name, _, _ = strings.Cut(name, "=")
		if findFlag(node, func(f *kong.Flag) bool { return f.Name == name || slices.Contains(f.Aliases, name) }) == nil {
			return "--" + name
		}
	}
	return ""
}

// findFlag is the flag of node, or of a command above it, that match
// selects.
func findFlag(node *kong.Node, match func(*kong.Flag) bool) *kong.Flag {
	for _, group := range node.AllFlags(false) {
		for _, f := range group {
			if match(f) {
				return f
			}
		}
	}
	return nil
}

func takesValue(f *kong.Flag) bool { return !f.IsBool() && !f.IsCounter() }

// missingValue is cobra's error for a flag given without its value.
func missingValue(flag, path string) error {
	return fmt.Errorf("flag needs an argument: %s\nSee '%s --help'", flag, path)
}

// checkFlagValues fails a command line that kong parsed although it ends
// with a flag missing its value.
func checkFlagValues(ctx *kong.Context) error {
	flag := flagWithoutValue(ctx)
	if flag == "" {
		return nil
	}
	node := ctx.Selected()
	if node == nil {
		node = ctx.Model.Node
	}
	return missingValue(flag, commandPath(node))
}

func quoteCmd(path string) string { return "\"" + path + "\"" }

// tooManyArgs is cobra's message for arguments beyond what node takes.
func tooManyArgs(node *kong.Node, ctx *kong.Context) error {
	path := commandPath(node)
	if len(node.Positional) == 0 {
		return fmt.Errorf("%s takes no arguments", quoteCmd(path))
	}
	n := len(node.Positional)
	if req := requiredArgs(node); req == n {
		return fmt.Errorf("%s accepts %d arg(s), received %d", quoteCmd(path), n, givenArgs(ctx, node)+1)
	}
	return fmt.Errorf("%s accepts at most %d arg(s), received %d", quoteCmd(path), n, givenArgs(ctx, node)+1)
}

func requiredArgs(node *kong.Node) int {
	n := 0
	for _, p := range node.Positional {
		if p.Required {
			n++
		}
	}
	return n
}

// givenArgs counts the arguments the parser took for node.
func givenArgs(ctx *kong.Context, node *kong.Node) int {
	n := 0
	for _, p := range ctx.Path {
		if p.Positional != nil && p.Parent == node {
			n++
		}
	}
	return n
}

// rootOnlyLines are the help lines of the root-only options (globals.go);
// --remote only when no remote service was named, as podman.
func rootOnlyLines() []flagLine {
	var out []flagLine
	for _, f := range rootOnlyFlags {
		if f.long == "" || f.hidden || (f.long == "remote" && remoteGiven()) {
			continue
		}
		left := "    "
		if f.short != "" {
			left = "-" + f.short + ", "
		}
		left += "--" + f.long
		if f.value {
			left += " string"
		}
		out = append(out, flagLine{left, f.help})
	}
	return out
}

// flagSortKey sorts options by their long name, as cobra does.
func flagSortKey(left string) string {
	_, long, _ := strings.Cut(left, "--")
	return long
}
