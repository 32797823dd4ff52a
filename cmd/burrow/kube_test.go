package main

import (
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// TestKubeUsage: the kube commands' usage lines and argument counts are
// podman 4.3's, which its help test (015-help) and 710-kube check.
func TestKubeUsage(t *testing.T) {
	p := testParser(t)
	find := func(path ...string) *kong.Node {
		n := p.Model.Node
		for _, name := range path {
			var next *kong.Node
			for _, ch := range n.Children {
				if ch.Name == name {
					next = ch
				}
			}
			if next == nil {
				t.Fatalf("no command %v", path)
			}
			n = next
		}
		return n
	}
	for _, c := range []struct {
		path []string
		want string
	}{
		{[]string{"kube", "generate"}, "kube generate [options] {CONTAINER...|POD...|VOLUME...}"},
		{[]string{"generate", "kube"}, "generate kube [options] {CONTAINER...|POD...|VOLUME...}"},
		{[]string{"kube", "play"}, "kube play [options] KUBEFILE|-"},
		{[]string{"play", "kube"}, "play kube [options] KUBEFILE|-"},
		{[]string{"kube", "down"}, "kube down [options] KUBEFILE|-"},
	} {
		if got := synopsis(find(c.path...)); !strings.HasSuffix(got, " "+c.want) {
			t.Errorf("usage %q, want podman %s", got, c.want)
		}
	}
	for _, args := range [][]string{{"kube", "play", "a.yaml", "b.yaml"}, {"kube", "down", "a.yaml", "b.yaml"}} {
		_, err := testParser(t).Parse(args)
		want := `"burrow ` + strings.Join(args[:2], " ") + `" accepts 1 arg(s), received 2`
		if err == nil || !strings.HasPrefix(usageError(err).Error(), want) {
			t.Errorf("%q: %v, want %s", args, err, want)
		}
	}
}
