package api

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/api/types/volume"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
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
	commit, built := Build()
	buildTime := built.UTC().Format(time.RFC3339Nano)
	// docker version prints the Engine component's details, not the
	// top-level fields.
	details := map[string]string{
		"ApiVersion": MaxAPIVersion, "MinAPIVersion": MinAPIVersion, "GitCommit": commit, "GoVersion": runtime.Version(),
		"Os": runtime.GOOS, "Arch": runtime.GOARCH, "BuildTime": buildTime, "KernelVersion": kernel(), "Experimental": "false",
	}
	writeJSON(w, http.StatusOK, system.VersionResponse{
		Platform:      system.PlatformInfo{Name: "burrow"},
		Version:       s.Version,
		APIVersion:    MaxAPIVersion,
		MinAPIVersion: MinAPIVersion,
		GitCommit:     commit,
		BuildTime:     buildTime,
		Os:            runtime.GOOS,
		Arch:          runtime.GOARCH,
		KernelVersion: kernel(),
		GoVersion:     runtime.Version(),
		Components:    []system.ComponentVersion{{Name: "Engine", Version: s.Version, Details: details}},
	})
}

// Build is the commit burrow was built from and the commit's time, as the
// build recorded them (-buildvcs); without them, no commit and the Unix
// epoch, as podman builds report.
func Build() (commit string, built time.Time) {
	built = time.Unix(0, 0)
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", built
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.time":
			if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
				built = t
			}
		}
	}
	return commit, built
}

// info is GET /info: what docker info, testcontainers-go and compose read
// of the host and the engine.
func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	ctrs, _ := s.Engine.List()
	cgroupVersion, manager := s.Engine.Cgroups()
	limited := !strings.HasPrefix(manager, "none")
	info := system.Info{
		ID: "burrow", ServerVersion: s.Version, Containers: len(ctrs),
		OperatingSystem: osRelease(), OSType: "linux", OSVersion: osVersion(), Architecture: archName(),
		KernelVersion: kernel(), NCPU: runtime.NumCPU(), MemTotal: memTotal(), CgroupVersion: "1", CgroupDriver: "none",
		SecurityOptions: []string{"name=rootless", "name=seccomp,profile=default"},
		DockerRootDir:   s.Engine.GraphRoot(), LoggingDriver: "json-file", SystemTime: time.Now().Format(time.RFC3339Nano),
		IndexServerAddress: "https://index.docker.io/v1/", Labels: []string{}, Warnings: []string{},
		Plugins: system.PluginsInfo{
			Volume: []string{"local"}, Network: []string{"bridge", "host", "null"},
			Log: []string{"json-file", "k8s-file", "local", "none"},
		},
		MemoryLimit: limited, SwapLimit: limited, CPUCfsPeriod: limited, CPUCfsQuota: limited, CPUShares: limited,
		CPUSet: limited, PidsLimit: limited, IPv4Forwarding: true,
		Runtimes:       map[string]system.RuntimeWithStatus{"burrow": {Runtime: system.Runtime{Path: "burrow"}}},
		DefaultRuntime: "burrow", NGoroutines: runtime.NumGoroutine(),
		HTTPProxy: os.Getenv("HTTP_PROXY"), HTTPSProxy: os.Getenv("HTTPS_PROXY"), NoProxy: os.Getenv("NO_PROXY"),
		Swarm: swarm.Info{LocalNodeState: swarm.LocalNodeStateInactive},
	}
	if cgroupVersion == "v2" {
		info.CgroupVersion = "2"
	}
	if limited {
		info.CgroupDriver, _, _ = strings.Cut(manager, " ")
	} else {
		info.Warnings = append(info.Warnings, "WARNING: no resource limits: "+strings.TrimPrefix(manager, "none: "))
	}
	for _, c := range ctrs {
		switch {
		case c.Paused():
			info.ContainersPaused++
		case c.Running():
			info.ContainersRunning++
		default:
			info.ContainersStopped++
		}
	}
	if st, err := s.Engine.StoreInfo(); err == nil {
		info.Images = st.ImageStore.Number
		info.Driver = st.GraphDriverName
		for k, v := range st.GraphStatus {
			info.DriverStatus = append(info.DriverStatus, [2]string{k, v})
		}
		sort.Slice(info.DriverStatus, func(i, j int) bool { return info.DriverStatus[i][0] < info.DriverStatus[j][0] })
	}
	info.Name, _ = os.Hostname()
	writeJSON(w, http.StatusOK, info)
}

// osRelease is the host's PRETTY_NAME, as dockerd's OperatingSystem.
func osRelease() string {
	if v := osReleaseField("PRETTY_NAME"); v != "" {
		return v
	}
	return "Linux"
}

func osVersion() string { return osReleaseField("VERSION_ID") }

func osReleaseField(key string) string {
	b, _ := os.ReadFile("/etc/os-release")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+"="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}

// archName is the machine as uname says it (x86_64), as dockerd's.
func archName() string {
	var u unix.Utsname
	unix.Uname(&u)
	return unix.ByteSliceToString(u.Machine[:])
}

// memTotal is the host's memory in bytes.
func memTotal() int64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}

// diskUsage is GET /system/df as API versions before 1.52 have it: the
// images, the containers with the size of their own layer, the volumes
// with theirs. burrow's build cache is images (docs/build.md): none here.
type diskUsage struct {
	LayersSize int64
	Images     []imageSummary
	Containers []container.Summary
	Volumes    []volume.Volume
	BuildCache []build.CacheRecord
}

func (s *Server) systemDF(w http.ResponseWriter, r *http.Request) {
	want := map[string]bool{}
	for _, t := range r.URL.Query()["type"] {
		switch t {
		case "container", "image", "volume", "build-cache":
			want[t] = true
		default:
			writeError(w, errdefs.Invalid(fmt.Errorf("invalid type %q: use container, image, volume or build-cache", t)))
			return
		}
	}
	all := len(want) == 0
	du, err := s.Engine.DiskUsage(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	out := diskUsage{Images: []imageSummary{}, Containers: []container.Summary{}, Volumes: []volume.Volume{}, BuildCache: []build.CacheRecord{}}
	users := map[string]int64{}
	for _, u := range du.Containers {
		users[u.Container.ImageID]++
	}
	imageSize := map[string]int64{}
	if all || want["image"] || want["container"] {
		list, err := s.Engine.Images(r.Context())
		if err != nil {
			writeError(w, err)
			return
		}
		for _, im := range list {
			imageSize[im.ID] = im.Size
			if !all && !want["image"] {
				continue
			}
			sum := newImageSummary(im)
			sum.Containers, sum.SharedSize = users[im.ID], 0
			out.Images = append(out.Images, sum)
		}
		if all || want["image"] {
			out.LayersSize = du.LayersSize
		}
	}
	if all || want["container"] {
		now := time.Now()
		for _, u := range du.Containers {
			sum := containerSummary(u.Container, now, s.volumePath, s.extra(u.Container))
			sum.SizeRw, sum.SizeRootFs = u.Size, u.Size+imageSize[u.Container.ImageID]
			out.Containers = append(out.Containers, sum)
		}
	}
	if all || want["volume"] {
		for _, u := range du.Volumes {
			v := volumeResponse(u.Volume)
			v.UsageData = &volume.UsageData{Size: u.Size, RefCount: int64(u.Users)}
			out.Volumes = append(out.Volumes, v)
		}
	}
	writeJSON(w, http.StatusOK, out)
}
