package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/timing"
	"github.com/burrow-containers/burrow/userns"
)

// CLI is burrow's command line. Help is --help only: -h is --hostname, as in podman.
type CLI struct {
	Help helpFlag `help:"Show help." name:"help"`
	GlobalFlags

	Run        RunCmd        `cmd:"" help:"Run a command in a new container."`
	Create     CreateCmd     `cmd:"" help:"Create a container without starting it."`
	Start      StartCmd      `cmd:"" help:"Start containers."`
	Attach     AttachCmd     `cmd:"" help:"Attach to a running container."`
	Ps         PsCmd         `cmd:"" help:"List containers."`
	Logs       LogsCmd       `cmd:"" help:"Show a container's output."`
	Stop       StopCmd       `cmd:"" help:"Stop containers."`
	Kill       KillCmd       `cmd:"" help:"Send a signal to containers."`
	Rm         RmCmd         `cmd:"" help:"Remove containers."`
	Wait       WaitCmd       `cmd:"" help:"Wait for containers to exit and print their exit codes."`
	Restart    RestartCmd    `cmd:"" help:"Restart containers."`
	Exec       ExecCmd       `cmd:"" help:"Run a command in a running container."`
	Inspect    InspectCmd    `cmd:"" help:"Show containers' details as JSON."`
	Cp         CpCmd         `cmd:"" help:"Copy files between a container and the host."`
	Top        TopCmd        `cmd:"" help:"List a container's processes."`
	Update     UpdateCmd     `cmd:"" help:"Change running containers' resource limits."`
	Stats      StatsCmd      `cmd:"" help:"Show containers' resource use."`
	Port       PortCmd       `cmd:"" help:"List a container's published ports."`
	Rename     RenameCmd     `cmd:"" help:"Rename a container."`
	Pause      PauseCmd      `cmd:"" help:"Pause containers (needs cgroup v2)."`
	Unpause    UnpauseCmd    `cmd:"" help:"Unpause containers."`
	Container  ContainerCmd  `cmd:"" help:"Manage containers."`
	Volume     VolumeCmd     `cmd:"" help:"Manage volumes."`
	Secret     SecretCmd     `cmd:"" help:"Manage secrets (podman's: podman sees them)."`
	Network    NetworkCmd    `cmd:"" help:"Manage networks (podman's: podman sees them)."`
	Pod        PodCmd        `cmd:"" help:"Manage pods: containers that share their network, IPC and UTS namespaces."`
	Kube       KubeCmd       `cmd:"" help:"Run Kubernetes YAML, and write it of containers, pods and volumes."`
	Play       PlayCmd       `cmd:"" hidden:"" help:"Run Kubernetes YAML (podman's older play kube)."`
	Generate   GenerateCmd   `cmd:"" hidden:"" help:"Write Kubernetes YAML (podman's older generate kube)."`
	Unshare    UnshareCmd    `cmd:"" help:"Run a command in burrow's user namespace (as root there)."`
	System     SystemCmd     `cmd:"" help:"Check and manage burrow's host setup."`
	Completion CompletionCmd `cmd:"" help:"Print a shell completion script: bash, zsh or fish."`
	Build      BuildCmd      `cmd:"" help:"Build an image from a Containerfile."`
	Pull       PullCmd       `cmd:"" help:"Pull an image from a registry."`
	Search     SearchCmd     `cmd:"" help:"Search registries for images."`
	Push       PushCmd       `cmd:"" help:"Push an image to a registry."`
	Images     ImagesCmd     `cmd:"" help:"List images."`
	Rmi        RmiCmd        `cmd:"" help:"Remove images."`
	Tag        TagCmd        `cmd:"" help:"Add names to an image."`
	Untag      UntagCmd      `cmd:"" help:"Remove a name from a local image."`
	History    HistoryCmd    `cmd:"" help:"Show an image's history."`
	Save       SaveCmd       `cmd:"" help:"Write an image to an archive."`
	Load       LoadCmd       `cmd:"" help:"Read images from an archive."`
	Import     ImportCmd     `cmd:"" help:"Make an image from a root filesystem tarball."`
	Export     ExportCmd     `cmd:"" help:"Write a container's filesystem as a tar."`
	Commit     CommitCmd     `cmd:"" help:"Make an image of a container."`
	Diff       DiffCmd       `cmd:"" help:"List a container's filesystem changes."`
	Login      LoginCmd      `cmd:"" help:"Log in to a registry."`
	Logout     LogoutCmd     `cmd:"" help:"Log out of a registry."`
	Image      ImageCmd      `cmd:"" help:"Manage images."`
	Manifest   ManifestCmd   `cmd:"" help:"Manipulate manifest lists and image indexes."`
	Events     EventsCmd     `cmd:"" help:"Show the events of containers, images, pods, volumes and networks."`
	Info       InfoCmd       `cmd:"" help:"Show how burrow is set up on this host."`
	Version    VersionCmd    `cmd:"" help:"Display the version information."`
	HelpCmd    HelpCmd       `cmd:"" name:"help" help:"Help about any command."`

	// healthcheck run is also what a container's monitor runs.
	Healthcheck HealthcheckCmd `cmd:"" help:"Run containers' health checks."`

	AutoUpdate AutoUpdateCmd `cmd:"" name:"auto-update" help:"Update the images of containers run by systemd units, and restart the units."`
}

