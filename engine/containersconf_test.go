package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/burrow-containers/burrow/limits"
)

func TestContainersConf(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "containers.conf")
	os.WriteFile(conf, []byte("[containers]\ncgroups = \"disabled\"\n\n[engine]\ncgroup_manager = \"cgroupfs\"\n"), 0o644)
	t.Setenv("CONTAINERS_CONF", conf)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	e := &Engine{}
	if got := e.CgroupManager(); got != limits.Cgroupfs {
		t.Errorf("cgroup manager %q, want cgroupfs from containers.conf", got)
	}
	c := Config{Limits: limits.Limits{PidsLimit: 10}}
	warnings, err := e.applyCgroupsSetting(&c)
	if err != nil || !c.CgroupsDisabled || c.Limits.Requested() || len(warnings) != 1 {
		t.Errorf("cgroups = \"disabled\": disabled %v, limits %+v, warnings %q, %v", c.CgroupsDisabled, c.Limits, warnings, err)
	}
	if w, _ := e.applyCgroupsSetting(&c); len(w) != 0 || !c.CgroupsDisabled {
		t.Errorf("a second settling changed it: %q", w)
	}
	e = &Engine{settings: Options{CgroupManager: limits.Systemd}}
	if got := e.CgroupManager(); got != limits.Systemd {
		t.Errorf("--cgroup-manager systemd gave %q", got)
	}
}

func TestConfNames(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "containers.conf")
	t.Setenv("CONTAINERS_CONF_OVERRIDE", "")
	t.Setenv("CONTAINERS_CONF", conf)
	os.WriteFile(conf, []byte("[engine]\n# cgroup_manager = \"systemd\"\nevents_logger = \"file\"\n"), 0o644)
	if confNames("cgroup_manager") {
		t.Errorf("a commented-out cgroup_manager counts as set")
	}
	os.WriteFile(conf, []byte("[engine]\n  cgroup_manager = \"cgroupfs\"\n"), 0o644)
	if !confNames("cgroup_manager") {
		t.Errorf("cgroup_manager in $CONTAINERS_CONF is not seen")
	}
}
