package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/burrow-containers/burrow/engine"
)

// candidateSource is where completion finds the names it offers: the
// engine, or a fixed set in tests.
type candidateSource interface {
	containers() []containerName
	pods() []podName
	images() []imageName
	networks() []idName
	volumes() []string
	registries() []string
	secrets() []idName
	// imagePaths and containerPaths complete a path inside the image's or
	// the container's root filesystem.
	imagePaths(ref, toComplete string) completion
	containerPaths(nameOrID, toComplete string) completion
}

type (
	containerName struct{ id, name, state, pod string }
	podName       struct{ id, name, state string }
	imageName     struct {
		id    string
		names []string // repository:tag, fully qualified
	}
	idName struct{ id, name string }
)

// containerCandidates are the containers in one of states (any when none
// is given): names, and IDs once two characters are typed, as podman's.
func containerCandidates(src candidateSource, toComplete string, states ...string) []candidate {
	var out []candidate
	for _, c := range src.containers() {
		if len(states) > 0 && !slices.Contains(states, c.state) {
			continue
		}
		if len(toComplete) > 1 && strings.HasPrefix(c.id, toComplete) {
			out = append(out, candidate{shortID(c.id), c.pod})
		}
		if strings.HasPrefix(c.name, toComplete) {
			out = append(out, candidate{c.name, c.pod})
		}
	}
	return out
}

// podCandidates are the pods in one of states (any when none is given).
func podCandidates(src candidateSource, toComplete string, states ...string) []candidate {
	var out []candidate
	for _, p := range src.pods() {
		if len(states) > 0 && !slices.Contains(states, p.state) {
			continue
		}
		if len(toComplete) > 1 && strings.HasPrefix(p.id, toComplete) {
			out = append(out, candidate{value: shortID(p.id)})
		}
		if strings.HasPrefix(p.name, toComplete) {
			out = append(out, candidate{value: p.name})
		}
	}
	return out
}

// imageCandidates are images by their full names when nothing is typed;
// else also by the names' shorter tails (quay.io/libpod/alpine:latest is
// libpod/alpine:latest and alpine:latest too), and by ID after two
// characters, as podman's.
func imageCandidates(src candidateSource, toComplete string) []candidate {
	var out []candidate
	for _, img := range src.images() {
		if len(toComplete) > 1 && strings.HasPrefix(img.id, toComplete) {
			out = append(out, candidate{value: shortID(img.id)})
		}
		for _, name := range img.names {
			if toComplete == "" {
				out = append(out, candidate{value: name})
				continue
			}
			parts := strings.Split(name, "/")
			for i := range parts {
				if tail := strings.Join(parts[i:], "/"); strings.HasPrefix(tail, toComplete) {
					out = append(out, candidate{value: tail})
				}
			}
		}
	}
	return out
}

// idNameCandidates are names, and IDs after two characters.
func idNameCandidates(list []idName, toComplete string) []candidate {
	var out []candidate
	for _, n := range list {
		if len(toComplete) > 1 && strings.HasPrefix(n.id, toComplete) {
			out = append(out, candidate{value: shortID(n.id)})
		}
		if strings.HasPrefix(n.name, toComplete) {
			out = append(out, candidate{value: n.name})
		}
	}
	return out
}

// nameCandidates are the names that start with toComplete.
func nameCandidates(names []string, toComplete string) []candidate {
	var out []candidate
	for _, n := range names {
		if strings.HasPrefix(n, toComplete) {
			out = append(out, candidate{value: n})
		}
	}
	return out
}

// compError prints a failure to find candidates where the completion
// scripts ignore it, as cobra's CompErrorln does.
func compErrorln(err error) {
	fmt.Fprintf(os.Stderr, "[Debug] [Error] %v\n", err)
}

// engineSource asks burrow's engine, opened on first need.
type engineSource struct{ eng **engine.Engine }

// newEngineSource is an engineSource that opens the engine when asked.
func newEngineSource() engineSource { return engineSource{eng: new(*engine.Engine)} }

