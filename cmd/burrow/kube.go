package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	corev1 "k8s.io/api/core/v1"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/kube"
)

// KubeCmd groups `burrow kube ...`: Kubernetes YAML both ways, as
// podman's (docs/kube.md).
type KubeCmd struct {
	Play     KubePlayCmd     `cmd:"" help:"Run the pods and volumes of Kubernetes YAML (FILE, or - for stdin)."`
	Down     KubeDownCmd     `cmd:"" help:"Stop and remove the pods that Kubernetes YAML made."`
	Generate KubeGenerateCmd `cmd:"" help:"Write Kubernetes YAML of containers, pods or volumes."`
}

// PlayCmd is podman's older spelling, `play kube`.
type PlayCmd struct {
	Kube KubePlayCmd `cmd:"" help:"Run the pods and volumes of Kubernetes YAML (as kube play)."`
}

// GenerateCmd is podman's older spelling, `generate kube`.
type GenerateCmd struct {
	Kube    KubeGenerateCmd    `cmd:"" help:"Write Kubernetes YAML of containers, pods or volumes (as kube generate)."`
	Systemd GenerateSystemdCmd `cmd:"" help:"Write systemd units that run a container or a pod."`
}

// KubePlayCmd is `burrow kube play`.
type KubePlayCmd struct {
	Replace    bool     `help:"Remove the pods of the YAML first, if they exist."`
	Down       bool     `help:"Stop and remove the pods of the YAML instead (as kube down)."`
	Force      bool     `help:"With --down: remove the volumes of the YAML too."`
	Start      bool     `default:"true" negatable:"" help:"Start the pods (--start=false: only create them)."`
	Network    []string `name:"network" aliases:"net" sep:"none" help:"The pods' network: slirp4netns (default), pasta, none, host, or networks made by network create (repeatable)."`
	ConfigMap  []string `name:"configmap" sep:"," help:"A YAML file of ConfigMaps the pods may use (repeatable)."`
	Build      *bool    `negatable:"" help:"Build the images that have a Containerfile in a directory named as the image beside the YAML (default: those missing; --build: all; --build=false: none)."`
	ContextDir string   `name:"context-dir" help:"Where the images' build directories are (default: the YAML's directory)."`
	Quiet      bool     `short:"q" help:"Pull and build without progress output."`
	registryFlags
	File string `arg:"" name:"file" help:"A Kubernetes YAML file, or - for stdin (one, as podman's)."`
}

// usage is podman's synopsis.
func (*KubePlayCmd) usage() string { return "KUBEFILE|-" }

// Run plays the YAML, or takes it down with --down.
func (c *KubePlayCmd) Run(g *globals) error {
	if c.Force && !c.Down {
		return invalidf("--force goes with --down only")
	}
	docs, err := readKube(c.File)
	if err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if c.Down {
		return kubeDown(g, eng, docs, c.Force)
	}
	var cms []corev1.ConfigMap
	for _, f := range c.ConfigMap {
		list, err := readConfigMaps(f)
		if err != nil {
			return err
		}
		cms = append(cms, list...)
	}
	plan, err := kube.Translate(docs, cms)
	if err != nil {
		return err
	}
	printWarnings(plan.Warnings)
	if c.Replace {
		if err := kubeDown(g, eng, docs, false); err != nil {
			return fmt.Errorf("--replace: %w", err)
		}
	}
	o := kube.PlayOptions{
		Start: c.Start, Network: c.Network, Build: c.Build, ContextDir: c.ContextDir,
		Registry: c.options(c.Quiet), BuildOut: os.Stderr, Warn: func(s string) { warn("%s", s) },
	}
	if c.Quiet {
		o.BuildOut = io.Discard
	}
	if o.ContextDir == "" {
		o.ContextDir = "."
		if c.File != "-" {
			o.ContextDir = filepath.Dir(c.File)
		}
	}
	r, err := kube.Play(g.ctx, eng, plan, o)
	if err != nil {
		return withExit(err, 125)
	}
	printPlayReport(r)
	return nil
}

