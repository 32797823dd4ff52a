package tests

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// dfLine is a line of `system df --format json`.
type dfLine struct {
	Type                    string
	Total, Active           int
	RawSize, RawReclaimable int64
	TotalCount              int
	Size, Reclaimable       string
}

func systemDf(t *testing.T) map[string]dfLine {
	t.Helper()
	var lines []dfLine
	out := must(t, "system", "df", "--format", "json")
	if err := json.Unmarshal([]byte(out), &lines); err != nil {
		t.Fatalf("system df --format json: %v\n%s", err, out)
	}
	m := map[string]dfLine{}
	for _, l := range lines {
		m[l.Type] = l
	}
	return m
}

// TestSystemDf: what a container writes and a volume holds show in system
// df's numbers, and in the Docker API's GET /system/df, which reads the
// same count. Not parallel: the totals are the whole store's.
func TestSystemDf(t *testing.T) {
	img := busyboxImage(t)
	before := systemDf(t)
	vol := "df-" + randHex()[:10]
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", vol) })
	must(t, "volume", "create", vol)
	exited, running := ctrName(t), ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", exited) })
	must(t, "run", "--name", exited, "-v", vol+":/data", img, "sh", "-c",
		"dd if=/dev/zero of=/big bs=1024 count=300 2>/dev/null && dd if=/dev/zero of=/data/f bs=1024 count=100 2>/dev/null")
	runDetached(t, running, []string{"-v", vol + ":/data"}, "sleep", "1000")
	after := systemDf(t)

	d := func(typ string) dfLine {
		a, b := after[typ], before[typ]
		return dfLine{Total: a.Total - b.Total, Active: a.Active - b.Active, RawSize: a.RawSize - b.RawSize, RawReclaimable: a.RawReclaimable - b.RawReclaimable}
	}
	if c := d("Containers"); c.Total != 2 || c.Active != 1 || c.RawSize < 300*1024 || c.RawReclaimable < 300*1024 {
		t.Errorf("system df after an exited container that wrote 300KiB and a running one: the Containers line grew by %+v", c)
	}
	if v := d("Local Volumes"); v.Total != 1 || v.Active != 2 || v.RawSize != 100*1024 || v.RawReclaimable != 0 {
		t.Errorf("system df after a volume of 100KiB used by two containers: the Local Volumes line grew by %+v", v)
	}
	if i := after["Images"]; i.Active < 1 || i.RawSize <= 0 || i.RawReclaimable > i.RawSize {
		t.Errorf("system df's Images line with the image in use: %+v", i)
	}
	if got := must(t, "system", "df", "--format", "{{.Type}}:{{.Total}}"); !strings.Contains(got, "Local Volumes:"+strconv.Itoa(after["Local Volumes"].Total)+"\n") {
		t.Errorf("system df --format template:\n%s", got)
	}

	verbose := must(t, "system", "df", "-v")
	for what, re := range map[string]string{
		"the exited container": `(?m)^[0-9a-f]{12}\s+[0-9a-f]{12}\s+sh -c dd .*\s1\s+30[0-9.]+kB\s+.*\sexited\s+` + exited + `$`,
		"the running one":      `(?m)^[0-9a-f]{12}\s+[0-9a-f]{12}\s+sleep 1000\s+1\s+\S+\s+.*\srunning\s+` + running + `$`,
		"the volume":           `(?m)^` + vol + `\s+2\s+102.4kB$`,
	} {
		if !regexp.MustCompile(re).MatchString(verbose) {
			t.Errorf("system df -v lacks %s (%s):\n%s", what, re, verbose)
		}
	}
	requireBurrowError(t, burrow(t, "system", "df", "-v", "--format", "json"), true)

	host := apiService(t)
	code, body := apiCall(t, host, "GET", "/system/df?type=volume", nil, nil)
	var api struct {
		Volumes []struct {
			Name      string
			UsageData struct{ Size, RefCount int64 }
		}
	}
	if err := json.Unmarshal([]byte(body), &api); code != 200 || err != nil {
		t.Fatalf("GET /system/df: %d %v\n%s", code, err, body)
	}
	found := false
	for _, v := range api.Volumes {
		if v.Name == vol {
			found = true
			if v.UsageData.Size != 100*1024 || v.UsageData.RefCount != 2 {
				t.Errorf("GET /system/df: the volume's usage is %+v, want 102400 bytes used by 2", v.UsageData)
			}
		}
	}
	if !found {
		t.Errorf("GET /system/df lacks the volume %s:\n%s", vol, body)
	}
}
