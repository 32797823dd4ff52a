package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	units "github.com/docker/go-units"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/api"

	"github.com/burrow-containers/burrow/doctor"
	"github.com/burrow-containers/burrow/userns"
)

// SystemCmd groups `burrow system ...`.
type SystemCmd struct {
	Doctor  DoctorCmd  `cmd:"" help:"Check the host for what rootless containers need, and say how to fix it."`
	Service ServiceCmd `cmd:"" help:"Serve the Docker Engine API on a unix socket."`
}

// DoctorCmd is `burrow system doctor`.
type DoctorCmd struct {
	Format string `help:"json for JSON output."`
	Repair bool   `help:"Remove what the store check finds broken."`
}

// Run prints one line per check; it exits 1 when a check fails.
func (d *DoctorCmd) Run(g *globals) error {
	uid, gid := userns.HostUID(), userns.HostGID()
	h := doctor.CurrentHost(uid, gid)
	results := doctor.HostChecks(h)
	// The store check needs burrow's user namespace; it may be what is
	// broken, which the checks above have said.
	if err := enterUserNamespace(); err != nil {
		results = append(results, doctor.Result{Check: "store", Status: doctor.Warn, Message: "not checked: " + err.Error(), Fix: "fix the failures above first"})
	} else if eng, err := openEngine(); err != nil {
		results = append(results, doctor.Result{Check: "store", Status: doctor.Fail, Message: err.Error(), Fix: "see the storage.conf named in the error"})
	} else {
		defer eng.Close()
		results = append(results, doctor.StoreChecks(eng, d.Repair)...)
	}
	failed := false
	for _, r := range results {
		failed = failed || r.Status == doctor.Fail
	}
	if d.Format == "json" {
		b, _ := json.MarshalIndent(results, "", "  ")
		fmt.Println(string(b))
	} else {
		for _, r := range results {
			fmt.Printf("%-4s %-28s %s\n", r.Status, r.Check, r.Message)
			if r.Fix != "" {
				fmt.Printf("     %-28s fix: %s\n", "", r.Fix)
			}
		}
	}
	if failed {
		return withExit(fmt.Errorf("%d checks failed: see the fixes above", countFailed(results)), 1)
	}
	return nil
}

func countFailed(rs []doctor.Result) int {
	n := 0
	for _, r := range rs {
		if r.Status == doctor.Fail {
			n++
		}
	}
	return n
}

// ServiceCmd is `burrow system service`.
type ServiceCmd struct {
	Time        int    `short:"t" default:"5" help:"Seconds without requests before exiting (0: never)."`
	TLSCert     string `name:"tls-cert" help:"For tcp://: the service's TLS certificate (PEM)."`
	TLSKey      string `name:"tls-key" help:"For tcp://: its key (PEM)."`
	TLSClientCA string `name:"tls-client-ca" help:"For tcp://: the CA whose client certificates are accepted (PEM); clients without one are refused."`
	InsecureTCP bool   `name:"insecure-tcp" help:"Serve tcp:// without TLS: anyone who reaches the port controls your containers."`
	UploadLimit string `name:"upload-limit" default:"16GiB" help:"The most one request may put on disk: a build context, an image to load, a docker cp upload (e.g. 50GiB)."`
	URI         string `arg:"" optional:"" help:"Where to listen: unix:///path (default: unix://$XDG_RUNTIME_DIR/burrow/burrow.sock), or tcp://HOST:PORT with TLS."`
}

// Run serves the Docker Engine API until idle or interrupted.
func (s *ServiceCmd) Run(g *globals) error {
	limit, err := units.RAMInBytes(s.UploadLimit)
	if err != nil || limit <= 0 {
		return invalidf("invalid --upload-limit %q: give a size such as 16GiB or 500m", s.UploadLimit)
	}
	uri := s.URI
	if uri == "" {
		dir := os.Getenv("XDG_RUNTIME_DIR")
		if dir == "" {
			dir = fmt.Sprintf("/tmp/burrow-run-%d", userns.HostUID())
		}
		uri = "unix://" + filepath.Join(dir, "burrow", "burrow.sock")
	}
	if addr, ok := strings.CutPrefix(uri, "tcp://"); ok {
		return s.serveTCP(g, addr, limit)
	}
	path, ok := strings.CutPrefix(uri, "unix://")
	if !ok {
		return invalidf("unsupported URI %q: use unix:///path, or tcp://HOST:PORT with --tls-cert, --tls-key and --tls-client-ca", uri)
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	var l net.Listener
	if activated := socketActivated(); activated != nil {
		// systemd socket activation (contrib/systemd/user/burrow.socket).
		if l, err = net.FileListener(activated); err != nil {
			return fmt.Errorf("using the socket systemd passed: %w", err)
		}
		path = l.Addr().String()
	} else {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		os.Remove(path)
		old := unix.Umask(0o177)
		l, err = net.Listen("unix", path)
		unix.Umask(old)
		if err != nil {
			return fmt.Errorf("listening on %s: %w", path, err)
		}
		defer os.Remove(path)
	}
	ctx, stop := signal.NotifyContext(g.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(os.Stderr, "burrow: serving the Docker API on %s (DOCKER_HOST=%s)\n", path, "unix://"+path)
	srv := &api.Server{Engine: eng, Version: version, UploadLimit: limit}
	return srv.Serve(ctx, l, time.Duration(s.Time)*time.Second)
}

// serveTCP serves on a TCP address: with mutual TLS, or plain with
// --insecure-tcp and a warning.
func (s *ServiceCmd) serveTCP(g *globals, addr string, limit int64) error {
	var cfg *tls.Config
	if s.InsecureTCP {
		if s.TLSCert != "" || s.TLSKey != "" || s.TLSClientCA != "" {
			return invalidf("--insecure-tcp and --tls-* exclude each other: drop --insecure-tcp to serve TLS")
		}
		warn("serving the Docker API on plain TCP %s: anyone who can reach it controls your containers; use --tls-cert, --tls-key and --tls-client-ca, or a unix socket through ssh", addr)
	} else {
		var err error
		if cfg, err = api.TLSConfig(s.TLSCert, s.TLSKey, s.TLSClientCA); err != nil {
			return err
		}
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	host := "tcp://" + l.Addr().String()
	if cfg != nil {
		l = tls.NewListener(l, cfg)
		fmt.Fprintf(os.Stderr, "burrow: serving the Docker API on %s with TLS (DOCKER_HOST=%s DOCKER_TLS_VERIFY=1)\n", l.Addr(), host)
	} else {
		fmt.Fprintf(os.Stderr, "burrow: serving the Docker API on %s (DOCKER_HOST=%s)\n", l.Addr(), host)
	}
	ctx, stop := signal.NotifyContext(g.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &api.Server{Engine: eng, Version: version, UploadLimit: limit}
	return srv.Serve(ctx, l, time.Duration(s.Time)*time.Second)
}

// socketActivated returns the listening socket systemd passed (fd 3, with
// LISTEN_FDS=1 and LISTEN_PID ours or unset), nil without one.
func socketActivated() *os.File {
	if os.Getenv("LISTEN_FDS") != "1" {
		return nil
	}
	if pid := os.Getenv("LISTEN_PID"); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return nil
	}
	os.Unsetenv("LISTEN_FDS")
	os.Unsetenv("LISTEN_PID")
	os.Unsetenv("LISTEN_FDNAMES")
	return os.NewFile(3, "systemd-socket")
}
