package main

import (
	"reflect"
	"strings"

	"github.com/alecthomas/kong"
)

// kong builds its model of the whole command line (some 80 commands, their
// flags, tags and help texts) before it parses: about a third of the work
// and of the memory touched by a command as small as `version`. A command
// line that names its command is parsed with a model of the CLI that holds
// that command only; help, completion and anything not recognised get the
// whole model, so what the user sees is the same.

// parseCLI parses args into cli, with a model of cli's command named in
// args alone when that is enough to parse them.
func parseCLI(cli *CLI, args []string, options ...kong.Option) (*kong.Context, error) {
	if field, ok := namedCommand(args); ok {
		return parsePruned(cli, field, args, options)
	}
	parser, err := kong.New(cli, options...)
	if err != nil {
		return nil, err
	}
	return parser.Parse(shortEquals(parser.Model.Node, args))
}

// shortEquals rewrites podman's `-i=false` (pflag takes a short flag's
// value after "="; kong reads "=" as one more short flag) into the long
// form kong parses, `--interactive=false`. It looks at the command's
// flags only: it stops at "--" and at the first argument that is not a
// subcommand (a run's image and command are the container's), and steps
// over the values of flags that take one.
func shortEquals(node *kong.Node, args []string) []string {
	out := append([]string(nil), args...)
	for i := 0; i < len(out); i++ {
		a := out[i]
		switch {
		case a == "--":
			return out
		case strings.HasPrefix(a, "--"):
			name, _, hasValue := strings.Cut(a[2:], "=")
			if f := flagNamed(node, func(f *kong.Flag) bool { return f.Name == name }); f != nil && !hasValue && !f.IsBool() && !f.IsCounter() {
				i++
			}
		case len(a) >= 2 && a[0] == '-':
			short := rune(a[1])
			f := flagNamed(node, func(f *kong.Flag) bool { return f.Short == short })
			switch {
			case f == nil:
			case len(a) > 2 && a[2] == '=':
				out[i] = "--" + f.Name + a[2:]
			case len(a) == 2 && !f.IsBool() && !f.IsCounter():
				i++
			}
		default:
			child := childNamed(node, a)
			if child == nil {
				return out
			}
			node = child
		}
	}
	return out
}

// flagNamed is the flag of node or its parents that match picks.
func flagNamed(node *kong.Node, match func(*kong.Flag) bool) *kong.Flag {
	for _, group := range node.AllFlags(false) {
		for _, f := range group {
			if match(f) {
				return f
			}
		}
	}
	return nil
}

// childNamed is node's subcommand called name (or by an alias of it).
func childNamed(node *kong.Node, name string) *kong.Node {
	for _, c := range node.Children {
		if c.Type != kong.CommandNode {
			continue
		}
		if c.Name == name {
			return c
		}
		for _, alias := range c.Aliases {
			if alias == name {
				return c
			}
		}
	}
	return nil
}

// namedCommand is the field of CLI holding the command args name, false
// when the whole model is needed: no command, one kong does not know as it
// is written, help asked for, the completion script or the help command
// (both made from the whole model).
func namedCommand(args []string) (string, bool) {
	name := ""
	for i := 0; i < len(args) && name == ""; i++ {
		a := args[i]
		switch {
		case a == "--":
			return "", false
		case globalTakesValue(a):
			i++
		case strings.HasPrefix(a, "-"):
			if a == "--help" || strings.HasPrefix(a, "--help=") {
				return "", false
			}
		default:
			name = a
		}
	}
	for _, a := range args {
		if a == "--help" {
			return "", false
		}
	}
	t := reflect.TypeOf(CLI{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if _, cmd := f.Tag.Lookup("cmd"); !cmd || f.Name == "Completion" || f.Name == "HelpCmd" {
			continue
		}
		names := []string{strings.ToLower(f.Name)}
		if n, ok := f.Tag.Lookup("name"); ok {
			names = []string{n}
		}
		if a, ok := f.Tag.Lookup("aliases"); ok {
			names = append(names, strings.Split(a, ",")...)
		}
		for _, n := range names {
			if n == name {
				return f.Name, true
			}
		}
	}
	return "", false
}

// parsePruned parses args with a model of a struct holding CLI's flags and
// only its command field, then copies the fields back into cli.
func parsePruned(cli *CLI, field string, args []string, options []kong.Option) (*kong.Context, error) {
	t := reflect.TypeOf(*cli)
	var fields []reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if _, cmd := f.Tag.Lookup("cmd"); !cmd || f.Name == field {
			fields = append(fields, f)
		}
	}
	pruned := reflect.New(reflect.StructOf(fields))
	parser, err := kong.New(pruned.Interface(), options...)
	if err != nil {
		return nil, err
	}
	kctx, err := parser.Parse(shortEquals(parser.Model.Node, args))
	v := reflect.ValueOf(cli).Elem()
	for _, f := range fields {
		v.FieldByName(f.Name).Set(pruned.Elem().FieldByName(f.Name))
	}
	return kctx, err
}
