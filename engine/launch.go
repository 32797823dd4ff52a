package engine

import (
	"context"
	"fmt"
	"os"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/pkg/stringid"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/monitor"
	"github.com/burrow-containers/burrow/sandbox"
	"github.com/burrow-containers/burrow/timing"
)

// StartOptions tune Start.
type StartOptions struct {
	// Attach returns a connection to the monitor made before the process
	// starts, so no output is missed.
	Attach bool
	// ConsoleSize is the terminal's initial size, when the container has one.
	ConsoleSize *specs.Box
	// PreserveFDs are descriptors of the caller that the process gets as
	// its 3, 4, ... (--preserve-fds).
	PreserveFDs []int
	// Env are variables (K=V) the process gets for this start only, over
	// its own: systemd's LISTEN_* of a socket-activated start.
	Env []string
	// byPolicy: a restart of the restart policy, which a user's stop
	// (StoppedByUser, recorded under the lock) cancels.
	byPolicy bool
}

// Run creates a container and starts it (`run`). The monitor and the
// container's init are spawned while the container's layer is made and
// mounted (headstart.go), so that their starts overlap that work; the
// spec reaches the init once the root is ready. A Run cut off before the process runs leaves
// no container (see reconcile.go); on an error after the container was
// made, that container is returned too.
func (e *Engine) Run(ctx context.Context, c Config, pull PullFunc, o StartOptions) (_ *Container, _ *monitor.Client, err error) {
	if c.PublishAll || autoUserNS(&c) {
		// The image's exposed ports are known only once it is found,
		// the maps of userns=auto once storage has picked them: no
		// head start for the init then.
		ctr, err := e.Create(ctx, c, pull)
		if err != nil {
			return nil, nil, err
		}
		conn, err := e.Start(ctr, o)
		return ctr, conn, err
	}
	ctr, img, err := e.prepare(ctx, newID(), c, pull)
	if err != nil {
		return nil, nil, err
	}
	timing.Mark("prepare: checks, store opened, image found")
	l, err := e.reserve(ctr, launchCreate)
	if err != nil {
		return nil, nil, err
	}
	timing.Mark("reserve: name claimed, record written")
	defer l.release()
	head := e.startStorage(ctr, img)
	made, readied := false, false
	conn, err := e.launch(ctr, l, o, func() (*specs.Spec, error) {
		readied = true
		if err := head.take(ctr); err != nil {
			return nil, err
		}
		timing.Mark("storage: container made and root mounted, beside the start")
		if err := e.materialize(ctx, ctr, img); err != nil {
			return nil, err
		}
		timing.Mark("materialize: layer made and mounted, spec built")
		made = true
		e.recordContainerEvents(ctr, "create")
		spec := *ctr.Spec
		spec.Root = &specs.Root{Path: ctr.rootfs, Readonly: ctr.Spec.Root.Readonly}
		ctr.rootfs = ""
		return &spec, nil
	})
	switch {
	case err == nil:
		return ctr, conn, nil
	case made:
		// As podman: a container whose process failed to start stays,
		// created.
		e.endFailedLaunch(ctr, err)
		return ctr, nil, err
	case !readied && startFailure(err):
		// The start failed before the container was made (a port in
		// use): podman's container is made first, and stays.
		if merr := head.take(ctr); merr != nil {
			break
		}
		if merr := e.materialize(ctx, ctr, img); merr == nil {
			e.recordContainerEvents(ctr, "create")
			e.endFailedLaunch(ctr, err)
			e.Release(ctr)
			return ctr, nil, err
		}
	}
	// Whatever the head start made goes too, once it has ended.
	head.take(ctr)
	e.discard(ctr)
	return nil, nil, err
}

// startFailure tells a failure of a container's start (a port in use, its
// monitor) from a setting refused (invalid, or that the host cannot
// have): only the first leaves a container behind.
func startFailure(err error) bool {
	switch errdefs.ClassOf(err) {
	case errdefs.ClassInvalid, errdefs.ClassUnavailable, errdefs.ClassNotFound, errdefs.ClassUnauthorized:
		return false
	}
	return true
}

