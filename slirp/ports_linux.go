package slirp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/burrow-containers/burrow/reap"

	"github.com/rootless-containers/rootlesskit/v3/pkg/api/client"
	"github.com/rootless-containers/rootlesskit/v3/pkg/api/router"
	"github.com/rootless-containers/rootlesskit/v3/pkg/port"
	"github.com/rootless-containers/rootlesskit/v3/pkg/port/builtin/child"
	"github.com/rootless-containers/rootlesskit/v3/pkg/port/builtin/parent"
	rkslirpport "github.com/rootless-containers/rootlesskit/v3/pkg/port/slirp4netns"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/roles"
)

// Port is a published port.
type Port struct {
	HostIP        string `json:"hostIP,omitempty"`
	HostPort      int    `json:"hostPort"`
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"` // tcp or udp
	// ChildIP is the address dialled in the namespace: 127.0.0.1 when
	// empty (the container's own namespace).
	ChildIP string `json:"childIP,omitempty"`
}

type portConfig struct {
	NetNS    string `json:"netns"`
	StateDir string `json:"stateDir"`
	Ports    []Port `json:"ports"`
	// APIFile, when set, receives the path of the socket where the
	// helper serves rootlesskit's port API (Redirect uses it).
	APIFile string `json:"apiFile,omitempty"`
}

// ForwardPorts starts the port helper for the namespace at netns and
// returns once every port is published, or why one could not be (a port
// in use: ClassConflict; a privileged port: ClassUnavailable naming the
// sysctl). The helper keeps its sockets in a directory of its own under
// os.TempDir (short paths) and stops when the returned file and its copies
// are closed.
func ForwardPorts(netns, logPath, apiFile string, ports []Port) (hold *os.File, err error) {
	hold, published, err := startForwarding(portConfig{NetNS: netns, Ports: ports, APIFile: apiFile}, logPath)
	if err != nil {
		return nil, err
	}
	if err := published(); err != nil {
		hold.Close()
		return nil, err
	}
	return hold, nil
}

// StartForwarding is ForwardPorts returning as soon as the helper is
// started, with published, which waits for its report: the caller starts
// the container meanwhile, and calls published before its process runs.
func StartForwarding(netns, logPath string, ports []Port) (hold *os.File, published func() error, err error) {
	return startForwarding(portConfig{NetNS: netns, Ports: ports}, logPath)
}

func startForwarding(pc portConfig, logPath string) (hold *os.File, published func() error, err error) {
	pc.StateDir = os.TempDir()
	cfg, err := json.Marshal(pc)
	if err != nil {
		return nil, nil, err
	}
	reportR, reportW, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	defer reportW.Close()
	exitR, exitW, err := os.Pipe()
	if err != nil {
		reportR.Close()
		return nil, nil, err
	}
	defer exitR.Close()
	defer func() {
		if err != nil {
			reportR.Close()
			exitW.Close()
		}
	}()
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{"burrow-port"}
	cmd.Env = append(os.Environ(), roles.Env+"="+roles.Port, "_BURROW_PORT_CONFIG="+string(cfg))
	cmd.ExtraFiles = []*os.File{reportW, exitR}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if logPath != "" {
		if f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err == nil {
			defer f.Close()
			cmd.Stdout, cmd.Stderr = f, f
		}
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("starting the port forwarder: %w", err)
	}
	pid := cmd.Process.Pid
	cmd.Process.Release()
	published = func() error {
		defer reportR.Close()
		line, rerr := bufio.NewReader(reportR).ReadString('\n')
		line = strings.TrimSpace(line)
		if line == "ok" {
			reap.Later(pid)
			return nil
		}
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, 0, nil)
		if msg, ok := strings.CutPrefix(line, "error "); ok {
			num, text, _ := strings.Cut(msg, " ")
			n, _ := strconv.Atoi(num)
			return errdefs.WithClass(errdefs.Class(n), errors.New(text))
		}
		if rerr != nil {
			return fmt.Errorf("the port forwarder exited without publishing the ports (see %s)", logPath)
		}
		return fmt.Errorf("unexpected report from the port forwarder: %q", line)
	}
	return exitW, published, nil
}

