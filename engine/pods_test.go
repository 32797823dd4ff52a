package engine

import (
	"slices"
	"testing"
)

func TestParseShare(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		bad  bool
	}{
		{in: "", want: nil},
		{in: "ipc", want: []string{"ipc"}},
		{in: "net,uts", want: []string{"uts", "net"}},
		{in: "+pid", want: []string{"uts", "ipc", "net", "pid"}},
		{in: "none", want: []string{}},
		{in: "bogus", bad: true},
		{in: "ipc,bogus", bad: true},
		{in: "+none", bad: true},
	} {
		got, err := ParseShare(c.in)
		if (err != nil) != c.bad || !c.bad && (!slices.Equal(got, c.want) || (got == nil) != (c.want == nil)) {
			t.Errorf("ParseShare(%q) = %q, %v; want %q (error: %v)", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestPodState(t *testing.T) {
	ctr := func(status string) *Container {
		return &Container{Record: Record{State: State{Status: status}}}
	}
	for _, c := range []struct {
		states []string
		want   string
	}{
		{nil, PodCreated},
		{[]string{StatusCreated, StatusCreated}, PodCreated},
		{[]string{StatusRunning, StatusRunning}, PodRunning},
		{[]string{StatusRunning, StatusExited}, PodDegraded},
		{[]string{StatusRunning, StatusCreated}, PodDegraded},
		{[]string{StatusExited, StatusExited}, PodExited},
		{[]string{StatusExited, StatusCreated}, PodStopped},
	} {
		p := &Pod{}
		for _, s := range c.states {
			p.Containers = append(p.Containers, ctr(s))
		}
		if got := p.State(); got != c.want {
			t.Errorf("a pod of containers %q is %s, want %s", c.states, got, c.want)
		}
	}
}

func TestPodNetworkInfra(t *testing.T) {
	if got := podNetworkInfra(&Config{Pod: "p", Network: "container:abc"}); got != "abc" {
		t.Errorf("a member's infra: %q", got)
	}
	for _, c := range []Config{{Network: "container:abc"}, {Pod: "p", PodInfra: InfraBuiltin}, {Pod: "p"}} {
		if got := podNetworkInfra(&c); got != "" {
			t.Errorf("podNetworkInfra(%+v) = %q, want none", c, got)
		}
	}
}