// Start runs a created or exited container under a new monitor. Starting a
// running container does nothing. The returned client is set when
// o.Attach was.
func (e *Engine) Start(ctr *Container, o StartOptions) (*monitor.Client, error) {
	kind := launchStart
	if o.byPolicy {
		kind = launchRestart
	}
	l, err := e.reserve(ctr, kind)
	if err != nil || l == nil {
		return nil, err // nil lease: it runs already
	}
	defer l.release()
	rootfs := ctr.rootfs
	ctr.rootfs = ""
	conn, err := e.launch(ctr, l, o, func() (*specs.Spec, error) {
		spec, err := e.loadSpec(ctr.ID)
		if err != nil {
			return nil, err
		}
		if rootfs == "" {
			if rootfs, err = e.mountRoot(&ctr.Record); err != nil {
				return nil, err
			}
		}
		spec.Root.Path = rootfs
		e.refreshNetworkNamespace(spec, &ctr.Config)
		e.refreshModeNamespaces(spec, &ctr.Config)
		if err := e.refreshPodSpec(ctr.ID, &ctr.Config, spec); err != nil {
			return nil, err
		}
		if err := e.chownMounts(&ctr.Config, spec); err != nil {
			return nil, err
		}
		return spec, nil
	})
	if err != nil {
		e.endFailedLaunch(ctr, err)
	}
	return conn, err
}

// launch is the one way a container's process starts, for Run, Start and
// restarts, on a container reserved for it (l): the network, the monitor
// and the init (in its cgroup) first, then the spec ready returns (the
// root mounted), sent to the init with the root as a mount tree; once the
// process runs, the record says so. On an error, what it made is undone.
func (e *Engine) launch(ctr *Container, l *lease, o StartOptions, ready func() (*specs.Spec, error)) (_ *monitor.Client, err error) {
	r := &ctr.Record
	// A pod's container joins the namespaces of the pod's infra, which
	// must run first.
	if err := e.enterPod(r); err != nil {
		return nil, err
	}
	if err := e.checkNamespaceDonors(&r.Config); err != nil {
		return nil, err
	}
	// The namespaces and ID maps follow from the configuration: the init
	// is cloned before the spec exists (Run).
	early := &specs.Spec{Linux: &specs.Linux{Namespaces: e.containerNamespaces(r.ID, &r.Config)}}
	maps, err := userMappings(&r.Config)
	if err != nil {
		return nil, err
	}
	if maps != nil {
		early.Linux.UIDMappings, early.Linux.GIDMappings = maps.UIDs, maps.GIDs
	}
	flags, err := sandbox.CloneFlags(early)
	if err != nil {
		return nil, err
	}
	r.Config.Ports = append([]PortMapping(nil), r.Config.Ports...)
	if err := resolvePorts(r.Config.Ports); err != nil {
		return nil, err
	}
	if !r.Config.CgroupsDisabled {
		if err := e.Limits(r.Config.CgroupManager).Check(r.Config.Limits); err != nil {
			return nil, err
		}
	}
	var pending *monitor.Pending
	var spec *specs.Spec
	defer func() {
		if err != nil {
			if pending != nil {
				pending.Abort()
			}
			if spec != nil {
				e.unmountRoot(r)
			}
			e.teardownNetwork(r.ID)
		}
	}()
	crashPoint("reserved")
	hold, networkReady, err := e.setupNetwork(r)
	if err != nil {
		return nil, err
	}
	timing.Mark("network: namespace made, helpers started")
	if err := e.setupPodShm(r); err != nil {
		closeAll(hold)
		return nil, err
	}
	if err := e.setupShareableShm(r); err != nil {
		closeAll(hold)
		return nil, err
	}
	// The monitor holds the run lock from now on, for the container's life.
	pending, err = monitor.Spawn(monitor.Options{
		ID: r.ID, Dir: e.runDir(r.ID), Log: e.monitorLog(r.ID, &r.Config), CloneFlags: flags,
		UIDMap: early.Linux.UIDMappings, GIDMap: early.Linux.GIDMappings, NetNS: joinedNetNS(early), Join: joinedNamespaces(early),
		TTY: r.Config.TTY, Stdin: r.Config.Interactive, Attach: o.Attach, Hold: append(hold, l.f),
		HealthInterval: healthInterval(&r.Config),
		Timeout:        time.Duration(r.Config.Timeout) * time.Second,
	})
	closeAll(hold) // the monitor has its own copies now
	if err != nil {
		pending = nil
		return nil, err
	}
	crashPoint("monitor")
	timing.Mark("monitor spawned")
	cgroup, err := e.placeInit(pending, r)
	if err != nil {
		return nil, err
	}
	timing.Mark("init cloned and placed in its cgroup")
	// The network helpers started with the monitor and the init; a port
	// in use still fails the start before the container is made (ready).
	if networkReady != nil {
		if err := networkReady(); err != nil {
			return nil, err
		}
	}
	crashPoint("network")
	timing.Mark("network helpers ready")
	if spec, err = ready(); err != nil {
		return nil, err
	}
	crashPoint("ready")
	proc := *spec.Process
	if len(o.Env) > 0 {
		proc.Env = mergeEnv(proc.Env, o.Env, func(string) (string, bool) { return "", false })
	}
	proc.ConsoleSize = o.ConsoleSize
	spec.Process = &proc
	// The init's mount namespace was made before the root was mounted: it
	// gets the root as a detached mount tree (and, with a user namespace
	// of its own, its bind sources: sandbox.OpenTrees).
	trees, err := rootTrees(spec)
	if err != nil {
		return nil, fmt.Errorf("cloning the root of container %s: %w", stringid.TruncateID(r.ID), err)
	}
	if n := len(trees) + len(o.PreserveFDs); n > sandbox.MaxSentFDs {
		closeFDs(trees)
		return nil, errdefs.Invalid(fmt.Errorf("container %s would need %d descriptors sent to its init, more than the %d one message carries: pass on fewer (--preserve-fds) or mount fewer binds", stringid.TruncateID(r.ID), n, sandbox.MaxSentFDs))
	}
	b, err := sandbox.EncodeInit(spec, e.filterCache(), sandbox.InitOptions{ID: r.ID, WorkdirMustExist: r.Config.WorkdirMustExist, PreserveFDs: len(o.PreserveFDs)})
	timing.Mark("plan encoded (seccomp compiled), root cloned")
	if err == nil {
		// The descriptors to pass on go last, as the init expects.
		err = pending.SendSpec(b, append(trees, o.PreserveFDs...)...)
	}
	closeFDs(trees)
	if err != nil {
		return nil, fmt.Errorf("sending the spec to container %s: %w", stringid.TruncateID(r.ID), err)
	}
	crashPoint("sent")
	started, err := pending.Wait()
	pending = nil
	if err != nil {
		return nil, err
	}
	crashPoint("started")
	timing.Mark("init built the root and exec'd the process")
	if err := e.recordStarted(r, started, cgroup); err != nil {
		return nil, err
	}
	timing.Mark("record: running")
	if err := e.resetHealth(r); err != nil {
		fmt.Fprintf(os.Stderr, "Warning: %v\n", err)
	}
	return started.Conn, nil
}

