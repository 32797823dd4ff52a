package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	units "github.com/docker/go-units"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/api"
	"github.com/burrow-containers/burrow/engine"

	"github.com/burrow-containers/burrow/doctor"
	"github.com/burrow-containers/burrow/userns"
)

// SystemCmd groups `burrow system ...`.
type SystemCmd struct {
	Df      DfCmd          `cmd:"" help:"Show the disk usage of images, containers and volumes."`
	Doctor  DoctorCmd      `cmd:"" help:"Check the host for what rootless containers need, and say how to fix it."`
	Service ServiceCmd     `cmd:"" help:"Serve the Docker Engine API on a unix socket."`
	Prune   SystemPruneCmd `cmd:"" help:"Remove unused pods, containers, networks and images (and volumes with --volumes)."`
	Reset   SystemResetCmd `cmd:"" help:"Remove every container, pod, image, volume and network, and the store's files."`
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
	Cors        string `name:"cors" help:"Set CORS headers: the origin (or *) whose web pages may use the API; without it, requests from web browsers are refused."`
	TLSCert     string `name:"tls-cert" help:"For tcp:: the service's TLS certificate (PEM)."`
	TLSKey      string `name:"tls-key" help:"For tcp:: its key (PEM)."`
	TLSClientCA string `name:"tls-client-ca" help:"For tcp:: the CA whose client certificates are accepted (PEM); clients without one are refused."`
	InsecureTCP bool   `name:"insecure-tcp" help:"Serve tcp: on an address other than loopback without TLS: anyone who reaches the port controls your containers."`
	UploadLimit string `name:"upload-limit" default:"16GiB" help:"The most one request may put on disk: a build context, an image to load, a docker cp upload (e.g. 50GiB)."`
	URI         string `arg:"" optional:"" help:"Where to listen: unix:/path or unix:///path (default: unix://$XDG_RUNTIME_DIR/burrow/burrow.sock); tcp:HOST:PORT or tcp://HOST:PORT, served to your own user only on a loopback address, else with TLS."`
}

// Run serves the Docker Engine API until idle or interrupted.
func (s *ServiceCmd) Run(g *globals) error {
	serviceGC()
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
	scheme, addr, err := serviceEndpoint(uri)
	if err != nil {
		return err
	}
	if s.Cors == "" {
		logrus.Debug("CORS Headers were not set")
	} else {
		logrus.Debugf("CORS Headers were set to %q", s.Cors)
		warn("--cors %s: web pages of that origin, in any browser that reaches the service, can drive your containers", s.Cors)
	}
	if scheme == "tcp" {
		return s.serveTCP(g, addr, limit)
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	path := addr
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
	return s.server(eng, limit).Serve(ctx, l, time.Duration(s.Time)*time.Second)
}

func (s *ServiceCmd) server(eng *engine.Engine, limit int64) *api.Server {
	return &api.Server{Engine: eng, Version: version, UploadLimit: limit, CORSOrigin: s.Cors}
}

// serviceEndpoint splits a service URI as podman reads it: unix:/path and
// unix:///path; tcp:HOST:PORT and tcp://HOST:PORT. Other schemes are
// podman's error.
func serviceEndpoint(uri string) (scheme, addr string, err error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", "", invalidf("%s is an invalid socket destination", uri)
	}
	switch u.Scheme {
	case "unix":
		path := u.Path
		if path == "" {
			path = u.Opaque
		}
		if path == "" {
			return "", "", invalidf("%s names no socket: use unix:/path", uri)
		}
		path, err := filepath.Abs(path)
		return "unix", path, err
	case "tcp":
		host := u.Host
		if host == "" {
			host = u.Opaque
		}
		return "tcp", host, nil
	}
	return "", "", invalidf("API Service endpoint scheme %q is not supported. Try tcp://%s or unix:/%s", u.Scheme, uri, uri)
}

// serveTCP serves on a TCP address: with mutual TLS when given its
// material; plain on a loopback address, to the service's own user only
// (another local user reaches 127.0.0.1 too); plain elsewhere only with
// --insecure-tcp, and a warning.
func (s *ServiceCmd) serveTCP(g *globals, addr string, limit int64) error {
	var cfg *tls.Config
	withTLS := s.TLSCert != "" || s.TLSKey != "" || s.TLSClientCA != ""
	switch {
	case s.InsecureTCP && withTLS:
		return invalidf("--insecure-tcp and --tls-* exclude each other: drop --insecure-tcp to serve TLS")
	case s.InsecureTCP:
		warn("serving the Docker API on plain TCP %s: anyone who can reach it controls your containers; use --tls-cert, --tls-key and --tls-client-ca, or a unix socket through ssh", addr)
	case withTLS:
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
	switch {
	case cfg != nil:
		l = tls.NewListener(l, cfg)
		fmt.Fprintf(os.Stderr, "burrow: serving the Docker API on %s with TLS (DOCKER_HOST=%s DOCKER_TLS_VERIFY=1)\n", l.Addr(), host)
	case s.InsecureTCP:
		fmt.Fprintf(os.Stderr, "burrow: serving the Docker API on %s (DOCKER_HOST=%s)\n", l.Addr(), host)
	case l.Addr().(*net.TCPAddr).IP.IsLoopback():
		l = api.SameUserListener(l)
		fmt.Fprintf(os.Stderr, "burrow: serving the Docker API on %s to your user only (DOCKER_HOST=%s)\n", l.Addr(), host)
	default:
		l.Close()
		return invalidf("plain TCP on %s, not a loopback address, lets anyone who reaches it control your containers: listen on 127.0.0.1, or give --tls-cert, --tls-key and --tls-client-ca, or --insecure-tcp", addr)
	}
	ctx, stop := signal.NotifyContext(g.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return s.server(eng, limit).Serve(ctx, l, time.Duration(s.Time)*time.Second)
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
