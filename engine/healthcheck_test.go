package engine

import (
	"fmt"
	"testing"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
)

func TestParseHealthCmd(t *testing.T) {
	for in, want := range map[string]string{
		"":                              "[]",
		"none":                          "[NONE]",
		"curl -f http://localhost/":     "[CMD-SHELL curl -f http://localhost/]",
		`["/bin/check", "-v"]`:          "[CMD /bin/check -v]",
		`["CMD-SHELL", "exit 0"]`:       "[CMD-SHELL exit 0]",
		`["CMD", "/bin/true", "-x"]`:    "[CMD /bin/true -x]",
		"CMD-SHELL curl -f x || exit 1": "[CMD-SHELL curl -f x || exit 1]",
		"CMD /bin/check -v":             "[CMD /bin/check -v]",
		"cmd /bin/check":                "[CMD /bin/check]",
		"NONE":                          "[NONE]",
	} {
		got, err := ParseHealthCmd(in)
		if err != nil || fmt.Sprint(got) != want {
			t.Errorf("ParseHealthCmd(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	if _, err := ParseHealthCmd("[not json"); err == nil {
		t.Error("a broken JSON array is accepted")
	}
}

// The container's check takes from the image's what it leaves out, as
// dockerd's; NONE turns the image's off; on-failure needs a check.
func TestMergeHealth(t *testing.T) {
	img := &dockerspec.HealthcheckConfig{Test: []string{"CMD", "/ok"}, Interval: time.Minute, Retries: 5}
	h, err := mergeHealth(&HealthConfig{Interval: time.Second}, img)
	if err != nil || fmt.Sprint(h.Test) != "[CMD /ok]" || h.Interval != time.Second || h.Retries != 5 {
		t.Errorf("merged: %+v, %v", h, err)
	}
	if h, err := mergeHealth(&HealthConfig{Test: []string{"NONE"}}, img); h != nil || err != nil {
		t.Errorf("NONE: %+v, %v", h, err)
	}
	if h, _ := mergeHealth(nil, nil); h != nil {
		t.Errorf("no check at all: %+v", h)
	}
	if _, err := mergeHealth(&HealthConfig{OnFailure: "kill"}, nil); err == nil {
		t.Error("--health-on-failure=kill without a check is accepted")
	}
	for _, bad := range []HealthConfig{
		{Test: []string{"CMD"}}, {Test: []string{"ls"}}, {Test: []string{"CMD", "x"}, OnFailure: "explode"},
		{Test: []string{"CMD", "x"}, Retries: -1}, {Test: []string{"CMD", "x"}, Timeout: time.Microsecond},
	} {
		if err := CheckHealthConfig(&bad); err == nil {
			t.Errorf("%+v is accepted", bad)
		}
	}
}

// Failures count toward Retries, but not in the start period, even
// after a success there (podman's counting); a success resets the streak.
func TestRecordCheck(t *testing.T) {
	h := &HealthConfig{Test: []string{"CMD", "x"}, Retries: 2}
	st := &HealthState{Status: HealthStarting}
	fail, ok := HealthResult{ExitCode: 1}, HealthResult{ExitCode: 0}
	recordCheck(st, fail, h, true)
	if st.Status != HealthStarting || st.FailingStreak != 0 {
		t.Errorf("a failure in the start period counted: %+v", st)
	}
	recordCheck(st, fail, h, false)
	if st.Status != HealthStarting || st.FailingStreak != 1 {
		t.Errorf("one failure: %+v", st)
	}
	recordCheck(st, fail, h, false)
	if st.Status != HealthUnhealthy || st.FailingStreak != 2 {
		t.Errorf("two failures with retries 2: %+v", st)
	}
	recordCheck(st, ok, h, false)
	if st.Status != HealthHealthy || st.FailingStreak != 0 {
		t.Errorf("a success: %+v", st)
	}
	recordCheck(st, fail, h, true)
	if st.Status != HealthHealthy || st.FailingStreak != 0 {
		t.Errorf("a failure in the start period after a success counted: %+v", st)
	}
	for range 10 {
		recordCheck(st, ok, h, false)
	}
	if len(st.Log) != healthLogEntries {
		t.Errorf("the log keeps %d results, want %d", len(st.Log), healthLogEntries)
	}
}