// engine is the opened engine, nil (the error printed) when it cannot
// be opened.
func (s engineSource) engine() *engine.Engine {
	if *s.eng == nil {
		e, err := openEngine()
		if err != nil {
			compErrorln(err)
			return nil
		}
		*s.eng = e
	}
	return *s.eng
}

// close closes the engine if it was opened.
func (s engineSource) close() {
	if *s.eng != nil {
		(*s.eng).Close()
	}
}

func (s engineSource) containers() []containerName {
	e := s.engine()
	if e == nil {
		return nil
	}
	ctrs, err := e.List()
	if err != nil {
		compErrorln(err)
		return nil
	}
	pods := e.PodNames()
	out := make([]containerName, 0, len(ctrs))
	for _, c := range ctrs {
		state := c.State.Status
		if c.Running() && c.Paused() {
			state = statusPaused
		}
		out = append(out, containerName{id: c.ID, name: c.Name, state: state, pod: pods[c.Config.Pod]})
	}
	return out
}

// collect asks the engine for a list and makes each item a candidate
// (ok false: none), a failed look-up said as cobra's debug line.
func collect[T, R any](s engineSource, list func(*engine.Engine) ([]T, error), candidate func(T) (R, bool)) []R {
	e := s.engine()
	if e == nil {
		return nil
	}
	items, err := list(e)
	if err != nil {
		compErrorln(err)
		return nil
	}
	out := make([]R, 0, len(items))
	for _, it := range items {
		if r, ok := candidate(it); ok {
			out = append(out, r)
		}
	}
	return out
}

func (s engineSource) pods() []podName {
	return collect(s, (*engine.Engine).ListPods, func(p *engine.Pod) (podName, bool) {
		return podName{id: p.ID, name: p.Name, state: p.State()}, true
	})
}

func (s engineSource) images() []imageName {
	list := func(e *engine.Engine) ([]engine.ImageSummary, error) { return e.Images(context.Background()) }
	return collect(s, list, func(img engine.ImageSummary) (imageName, bool) {
		return imageName{id: img.ID, names: img.Names}, !img.Intermediate
	})
}

func (s engineSource) networks() []idName {
	list := func(e *engine.Engine) ([]engine.Network, error) { return e.ListNetworks(nil) }
	return collect(s, list, func(n engine.Network) (idName, bool) { return idName{id: n.ID, name: n.Name}, true })
}

func (s engineSource) volumes() []string {
	return collect(s, (*engine.Engine).Volumes, func(v *engine.Volume) (string, bool) { return v.Name, true })
}

func (s engineSource) registries() []string {
	regs, err := engine.SearchRegistries()
	if err != nil {
		compErrorln(err)
	}
	return regs
}

// secrets are the store's secrets (podman's, shared).
func (s engineSource) secrets() []idName {
	return collect(s, (*engine.Engine).Secrets, func(sec engine.Secret) (idName, bool) {
		return idName{id: sec.ID, name: sec.Spec.Name}, true
	})
}

func (s engineSource) imagePaths(ref, toComplete string) completion {
	return s.rootPaths(toComplete, func(e *engine.Engine, fn func(root string) error) error {
		img, err := e.LookupImage(ref)
		if err != nil {
			return err
		}
		return e.WithImageRoot(img.ID, fn)
	})
}

func (s engineSource) containerPaths(nameOrID, toComplete string) completion {
	return s.rootPaths(toComplete, func(e *engine.Engine, fn func(root string) error) error {
		ctr, err := e.Get(nameOrID)
		if err != nil {
			return err
		}
		return e.WithContainerRoot(ctr, func(root string, _, _ int) error { return fn(root) })
	})
}

// rootPaths completes toComplete as a path inside the root withRoot
// mounts (an image's or a container's); on any error, the shell's own
// file completion.
func (s engineSource) rootPaths(toComplete string, withRoot func(e *engine.Engine, fn func(root string) error) error) completion {
	e := s.engine()
	if e == nil {
		return completion{directive: compDefault}
	}
	var comp completion
	err := withRoot(e, func(root string) error {
		comp = pathCompletion(root, toComplete)
		return nil
	})
	if err != nil {
		compErrorln(err)
		return completion{directive: compDefault}
	}
	return comp
}
