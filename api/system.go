package api

import (
	"io"
	"net/http"
	"os"
	"runtime"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/api/types/system"
	"golang.org/x/sys/unix"
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
	writeJSON(w, http.StatusOK, system.VersionResponse{
		Platform:      system.PlatformInfo{Name: "burrow"},
		Version:       s.Version,
		APIVersion:    MaxAPIVersion,
		MinAPIVersion: MinAPIVersion,
		Os:            runtime.GOOS,
		Arch:          runtime.GOARCH,
		KernelVersion: kernel(),
		GoVersion:     runtime.Version(),
		Components: []system.ComponentVersion{{Name: "Engine", Version: s.Version,
			Details: map[string]string{"ApiVersion": MaxAPIVersion, "MinAPIVersion": MinAPIVersion}}},
	})
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	ctrs, _ := s.Engine.List()
	info := system.Info{
		ID: "burrow", ServerVersion: s.Version, Containers: len(ctrs),
		OperatingSystem: "linux", OSType: "linux", Architecture: runtime.GOARCH,
		KernelVersion: kernel(), NCPU: runtime.NumCPU(), CgroupVersion: "1", CgroupDriver: "systemd",
		SecurityOptions: []string{"name=rootless", "name=seccomp,profile=default"},
		DockerRootDir:   s.Engine.GraphRoot(), LoggingDriver: "k8s-file",
		Swarm: swarm.Info{LocalNodeState: swarm.LocalNodeStateInactive},
	}
	for _, c := range ctrs {
		if c.Running() {
			info.ContainersRunning++
		} else {
			info.ContainersStopped++
		}
	}
	if st, err := s.Engine.StoreInfo(); err == nil {
		info.Images = st.ImageStore.Number
		info.Driver = st.GraphDriverName
	}
	info.Name, _ = os.Hostname()
	if s.Engine.Host().CgroupVersion == "v2" {
		info.CgroupVersion = "2"
	}
	writeJSON(w, http.StatusOK, info)
}
