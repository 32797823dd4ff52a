package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/alecthomas/kong"
)

// CompletionCmd is `burrow completion bash|zsh|fish`.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"Shell: bash, zsh or fish."`
}

// Commands whose arguments are containers, or images; completed with the
// names burrow lists at that moment.
var (
	containerCommands = map[string]bool{
		"start": true, "stop": true, "kill": true, "rm": true, "wait": true, "restart": true, "logs": true,
		"exec": true, "inspect": true, "top": true, "port": true, "rename": true, "pause": true, "unpause": true,
		"export": true, "commit": true, "diff": true, "cp": true,
		"container inspect": true, "container rm": true,
	}
	imageCommands = map[string]bool{
		"run": true, "create": true, "rmi": true, "tag": true, "push": true, "save": true, "history": true,
		"image inspect": true, "image rm": true, "image tag": true, "image push": true, "image save": true, "image history": true,
	}
)

// completionTree walks the CLI model: command path -> subcommands, flags.
func completionTree(app *kong.Application) (subs, flags map[string][]string) {
	subs, flags = map[string][]string{}, map[string][]string{}
	var walk func(n *kong.Node, path string)
	walk = func(n *kong.Node, path string) {
		for _, f := range n.Flags {
			if f.Hidden {
				continue
			}
			flags[path] = append(flags[path], "--"+f.Name)
			if f.Short != 0 {
				flags[path] = append(flags[path], "-"+string(f.Short))
			}
		}
		for _, c := range n.Children {
			if c.Hidden {
				continue
			}
			subs[path] = append(subs[path], c.Name)
			p := strings.TrimSpace(path + " " + c.Name)
			walk(c, p)
		}
		sort.Strings(subs[path])
		sort.Strings(flags[path])
	}
	walk(app.Node, "")
	return subs, flags
}

// Run prints the completion script.
func (c *CompletionCmd) Run(app *kong.Kong) error {
	subs, flags := completionTree(app.Model)
	switch c.Shell {
	case "bash":
		writeBash(os.Stdout, subs, flags)
	case "zsh":
		fmt.Fprintln(os.Stdout, "#compdef burrow\nautoload -U +X bashcompinit && bashcompinit")
		writeBash(os.Stdout, subs, flags)
	case "fish":
		writeFish(os.Stdout, subs, flags)
	}
	return nil
}

func sortedKeys(m map[string][]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func writeBash(w io.Writer, subs, flags map[string][]string) {
	fmt.Fprintln(w, "# bash completion for burrow (burrow completion bash)")
	fmt.Fprintln(w, "declare -gA _burrow_subs=(")
	for _, k := range sortedKeys(subs) {
		fmt.Fprintf(w, "  [%q]=%q\n", "x"+k, strings.Join(subs[k], " "))
	}
	fmt.Fprintln(w, ")\ndeclare -gA _burrow_flags=(")
	for _, k := range sortedKeys(flags) {
		fmt.Fprintf(w, "  [%q]=%q\n", "x"+k, strings.Join(flags[k], " "))
	}
	fmt.Fprintln(w, ")\ndeclare -gA _burrow_kind=(")
	for k := range containerCommands {
		fmt.Fprintf(w, "  [%q]=containers\n", "x"+k)
	}
	for k := range imageCommands {
		fmt.Fprintf(w, "  [%q]=images\n", "x"+k)
	}
	fmt.Fprint(w, `)
_burrow() {
  local cur=${COMP_WORDS[COMP_CWORD]} path="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    [[ $word == -* ]] && continue
    if [[ -n ${_burrow_subs[x$path]+set} && " ${_burrow_subs[x$path]} " == *" $word "* ]]; then
      path=${path:+$path }$word
    fi
  done
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "${_burrow_flags[x$path]} --help" -- "$cur"))
    return
  fi
  local words=${_burrow_subs[x$path]}
  case ${_burrow_kind[x$path]} in
    containers) words+=" $(burrow ps -a --format '{{.Names}}' 2>/dev/null)" ;;
    images) words+=" $(burrow images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -v '<none>')" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _burrow burrow
`)
}

func writeFish(w io.Writer, subs, flags map[string][]string) {
	fmt.Fprintln(w, "# fish completion for burrow (burrow completion fish)")
	fmt.Fprintln(w, "complete -c burrow -f")
	for _, s := range subs[""] {
		fmt.Fprintf(w, "complete -c burrow -n __fish_use_subcommand -a %s\n", s)
	}
	for _, path := range sortedKeys(subs) {
		if path == "" {
			continue
		}
		for _, s := range subs[path] {
			fmt.Fprintf(w, "complete -c burrow -n '__fish_seen_subcommand_from %s' -a %s\n", path, s)
		}
	}
	for _, path := range sortedKeys(flags) {
		cond := "__fish_use_subcommand"
		if path != "" {
			last := path[strings.LastIndex(path, " ")+1:]
			cond = "__fish_seen_subcommand_from " + last
		}
		for _, f := range flags[path] {
			if strings.HasPrefix(f, "--") {
				fmt.Fprintf(w, "complete -c burrow -n '%s' -l %s\n", cond, strings.TrimPrefix(f, "--"))
			}
		}
	}
	var ctrs, imgs []string
	for k := range containerCommands {
		if !strings.Contains(k, " ") {
			ctrs = append(ctrs, k)
		}
	}
	for k := range imageCommands {
		if !strings.Contains(k, " ") {
			imgs = append(imgs, k)
		}
	}
	sort.Strings(ctrs)
	sort.Strings(imgs)
	fmt.Fprintf(w, "complete -c burrow -n '__fish_seen_subcommand_from %s' -a '(burrow ps -a --format \"{{.Names}}\" 2>/dev/null)'\n", strings.Join(ctrs, " "))
	fmt.Fprintf(w, "complete -c burrow -n '__fish_seen_subcommand_from %s' -a '(burrow images --format \"{{.Repository}}:{{.Tag}}\" 2>/dev/null)'\n", strings.Join(imgs, " "))
}
