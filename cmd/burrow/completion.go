package main

import (
	"fmt"
	"os"
	"strings"
)

// CompletionCmd is `burrow completion bash|zsh|fish`.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"Shell: bash, zsh or fish."`
}

// Run prints the completion script. The scripts hold no knowledge of
// their own: each asks `burrow __complete` (complete.go), which answers
// from the command line's model and the engine, so a script never lags
// behind the binary, and podman's scripts (the same protocol) agree.
func (c *CompletionCmd) Run() error {
	scripts := map[string]string{"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion}
	fmt.Fprint(os.Stdout, strings.ReplaceAll(scripts[c.Shell], "PROG", progName()))
	return nil
}

// bashCompletion asks for the words before the cursor and the one under
// it, keeping --flag=value and CONTAINER:PATH in one word (bash splits
// them at = and :), then hands bash the part after its word break. The
// directive's bits: 1 error, 2 no space, 4 no file names, 16 directories.
const bashCompletion = `# bash completion for PROG (PROG completion bash)
_PROG() {
  local cur words cword
  if declare -F _get_comp_words_by_ref >/dev/null; then
    _get_comp_words_by_ref -n =: cur words cword
  elif [[ -n ${COMP_LINE-} ]]; then
    local typed=${COMP_LINE:0:COMP_POINT}
    read -ra words <<<"$typed"
    [[ $typed == *[[:space:]] ]] && words+=("")
    cword=$((${#words[@]} - 1)) cur=${words[-1]}
  else
    words=("${COMP_WORDS[@]}") cword=$COMP_CWORD cur=${COMP_WORDS[COMP_CWORD]}
  fi
  local out directive line match=$cur
  [[ $cur == -*=* ]] && match=${cur#*=}
  out=$("${words[0]}" __completeNoDesc "${words[@]:1:cword-1}" "$cur" 2>/dev/null) || return
  directive=${out##*:}
  COMPREPLY=()
  while IFS= read -r line; do
    [[ $line == :* ]] && break
    [[ $line == "$match"* ]] && COMPREPLY+=("$line")
  done <<<"$out"
  (( directive & 1 )) && return
  (( directive & 2 )) && compopt -o nospace 2>/dev/null
  local i
  if [[ $cur == -*=* && $COMP_WORDBREAKS != *=* ]]; then
    for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]=${cur%%=*}=${COMPREPLY[i]}; done
  elif [[ $cur == *:* && $cur != -*=* && $COMP_WORDBREAKS == *:* ]]; then
    local prefix=${cur%"${cur##*:}"}
    for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]=${COMPREPLY[i]#"$prefix"}; done
  fi
  if (( ${#COMPREPLY[@]} == 0 )); then
    if (( directive & 16 )); then
      compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$match"))
    elif (( (directive & 4) == 0 )); then
      compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$match"))
    fi
  fi
}
complete -F _PROG PROG
`

// zshCompletion shows the descriptions __complete gives.
const zshCompletion = `#compdef PROG
# zsh completion for PROG (PROG completion zsh)
_PROG() {
  local -a cands words_before
  local out directive line
  words_before=("${(@)words[2,CURRENT-1]}")
  out=$(${words[1]} __complete "${words_before[@]}" "${words[CURRENT]}" 2>/dev/null) || return 1
  directive=${${(f)out}[-1]#:}
  for line in "${(@f)out}"; do
    [[ $line == :* ]] && break
    cands+=("${line//:/\\:}")
  done
  (( directive & 1 )) && return 1
  local -a nospace
  (( directive & 2 )) && nospace=(-S '')
  if (( ${#cands} )); then
    _describe -t values 'PROG' cands "${nospace[@]}" && return 0
  fi
  if (( directive & 16 )); then
    _files -/
  elif (( (directive & 4) == 0 )); then
    _files
  fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _PROG "$@"
else
  compdef _PROG PROG
fi
`

// fishCompletion takes "value<TAB>description" lines as they come.
const fishCompletion = `# fish completion for PROG (PROG completion fish)
function __PROG_complete
  set -l words (commandline -opc)
  set -l out (command $words[1] __complete $words[2..-1] (commandline -ct) 2>/dev/null)
  or return
  set -l directive (string replace -r '^:' '' -- $out[-1])
  set -e out[-1]
  if test (math "$directive % 2") -eq 1
    return
  end
  if test (count $out) -gt 0
    printf '%s\n' $out
  else if test (math "bitand($directive, 16)") -ne 0
    __fish_complete_directories (commandline -ct)
  else if test (math "bitand($directive, 4)") -eq 0
    __fish_complete_path (commandline -ct)
  end
end
complete -c PROG -f -a '(__PROG_complete)'
`