// exitCode carries a container's exit code out of a command.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// globals is what every command gets.
type globals struct {
	ctx context.Context
}

// warn prints a warning for the user; warnings carry their fix.
func warn(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "Warning: "+format+"\n", a...)
}

// printWarnings prints the engine's warnings for the user.
func printWarnings(ws []string) {
	for _, w := range ws {
		warn("%s", w)
	}
}

// confirm asks the user, as podman's prune commands do, whether to go on
// after warning; only y or yes goes on.
func confirm(warning string) bool {
	fmt.Fprint(os.Stderr, warning+"\nAre you sure you want to continue? [y/N] ")
	var answer string
	fmt.Fscanln(os.Stdin, &answer)
	a := strings.ToLower(strings.TrimSpace(answer))
	return a == "y" || a == "yes"
}

// enterUserNamespace makes sure the command runs as root of burrow's user
// namespace (it may re-execute the binary to get there).
func enterUserNamespace() error {
	return userns.Ensure(func(w userns.Warning) { warn("%s", string(w)) })
}

// engineOptions are the global options, for openEngine.
var engineOptions engine.Options

// openEngine enters the user namespace and opens the store.
func openEngine() (*engine.Engine, error) {
	if err := enterUserNamespace(); err != nil {
		return nil, err
	}
	e, err := engine.New(engineOptions)
	timing.Mark("engine: storage.conf read")
	return e, err
}

// cliOptions are kong's options for burrow's command line; exit receives
// the code of an exit kong asks for (after printing help).
func cliOptions(exit *int) []kong.Option {
	return []kong.Option{
		kong.Name(progName()),
		kong.Description("Rootless containers, podman-style, without a daemon."),
		kong.NoDefaultHelp(),
		kong.Exit(func(code int) { *exit = code }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		// A flag's value may start with a hyphen, as in podman (whose
		// flag parser takes the next argument): --memory-swap -1.
		kong.WithHyphenPrefixedParameters(true),
	}
}

func runCLI(args []string) int {
	engine.Version = version
	if isCompleteRequest(args) {
		return runComplete(args)
	}
	var cli CLI
	exit := -1
	root, args := splitRootOnly(args, globalTakesValue)
	switch {
	case root.version:
		fmt.Printf("%s version %s\n", progName(), version)
		return 0
	case root.help:
		parser, err := kong.New(&cli, cliOptions(&exit)...)
		if err != nil {
			fmt.Fprintf(os.Stderr, "Error: %v\n", err)
			return 125
		}
		printHelp(os.Stdout, parser.Model.Node)
		return 0
	}
	kctx, err := parseCLI(&cli, args, cliOptions(&exit)...)
	if exit >= 0 {
		return exit // --help printed
	}
	if err == nil {
		err = checkFlagValues(kctx)
	}
	if err != nil {
		// Usage errors are the tool's: 125, as podman.
		fmt.Fprintf(os.Stderr, "Error: %v\n", usageError(err))
		return 125
	}
	err = cli.GlobalFlags.apply()
	if err == nil && root.remote != "" {
		err = errRemote(root.remote)
	}
	timing.Mark("command line parsed")
	if err == nil {
		err = kctx.Run(&globals{ctx: context.Background()})
	}
	defer timing.Mark("command done")
	return exitStatus(err)
}

// exitStatus prints err for the user and returns the exit code: the
// container's own, one the command chose, or the class's.
func exitStatus(err error) int {
	var code exitCode
	if err == nil {
		return 0
	}
	if errors.As(err, &code) {
		return int(code)
	}
	var bare bareError
	if errors.As(err, &bare) {
		fmt.Fprintln(os.Stderr, bare.msg)
	} else {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return errdefs.ExitCode(err)
}
