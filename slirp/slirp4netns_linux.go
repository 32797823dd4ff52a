package slirp

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/burrow-containers/burrow/reap"

	rkslirp "github.com/rootless-containers/rootlesskit/v3/pkg/network/slirp4netns"

	"github.com/burrow-containers/burrow/errdefs"
)

// Options of a container's user-mode network.
type Options struct {
	// AllowHostLoopback lets the container reach the host's 127.0.0.1 as
	// 10.0.2.2 (podman's slirp4netns:allow_host_loopback=true).
	AllowHostLoopback bool
	// MTU of the container's interface; 0: 65520, the fastest here.
	MTU int
	// CIDR is the container's network (slirp4netns --cidr); "":
	// 10.0.2.0/24.
	CIDR string
	// EnableIPv6 gives the container an address of fd00::/64 too (by
	// router advertisement), and slirp4netns' DNS there, fd00::3.
	EnableIPv6 bool
	// OutboundAddr and OutboundAddr6 are the host's address (or
	// interface) outgoing connections leave from.
	OutboundAddr, OutboundAddr6 string
	// PortHandler forwards the published ports: PortHandlerRootlesskit
	// ("") or PortHandlerSlirp4netns.
	PortHandler string
	// APISocket is where slirp4netns listens for its API (port_handler
	// slirp4netns); "" for none.
	APISocket string
	// LogPath receives slirp4netns' messages.
	LogPath string
	// CacheDir keeps what was found out about the installed slirp4netns
	// (its options), so that it is not asked at every start; "" for no
	// cache. A directory of the user's, wiped at reboot.
	CacheDir string
}

// Addresses of slirp4netns' default network.
const (
	ContainerIP = "10.0.2.100"
	GatewayIP   = "10.0.2.2"
	DNSIP       = "10.0.2.3"
)

// Binary finds slirp4netns, or says how to get it.
func Binary() (string, error) {
	p, err := exec.LookPath("slirp4netns")
	if err != nil {
		return "", errdefs.Unavailable(errors.New("slirp4netns is not installed: install it (apt-get install slirp4netns), or run the container with --network none"))
	}
	return p, nil
}

// Start runs slirp4netns on the network namespace at netns. It returns as
// soon as slirp4netns is started, with ready, which waits until the
// container's interface is up: the caller starts the container's monitor
// and init meanwhile, and calls ready before the container's process may
// run. slirp4netns stops when hold (its exit descriptor's other end) and
// every copy of it are closed: hand it to the process whose life the
// network should follow.
func Start(netns string, o Options) (hold *os.File, ready func() error, err error) {
	bin, err := Binary()
	if err != nil {
		return nil, nil, err
	}
	if err := TunUsable(); err != nil {
		return nil, nil, err
	}
	features, err := detectFeatures(bin, o.CacheDir)
	if err != nil {
		return nil, nil, fmt.Errorf("probing slirp4netns: %w", err)
	}
	if !o.AllowHostLoopback && !features.SupportsDisableHostLoopback {
		return nil, nil, errdefs.Unavailable(errors.New("this slirp4netns cannot keep containers off the host's loopback (--disable-host-loopback): install slirp4netns 0.3 or newer"))
	}
	mtu := o.MTU
	if mtu == 0 {
		mtu = 65520
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	defer readyW.Close()
	exitR, exitW, err := os.Pipe()
	if err != nil {
		readyR.Close()
		return nil, nil, err
	}
	defer exitR.Close()
	defer func() {
		if err != nil {
			readyR.Close()
			exitW.Close()
		}
	}()
	args := []string{"--configure", "--mtu", strconv.Itoa(mtu), "--ready-fd", "3", "--exit-fd", "4"}
	if !o.AllowHostLoopback {
		args = append(args, "--disable-host-loopback")
	}
	more, err := o.args(features)
	if err != nil {
		return nil, nil, err
	}
	args = append(args, more...)
	args = append(args, hardening(features)...)
	args = append(args, "--netns-type=path", netns, "tap0")
	cmd := exec.Command(bin, args...)
	cmd.ExtraFiles = []*os.File{readyW, exitR}
	// Its own session, and no parent-death signal: it outlives the CLI,
	// and ends with its exit descriptor.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if o.LogPath != "" {
		if f, err := os.OpenFile(o.LogPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600); err == nil {
			defer f.Close()
			cmd.Stdout, cmd.Stderr = f, f
		}
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("starting slirp4netns: %w", err)
	}
	pid := cmd.Process.Pid
	cmd.Process.Release()
	ready = func() error {
		defer readyR.Close()
		done := make(chan error, 1)
		go func() {
			b, err := bufio.NewReader(readyR).ReadByte()
			if err == nil && b != '1' {
				err = fmt.Errorf("unexpected ready byte %q", b)
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				var ws syscall.WaitStatus
				syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
				return fmt.Errorf("slirp4netns did not start (see %s): %w", o.LogPath, err)
			}
		case <-time.After(30 * time.Second):
			syscall.Kill(pid, syscall.SIGKILL)
			return fmt.Errorf("slirp4netns did not start within 30 s (see %s)", o.LogPath)
		}
		reap.Later(pid)
		return nil
	}
	return exitW, ready, nil
}

// args are the slirp4netns options of o beyond the defaults, refused
// when the installed slirp4netns lacks them.
func (o Options) args(f *rkslirp.Features) ([]string, error) {
	var args []string
	need := func(ok bool, opt string) error {
		if !ok {
			return errdefs.Unavailable(fmt.Errorf("this slirp4netns has no %s: install a newer slirp4netns", opt))
		}
		return nil
	}
	if o.CIDR != "" {
		if err := need(f.SupportsCIDR, "--cidr"); err != nil {
			return nil, err
		}
		args = append(args, "--cidr", o.CIDR)
	}
	if o.EnableIPv6 {
		if err := need(f.SupportsEnableIPv6, "--enable-ipv6"); err != nil {
			return nil, err
		}
		args = append(args, "--enable-ipv6")
	}
	if o.OutboundAddr != "" {
		args = append(args, "--outbound-addr", o.OutboundAddr)
	}
	if o.OutboundAddr6 != "" {
		args = append(args, "--outbound-addr6", o.OutboundAddr6)
	}
	if o.APISocket != "" {
		if err := need(f.SupportsAPISocket, "--api-socket"); err != nil {
			return nil, err
		}
		args = append(args, "--api-socket", o.APISocket)
	}
	return args, nil
}

// hardening are the options that confine slirp4netns itself, which parses
// every packet the container sends, where the installed one has them (as
// rootlesskit and podman pass them): --enable-sandbox (a mount namespace
// of its own with little but /etc and /run, no capabilities but
// CAP_NET_BIND_SERVICE) and --enable-seccomp (a syscall filter).
func hardening(f *rkslirp.Features) []string {
	var args []string
	if f.SupportsEnableSandbox {
		args = append(args, "--enable-sandbox")
	}
	if f.SupportsEnableSeccomp && f.KernelSupportsEnableSeccomp {
		args = append(args, "--enable-seccomp")
	}
	return args
}

// TunUsable checks that the user may open /dev/net/tun, which slirp4netns
// needs, and names the fix when not.
func TunUsable() error {
	f, err := os.OpenFile("/dev/net/tun", os.O_RDWR, 0)
	if err != nil {
		return errdefs.Unavailable(fmt.Errorf("/dev/net/tun cannot be opened (%v): ask an administrator for sudo chmod 0666 /dev/net/tun (its usual mode; burrow system doctor), or run with --network none", errors.Unwrap(err)))
	}
	f.Close()
	return nil
}
