package main

import (
	"strings"

	"github.com/alecthomas/kong"

	"github.com/burrow-containers/burrow/engine"
)

// A positional argument is completed by what its word in the command's
// synopsis names (CONTAINER, IMAGE, POD...), so that what --help promises
// and what completion offers are one thing; the commands below narrow the
// containers and pods to those the command can act on, as podman's do.
var (
	containerStates = map[string][]string{
		"start": {engine.StatusCreated, engine.StatusExited},
		"stop":  {engine.StatusRunning}, "kill": {engine.StatusRunning}, "pause": {engine.StatusRunning},
		"exec": {engine.StatusRunning}, "top": {engine.StatusRunning}, "stats": {engine.StatusRunning},
		"healthcheck run": {engine.StatusRunning},
		"unpause":         {statusPaused},
	}
	podStates = map[string][]string{
		"pod stop": {engine.PodRunning, engine.PodDegraded}, "pod kill": {engine.PodRunning, engine.PodDegraded},
		"pod pause": {engine.PodRunning, engine.PodDegraded}, "pod top": {engine.PodRunning, engine.PodDegraded},
		"pod stats": {engine.PodRunning, engine.PodDegraded}, "pod unpause": {engine.PodPaused, engine.PodDegraded},
	}
)

// statusPaused is a running container whose cgroup is frozen, as podman's
// status filter names it.
const statusPaused = "paused"

// argWords are the words of node's synopsis after the command and
// "[options]": "IMAGE", "[COMMAND", "[ARG...]]".
func argWords(node *kong.Node) []string {
	rest := strings.TrimPrefix(synopsis(node), commandPath(node))
	var words []string
	for _, w := range strings.Fields(rest) {
		if w != "[options]" {
			words = append(words, w)
		}
	}
	return words
}

// commandKey is node's path without the program and a leading
// "container" (container start is start): the key of the tables above.
func commandKey(node *kong.Node) string {
	path := strings.TrimPrefix(commandPath(node), progName()+" ")
	return strings.TrimPrefix(path, "container ")
}

// completeArg completes the positional argument after those given.
func completeArg(r completeRequest, src candidateSource) completion {
	node, given, toComplete := r.node, r.positionals, r.toComplete
	switch key := commandKey(node); key {
	case "cp":
		return completeCopyArg(len(given), toComplete, src)
	case "run", "create":
		switch {
		case r.flagSet("rootfs") && len(given) == 0:
			return completion{directive: compFilterDirs}
		case r.flagSet("rootfs"):
			return completion{directive: compDefault}
		case len(given) > 0:
			return src.imagePaths(given[0], toComplete)
		}
	}
	words := argWords(node)
	var word string
	switch {
	case len(given) < len(words):
		word = words[len(given)]
	case len(words) > 0 && strings.HasSuffix(strings.TrimRight(words[len(words)-1], "]}"), "..."):
		word = words[len(words)-1]
	default:
		return noFiles // no more arguments
	}
	comp, ok := completeKinds(commandKey(node), word, toComplete, src)
	if ok {
		return comp
	}
	if len(given) < len(node.Positional) && node.Positional[len(given)].Enum != "" {
		return enumValues(node.Positional[len(given)].Enum, toComplete)
	}
	if isPathWord(word) {
		return completion{directive: compDefault}
	}
	return noFiles
}

// completeKinds gathers the candidates of every kind word names
// ({CONTAINER|IMAGE} names two); ok is false when it names none.
func completeKinds(key, word, toComplete string, src candidateSource) (comp completion, ok bool) {
	comp.directive = compNoFileComp
	kinds := []struct {
		name string
		list func() []candidate
	}{
		{"CONTAINER", func() []candidate { return containerCandidates(src, toComplete, containerStates[key]...) }},
		{"POD", func() []candidate { return podCandidates(src, toComplete, podStates[key]...) }},
		{"IMAGE", func() []candidate { return imageCandidates(src, toComplete) }},
		{"NETWORK", func() []candidate { return idNameCandidates(src.networks(), toComplete) }},
		{"VOLUME", func() []candidate { return nameCandidates(src.volumes(), toComplete) }},
		{"REGISTRY", func() []candidate { return nameCandidates(src.registries(), toComplete) }},
		{"SECRET", func() []candidate { return idNameCandidates(src.secrets(), toComplete) }},
	}
	for _, k := range kinds {
		if strings.Contains(word, k.name) {
			comp.cands = append(comp.cands, k.list()...)
			ok = true
		}
	}
	return comp, ok
}

// isPathWord tells an argument the shell completes as a file name.
func isPathWord(word string) bool {
	for _, w := range []string{"PATH", "CONTEXT", "FILE", "COMMAND", "ARG", "URI", "TARBALL", "SOURCE"} {
		if strings.Contains(word, w) {
			return true
		}
	}
	return false
}

// completeCopyArg completes cp's [CONTAINER:]PATH arguments: container
// names with the colon while none is typed (and host files), then the
// paths inside the container named.
func completeCopyArg(n int, toComplete string, src candidateSource) completion {
	if n >= 2 {
		return noFiles
	}
	if name, p, ok := strings.Cut(toComplete, ":"); ok {
		comp := src.containerPaths(name, p)
		for i := range comp.cands {
			comp.cands[i].value = name + ":" + comp.cands[i].value
		}
		return comp
	}
	comp := completion{directive: compNoSpace}
	for _, c := range containerCandidates(src, toComplete) {
		comp.cands = append(comp.cands, candidate{c.value + ":", c.desc})
	}
	return comp
}

// flagValues completes a flag's value: its enum, or the names of what it
// takes (--pod, --network); file names for the rest.
func flagValues(f *kong.Flag, toComplete string, src candidateSource) completion {
	if f.Enum != "" {
		return enumValues(f.Enum, toComplete)
	}
	if vals, ok := flagChoices[f.Name]; ok {
		return enumValues(vals, toComplete)
	}
	switch f.Name {
	case "pod":
		return completion{cands: podCandidates(src, toComplete), directive: compNoFileComp}
	case "network":
		comp, _ := completeKinds("", "NETWORK", toComplete, src)
		for _, m := range []string{"bridge", "host", "none", "pasta", "slirp4netns", "container:"} {
			if strings.HasPrefix(m, toComplete) {
				comp.cands = append(comp.cands, candidate{value: m})
			}
		}
		return comp
	}
	if f.IsBool() {
		return enumValues("true,false", toComplete)
	}
	return completion{directive: compDefault}
}

// flagChoices are the values of flags that take one of a few words but are
// no kong enum (their parsers take more forms, such as on-failure:N).
var flagChoices = map[string]string{
	"pull":       "always,missing,never,newer",
	"restart":    "no,on-failure,always,unless-stopped",
	"log-level":  strings.Join(logLevels, ","),
	"log-driver": "k8s-file,json-file,none,passthrough",
	"cgroups":    "enabled,disabled,no-conmon,split",
}

// enumValues are the comma-separated values that start with toComplete.
func enumValues(values, toComplete string) completion {
	comp := completion{directive: compNoFileComp}
	for _, v := range strings.Split(values, ",") {
		if v = strings.TrimSpace(v); v != "" && strings.HasPrefix(v, toComplete) {
			comp.cands = append(comp.cands, candidate{value: v})
		}
	}
	return comp
}
