package api

import (
	"io"
	"net/http"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/limits"
)

func (s *Server) ping(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Ostype", "linux")
	// The classic builder (POST /build with a tar): no BuildKit sessions.
	w.Header().Set("Builder-Version", "1")
	w.Header().Set("Docker-Experimental", "false")
	w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "OK")
}

func kernel() string {
	var u unix.Utsname
	unix.Uname(&u)
	return unix.ByteSliceToString(u.Release[:])
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"Platform":      map[string]string{"Name": "burrow"},
		"Version":       s.Version,
		"ApiVersion":    MaxAPIVersion,
		"MinAPIVersion": MinAPIVersion,
		"Os":            runtime.GOOS,
		"Arch":          runtime.GOARCH,
		"KernelVersion": kernel(),
		"GoVersion":     runtime.Version(),
		"Components":    []map[string]any{{"Name": "Engine", "Version": s.Version, "Details": map[string]string{"ApiVersion": MaxAPIVersion, "MinAPIVersion": MinAPIVersion}}},
	})
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	ctrs, _ := s.Engine.List()
	running, stopped := 0, 0
	for _, c := range ctrs {
		if c.Running() {
			running++
		} else {
			stopped++
		}
	}
	nimg, driver := 0, ""
	if st, err := s.Engine.Store(); err == nil {
		if imgs, err := st.Images(); err == nil {
			nimg = len(imgs)
		}
		driver = st.GraphDriverName()
	}
	host, _ := os.Hostname()
	cgv := "1"
	if limits.CgroupV2() {
		cgv = "2"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"ID": "burrow", "Name": host, "ServerVersion": s.Version,
		"Containers": len(ctrs), "ContainersRunning": running, "ContainersPaused": 0, "ContainersStopped": stopped,
		"Images": nimg, "Driver": driver, "OperatingSystem": "linux", "OSType": "linux", "Architecture": runtime.GOARCH,
		"KernelVersion": kernel(), "NCPU": runtime.NumCPU(), "CgroupVersion": cgv, "CgroupDriver": "systemd",
		"SecurityOptions": []string{"name=rootless", "name=seccomp,profile=default"},
		"DockerRootDir":   s.Engine.GraphRoot(),
	})
}
