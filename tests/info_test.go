package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type idMapping struct {
	ContainerID int `json:"container_id"`
	HostID      int `json:"host_id"`
	Size        int `json:"size"`
}

// infoJSON is the part of `burrow info --format json` the tests look at.
type infoJSON struct {
	Host struct {
		IDMappings struct {
			UIDMap []idMapping `json:"uidmap"`
			GIDMap []idMapping `json:"gidmap"`
		} `json:"idMappings"`
		CgroupVersion  string `json:"cgroupVersion"`
		CgroupManager  string `json:"cgroupManager"`
		NetworkBackend string `json:"networkBackend"`
		Security       struct {
			Rootless bool `json:"rootless"`
		} `json:"security"`
		Helpers []struct {
			Name    string `json:"name"`
			Path    string `json:"path"`
			Version string `json:"version"`
		} `json:"helpers"`
	} `json:"host"`
	Store struct {
		GraphDriverName string `json:"graphDriverName"`
		GraphRoot       string `json:"graphRoot"`
		RunRoot         string `json:"runRoot"`
		ImageStore      struct {
			Number int `json:"number"`
		} `json:"imageStore"`
	} `json:"store"`
}

// burrowInfo runs `burrow info --format json` and decodes it.
func burrowInfo(t testing.TB) (infoJSON, result) {
	t.Helper()
	r := burrow(t, "info", "--format", "json")
	if r.ExitCode != 0 {
		t.Fatalf("burrow info --format json:\n%s", describe(r))
	}
	var info infoJSON
	if err := json.Unmarshal([]byte(r.Stdout), &info); err != nil {
		t.Fatalf("burrow info --format json: stdout is not a JSON document: %v\n%s", err, r.Stdout)
	}
	return info, r
}

func TestInfoJSON(t *testing.T) {
	t.Parallel()
	busyboxImage(t) // so that the store holds at least one image
	uidRange := firstSubIDRange(t, "/etc/subuid")
	gidRange := firstSubIDRange(t, "/etc/subgid")
	info, _ := burrowInfo(t)

	if !info.Host.Security.Rootless {
		t.Errorf("host.security.rootless = false")
	}
	check := func(what string, got []idMapping, id int, r subIDRange) {
		t.Helper()
		want := []idMapping{{0, id, 1}, {1, r.Start, r.Size}}
		if len(got) < 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("host.idMappings.%s = %+v, want it to start with %+v", what, got, want)
		}
	}
	check("uidmap", info.Host.IDMappings.UIDMap, os.Getuid(), uidRange)
	check("gidmap", info.Host.IDMappings.GIDMap, os.Getgid(), gidRange)

	if v := info.Host.CgroupVersion; v != "v1" && v != "v2" {
		t.Errorf("host.cgroupVersion = %q, want v1 or v2", v)
	}
	if info.Store.GraphDriverName == "" {
		t.Errorf("store.graphDriverName is empty")
	}
	if !filepath.IsAbs(info.Store.GraphRoot) || !filepath.IsAbs(info.Store.RunRoot) {
		t.Errorf("store.graphRoot %q / store.runRoot %q are not absolute paths", info.Store.GraphRoot, info.Store.RunRoot)
	}
	if info.Store.ImageStore.Number < 1 {
		t.Errorf("store.imageStore.number = %d after pulling an image", info.Store.ImageStore.Number)
	}
	found := false
	for _, h := range info.Host.Helpers {
		if h.Name == "newuidmap" {
			found = true
			if !filepath.IsAbs(h.Path) {
				t.Errorf("helper newuidmap has path %q", h.Path)
			}
		}
	}
	if !found {
		t.Errorf("newuidmap is not among host.helpers: %+v", info.Host.Helpers)
	}
}

func TestInfoHuman(t *testing.T) {
	t.Parallel()
	info, _ := burrowInfo(t)
	r := burrow(t, "info")
	if r.ExitCode != 0 {
		t.Fatalf("burrow info:\n%s", describe(r))
	}
	out := strings.TrimSpace(r.Stdout)
	if out == "" || strings.HasPrefix(out, "{") {
		t.Errorf("burrow info does not print a human-readable form:\n%s", r.Stdout)
	}
	if !strings.Contains(out, info.Store.GraphDriverName) {
		t.Errorf("burrow info does not mention the storage driver %q:\n%s", info.Store.GraphDriverName, r.Stdout)
	}
}