// PortMain is the port role: both halves of rootlesskit's builtin port
// driver in one process, the child half dialling inside the container's
// namespace. It reports "ok" or "error CLASS MESSAGE" on fd 3 and runs
// until fd 4 reaches its end.
func PortMain() {
	report := os.NewFile(3, "report")
	exit := os.NewFile(4, "exit")
	err := forward(report, exit)
	if err != nil {
		fmt.Fprintf(report, "error %d %s\n", int(errdefs.ClassOf(err)), strings.ReplaceAll(err.Error(), "\n", " "))
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func forward(report, exit *os.File) error {
	var cfg portConfig
	if err := json.Unmarshal([]byte(os.Getenv("_BURROW_PORT_CONFIG")), &cfg); err != nil {
		return fmt.Errorf("reading the port configuration: %w", err)
	}
	// The driver's socket path must fit in sun_path's 108 bytes: a short
	// directory of our own, gone when we are.
	stateDir, err := os.MkdirTemp(cfg.StateDir, "bp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stateDir)
	pd, err := parent.NewDriver(os.Stderr, stateDir, false, "")
	if err != nil {
		return fmt.Errorf("starting the port driver: %w", err)
	}
	cd := child.NewDriver(os.Stderr)
	quit := make(chan struct{})
	errc := make(chan error, 2)
	go func() { errc <- cd.RunChildDriver(pd.OpaqueForChild(), quit, cfg.NetNS) }()
	initDone := make(chan struct{}, 1)
	go func() { errc <- pd.RunParentDriver(initDone, quit, &port.ChildContext{}) }()
	select {
	case <-initDone:
	case err := <-errc:
		return fmt.Errorf("starting the port driver: %w", err)
	case <-time.After(30 * time.Second):
		return errors.New("the port driver did not start within 30 s")
	}
	for _, p := range cfg.Ports {
		spec := port.Spec{Proto: p.Protocol, ParentIP: p.HostIP, ParentPort: p.HostPort, ChildPort: p.ContainerPort, ChildIP: p.ChildIP}
		if _, err := pd.AddPort(context.Background(), spec); err != nil {
			return classifyBindError(p, err)
		}
	}
	if cfg.APIFile != "" {
		if err := serveAPI(pd, stateDir, cfg.APIFile); err != nil {
			return err
		}
	}
	fmt.Fprintln(report, "ok")
	report.Close()
	// Until the container's monitor, holding the other end, goes away.
	io.Copy(io.Discard, exit)
	close(quit)
	return nil
}

// serveAPI serves rootlesskit's port API (list, add, remove) for the
// driver on a socket in stateDir, and writes the socket's path to
// apiFile: a network connect or disconnect changes where the ports lead.
func serveAPI(pd port.ParentDriver, stateDir, apiFile string) error {
	sock := filepath.Join(stateDir, "api.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		return fmt.Errorf("serving the port API: %w", err)
	}
	mux := http.NewServeMux()
	router.AddRoutes(mux, &router.Backend{StateDir: stateDir, PortDriver: pd})
	go http.Serve(l, mux)
	tmp := apiFile + ".tmp"
	if err := os.WriteFile(tmp, []byte(sock), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, apiFile)
}

// Redirect points every port the helper of apiFile (ForwardPorts)
// publishes at childIP: each is removed and added again, a moment's gap.
func Redirect(apiFile, childIP string) error {
	sock, err := os.ReadFile(apiFile)
	if err != nil {
		return fmt.Errorf("finding the port forwarder: %w", err)
	}
	c, err := client.New(string(sock))
	if err != nil {
		return err
	}
	defer c.Close()
	pm := c.PortManager()
	ctx := context.Background()
	ports, err := pm.ListPorts(ctx)
	if err != nil {
		return fmt.Errorf("listing the published ports: %w", err)
	}
	for _, st := range ports {
		if st.Spec.ChildIP == childIP {
			continue
		}
		if err := pm.RemovePort(ctx, st.ID); err != nil {
			return fmt.Errorf("moving port %d: %w", st.Spec.ParentPort, err)
		}
		spec := st.Spec
		spec.ChildIP = childIP
		if _, err := pm.AddPort(ctx, spec); err != nil {
			return fmt.Errorf("moving port %d: %w", st.Spec.ParentPort, err)
		}
	}
	return nil
}

// HostForward has slirp4netns itself forward the ports to ctrIP
// (port_handler=slirp4netns), through its API socket: the forwards live
// as long as slirp4netns. The container sees the connections come from
// the gateway.
func HostForward(apiSocket, ctrIP string, ports []Port) error {
	d, err := rkslirpport.NewParentDriver(io.Discard, apiSocket)
	if err != nil {
		return err
	}
	for _, p := range ports {
		ip := p.HostIP
		if ip == "" {
			ip = "0.0.0.0"
		}
		spec := port.Spec{Proto: p.Protocol, ParentIP: ip, ParentPort: p.HostPort, ChildPort: p.ContainerPort, ChildIP: ctrIP}
		if _, err := d.AddPort(context.Background(), spec); err != nil {
			if berr := probeBind(p); berr != nil {
				return classifyBindError(p, berr)
			}
			return fmt.Errorf("publishing %s:%d/%s through slirp4netns: %w", ip, p.HostPort, p.Protocol, err)
		}
	}
	return nil
}

// probeBind binds the host side of p for a moment, to tell why
// slirp4netns could not (its API says only that it failed).
func probeBind(p Port) error {
	addr := net.JoinHostPort(p.HostIP, strconv.Itoa(p.HostPort))
	if p.Protocol == "udp" {
		c, err := net.ListenPacket("udp", addr)
		if err == nil {
			c.Close()
		}
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err == nil {
		l.Close()
	}
	return err
}

func classifyBindError(p Port, err error) error {
	addr := p.HostIP
	if addr == "" {
		addr = "0.0.0.0"
	}
	where := fmt.Sprintf("%s:%d/%s", addr, p.HostPort, p.Protocol)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return errdefs.Conflict(fmt.Errorf("publishing %s: the port is already in use on the host: choose another host port with -p", where))
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		start := "1024"
		if b, e := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start"); e == nil {
			start = strings.TrimSpace(string(b))
		}
		return errdefs.Unavailable(fmt.Errorf("publishing %s: ports below %s need privilege (net.ipv4.ip_unprivileged_port_start=%s): publish a port >= %s, or ask an administrator for `sysctl -w net.ipv4.ip_unprivileged_port_start=%d`", where, start, start, start, p.HostPort))
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return errdefs.Invalid(fmt.Errorf("publishing %s: the host has no address %s", where, addr))
	}
	return fmt.Errorf("publishing %s: %w", where, err)
}
