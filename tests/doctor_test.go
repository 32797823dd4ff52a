package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

type doctorResult struct {
	Check   string `json:"check"`
	Status  string `json:"status"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// doctor runs `burrow system doctor --format json` with extra environment.
func doctor(t testing.TB, env ...string) (map[string]doctorResult, int) {
	t.Helper()
	cmd := exec.Command(burrowBin(t), "system", "doctor", "--format", "json")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var rs []doctorResult
	if err := json.Unmarshal(out, &rs); err != nil {
		t.Fatalf("doctor --format json: %v\n%s", err, out)
	}
	m := map[string]doctorResult{}
	for _, r := range rs {
		m[r.Check] = r
		if r.Status != "OK" && r.Fix == "" {
			t.Errorf("doctor: %s is %s without a fix: %s", r.Check, r.Status, r.Message)
		}
	}
	return m, code
}

func TestDoctorOnPreparedHost(t *testing.T) {
	if os.Getenv("BURROW_TEST_EXPECT_NOSUBUID") == "1" {
		t.Skip("the user without subordinate IDs has its own doctor test")
	}
	// Not parallel: containers/storage's probes in other burrow processes
	// leave short-lived directories that its check counts.
	rs, code := doctor(t)
	for name, r := range rs {
		if r.Status == "FAIL" {
			t.Errorf("doctor on the prepared host: %s FAIL: %s", name, r.Message)
		}
	}
	if code != 0 {
		t.Errorf("doctor exited %d with nothing failed", code)
	}
	for _, want := range []string{"/etc/subuid", "/etc/subgid", "newuidmap", "newgidmap", "tun", "fuse", "network helper", "storage driver", "store consistency"} {
		if rs[want].Status != "OK" {
			t.Errorf("doctor: %s is %q (%s), want OK on the prepared host", want, rs[want].Status, rs[want].Message)
		}
	}
	// The cgroup line must say where limits stand, and why, either way.
	if c := rs["cgroups"]; c.Status == "" || (c.Status != "OK" && !strings.Contains(c.Message, "limits")) {
		t.Errorf("doctor's cgroup check: %+v", c)
	}
}

func TestDoctorNoSubuid(t *testing.T) {
	if os.Getenv("BURROW_TEST_EXPECT_NOSUBUID") != "1" {
		t.Skip("runs as the test user without subordinate IDs (make test's second pass)")
	}
	rs, code := doctor(t)
	if r := rs["/etc/subuid"]; r.Status != "FAIL" || !strings.Contains(r.Fix, "usermod --add-subuids") {
		t.Errorf("doctor for a user without a subuid range: %+v", r)
	}
	if code != 1 {
		t.Errorf("doctor with a failed check exited %d, want 1", code)
	}
}

func TestDoctorRuntimeDir(t *testing.T) {
	if os.Getenv("BURROW_TEST_EXPECT_NOSUBUID") == "1" {
		t.Skip("checked as the prepared user")
	}
	t.Parallel()
	// /tmp is not the user's: the sudo -u case.
	rs, _ := doctor(t, "XDG_RUNTIME_DIR=/tmp")
	if r := rs["XDG_RUNTIME_DIR"]; r.Status != "FAIL" || !strings.Contains(r.Fix, "export XDG_RUNTIME_DIR=/run/user/") {
		t.Errorf("doctor with XDG_RUNTIME_DIR=/tmp: %+v", r)
	}
	rs, _ = doctor(t, "XDG_RUNTIME_DIR=")
	if r := rs["XDG_RUNTIME_DIR"]; r.Status != "WARN" || r.Fix == "" {
		t.Errorf("doctor with XDG_RUNTIME_DIR unset: %+v", r)
	}
}

func TestDoctorRepair(t *testing.T) {
	if os.Getenv("BURROW_TEST_EXPECT_NOSUBUID") == "1" {
		t.Skip("checked as the prepared user")
	}
	// Not parallel: it judges the whole store.
	var info struct {
		Store struct {
			RunRoot string `json:"runRoot"`
		} `json:"store"`
	}
	if err := json.Unmarshal([]byte(must(t, "info", "--format", "json")), &info); err != nil {
		t.Fatal(err)
	}
	// What a crash can leave: a network namespace of no container.
	stray := info.Store.RunRoot + "/burrow/netns/" + strings.Repeat("ab", 32)
	must(t, "unshare", "sh", "-c", "mkdir -p "+info.Store.RunRoot+"/burrow/netns && touch "+stray)
	rs, code := doctor(t)
	if r := rs["store consistency"]; r.Status != "FAIL" || !strings.Contains(r.Fix, "--repair") || code != 1 {
		t.Fatalf("doctor with a stray network namespace: %+v (exit %d)", r, code)
	}
	cmd := exec.Command(burrowBin(t), "system", "doctor", "--repair")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Logf("doctor --repair: %v\n%s", err, out)
	}
	if _, err := os.Stat(stray); err == nil {
		t.Errorf("doctor --repair left %s", stray)
	}
	if rs, _ := doctor(t); rs["store consistency"].Status != "OK" {
		t.Errorf("after --repair: %+v", rs["store consistency"])
	}
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "1000")
	dir := t.TempDir()
	os.Symlink(burrowBin(t), dir+"/burrow")
	script := `source <(burrow completion bash) || exit 1
complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _burrow; echo "${COMPREPLY[*]}"; }
complete_words burrow sto
complete_words burrow logs ` + name[:10] + `
complete_words burrow run --rm
complete_words burrow volume ""`
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash completion: %v\n%s", err, out)
	}
	lines := strings.Split(string(out), "\n")
	if len(lines) < 4 || lines[0] != "stop" || !strings.Contains(lines[1], name) || !slices.Contains(strings.Fields(lines[2]), "--rm") || !strings.Contains(lines[3], "create") {
		t.Errorf("completions (stop / container name / --rm / volume subcommands):\n%s", out)
	}
	for _, sh := range []string{"zsh", "fish"} {
		if out := must(t, "completion", sh); !strings.Contains(out, "burrow") {
			t.Errorf("completion %s printed %q", sh, out)
		}
	}
}

// TestDoctorTunInaccessible runs in a pass of its own, while the test bed
// has made /dev/net/tun root-only (BURROW_TEST_EXPECT_NOTUN=1).
func TestDoctorTunInaccessible(t *testing.T) {
	if os.Getenv("BURROW_TEST_EXPECT_NOTUN") != "1" {
		t.Skip("runs in make test's pass with /dev/net/tun made root-only")
	}
	rs, code := doctor(t)
	if r := rs["tun"]; r.Status != "FAIL" || !strings.Contains(r.Fix, "chmod 0666 /dev/net/tun") {
		t.Errorf("doctor with /dev/net/tun root-only: %+v", r)
	}
	if code != 1 {
		t.Errorf("doctor exited %d, want 1", code)
	}
	// And run says why, naming the fix, while --network none still works.
	r := burrow(t, "run", "--rm", busyboxImage(t), "true")
	requireBurrowError(t, r, false)
	if !strings.Contains(r.Stderr, "chmod 0666 /dev/net/tun") {
		t.Errorf("run without tun does not name the fix: %s", r.Stderr)
	}
	if r := burrow(t, "run", "--rm", "--network", "none", busyboxImage(t), "echo", "ok"); r.ExitCode != 0 || r.Stdout != "ok\n" {
		t.Errorf("--network none without tun: %s", describe(r))
	}
}