// rootTrees are the mount trees the init gets with its spec: the root, or
// with a user namespace of its own the root and every bind source.
func rootTrees(spec *specs.Spec) ([]int, error) {
	if sandbox.NestedUserNS(spec) {
		return sandbox.OpenTrees(spec)
	}
	tree, err := unix.OpenTree(unix.AT_FDCWD, spec.Root.Path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
	if err != nil {
		return nil, err
	}
	return []int{tree}, nil
}

// placeInit puts the container's init, cloned and waiting for its spec,
// in its cgroup scope with its limits. It returns the cgroup ("" without).
func (e *Engine) placeInit(pending *monitor.Pending, r *Record) (string, error) {
	pid, err := pending.Init()
	if err != nil {
		return "", err
	}
	if r.Config.CgroupsDisabled {
		return "", nil
	}
	return e.Limits(r.Config.CgroupManager).Apply(r.ID, pid, r.Config.Limits)
}

// recordStarted writes the record of a container that now runs, ending its
// launch.
func (e *Engine) recordStarted(r *Record, started *monitor.Started, cgroup string) error {
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	r.State = State{
		Status: StatusRunning, Pid: started.Pid, PidStart: procStart(started.Pid),
		MonitorPid: started.MonitorPid, MonitorStart: procStart(started.MonitorPid),
		BootID: bootID(), StartedAt: time.Now(), RestartCount: r.State.RestartCount, Cgroup: cgroup,
	}
	if err := e.writeRecord(r); err != nil {
		if started.Conn != nil {
			started.Conn.Close()
		}
		return err
	}
	// Under the lock, so that the exit's events (recordExit) come after.
	evs := []Event{recordEvent("init", r), recordEvent("start", r)}
	if started.Conn != nil {
		evs = append(evs, recordEvent("attach", r))
	}
	e.recordEvents(evs...)
	return nil
}

// joinedNetNS is the network namespace the spec's container joins by path
// ("" when it makes its own or uses burrow's).
func joinedNetNS(spec *specs.Spec) string {
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.NetworkNamespace {
			return ns.Path
		}
	}
	return ""
}

func closeFDs(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}