// readKube reads and decodes the YAML of a file (- is stdin).
func readKube(file string) ([]kube.Document, error) {
	var data []byte
	var err error
	name := file
	if file == "-" {
		name = "stdin"
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("reading %s: %w", file, err))
	}
	return kube.Decode(name, data)
}

// readConfigMaps reads a --configmap file: ConfigMaps only.
func readConfigMaps(file string) ([]corev1.ConfigMap, error) {
	docs, err := readKube(file)
	if err != nil {
		return nil, err
	}
	var out []corev1.ConfigMap
	for _, d := range docs {
		cm, ok := d.Object.(*corev1.ConfigMap)
		if !ok {
			return nil, invalidf("--configmap %s: %s is not a ConfigMap: give ConfigMaps only", file, d)
		}
		out = append(out, *cm)
	}
	return out, nil
}

// printPlayReport prints what kube play made, as podman does.
func printPlayReport(r *kube.Report) {
	if len(r.Volumes) > 0 {
		fmt.Println("Volumes:")
		for _, v := range r.Volumes {
			fmt.Println(v)
		}
	}
	for _, p := range r.Pods {
		fmt.Println("Pod:")
		fmt.Println(p.ID)
		switch len(p.Containers) {
		case 0:
			continue
		case 1:
			fmt.Println("Container:")
		default:
			fmt.Println("Containers:")
		}
		for _, c := range p.Containers {
			fmt.Println(c)
		}
		fmt.Println()
	}
}

// KubeDownCmd is `burrow kube down`.
type KubeDownCmd struct {
	Force bool   `help:"Remove the volumes of the YAML too (PersistentVolumeClaims, ConfigMaps and Secrets)."`
	File  string `arg:"" name:"file" help:"A Kubernetes YAML file, or - for stdin (one, as podman's)."`
}

// usage is podman's synopsis.
func (*KubeDownCmd) usage() string { return "KUBEFILE|-" }

// Run takes the YAML's pods down.
func (c *KubeDownCmd) Run(g *globals) error {
	docs, err := readKube(c.File)
	if err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return kubeDown(g, eng, docs, c.Force)
}

// kubeDown stops and removes the pods of docs, as podman prints it.
func kubeDown(g *globals, eng *engine.Engine, docs []kube.Document, force bool) error {
	r, err := kube.Down(g.ctx, eng, kube.DownTargets(docs), force)
	fmt.Println("Pods stopped:")
	for _, id := range r.Stopped {
		fmt.Println(id)
	}
	fmt.Println("Pods removed:")
	for _, id := range r.Removed {
		fmt.Println(id)
	}
	if force || len(r.Volumes) > 0 {
		fmt.Println("Volumes removed:")
		for _, v := range r.Volumes {
			fmt.Println(v)
		}
	}
	if err != nil {
		return withExit(err, 125)
	}
	return nil
}

// KubeGenerateCmd is `burrow kube generate`.
type KubeGenerateCmd struct {
	Service  bool     `short:"s" help:"Add a Service of the pods' published ports."`
	Type     string   `short:"t" default:"pod" enum:"pod,deployment" help:"The kind to write: pod or deployment."`
	Filename string   `short:"f" help:"Write the YAML to this file (which must not exist) instead of stdout."`
	Names    []string `arg:"" name:"name" help:"Containers, pods or volumes: {CONTAINER...|POD...|VOLUME...}."`
}

// usage is podman's synopsis.
func (*KubeGenerateCmd) usage() string { return "{CONTAINER...|POD...|VOLUME...}" }

// Run writes the YAML.
func (c *KubeGenerateCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	objs, warnings, err := kube.Generate(g.ctx, eng, c.Names, kube.GenerateOptions{Type: c.Type, Service: c.Service})
	if err != nil {
		return withExit(err, 125)
	}
	printWarnings(warnings)
	out, err := kube.Marshal(version, objs)
	if err != nil {
		return err
	}
	if c.Filename != "" {
		f, err := os.OpenFile(c.Filename, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return invalidf("cannot write to %q: %v", c.Filename, err)
		}
		defer f.Close()
		_, err = f.Write(out)
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}
