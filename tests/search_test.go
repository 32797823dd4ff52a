package tests

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// TestSearch: search lists a registry's images whose names hold the term
// (from its catalog, as podman's), --list-tags an image's tags, --format
// json podman's fields; docker search through the API says the same.
func TestSearch(t *testing.T) {
	t.Parallel()
	reg := testbedVar(t, "BURROW_TEST_REGISTRY")
	out := must(t, "search", "--tls-verify=false", reg+"/busy")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "NAME") || strings.TrimSpace(lines[1]) != reg+"/busybox" {
		t.Errorf("search %s/busy:\n%s\nwant the header and %s/busybox", reg, out, reg)
	}
	if out := must(t, "search", "--tls-verify=false", "--list-tags", reg+"/busybox"); !strings.Contains(out, "latest") {
		t.Errorf("search --list-tags:\n%s\nwant the tag latest", out)
	}
	var res []struct{ Index, Name, Tag string }
	if err := json.Unmarshal([]byte(must(t, "search", "--tls-verify=false", "--format", "json", "--limit", "1", reg+"/")), &res); err != nil || len(res) != 1 || res[0].Index != reg {
		t.Errorf("search --format json --limit 1: %+v, %v", res, err)
	}
	if r := burrow(t, "search", "--tls-verify=false", "--filter", "bogus", reg+"/busy"); r.ExitCode != 125 {
		t.Errorf("--filter bogus: exit %d, %q", r.ExitCode, r.Stderr)
	}
	if r := burrow(t, "search", reg+"/busy"); r.ExitCode != 125 || !strings.Contains(r.Stderr, "--tls-verify=false") || strings.Count(strings.TrimSpace(r.Stderr), "\n") != 0 {
		t.Errorf("search of a plain-HTTP registry over HTTPS: exit %d, %q; want one line naming --tls-verify=false", r.ExitCode, r.Stderr)
	}
	host := apiService(t)
	if out := mustDocker(t, host, "search", "--format", "{{.Name}} {{.StarCount}}", reg+"/busy"); strings.TrimSpace(out) != reg+"/busybox 0" {
		t.Errorf("docker search: %q", out)
	}
}

// TestDockerDistributionInspect: GET /distribution/{name}/json gives the
// registry's manifest digest (what compose config --resolve-image-digests
// pins) and the image's platform, without pulling; a missing image is a
// 404.
func TestDockerDistributionInspect(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	cli, ctx := sdkClient(t, host, time.Minute)
	res, err := cli.DistributionInspect(ctx, testImage(t), client.DistributionInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(res.Descriptor.Digest), "sha256:") || res.Descriptor.Size == 0 || len(res.Platforms) != 1 || res.Platforms[0].OS != "linux" {
		t.Errorf("distribution inspect: %+v", res.DistributionInspect)
	}
	if _, err := cli.DistributionInspect(ctx, testbedVar(t, "BURROW_TEST_REGISTRY")+"/no-such-image:latest", client.DistributionInspectOptions{}); !cerrdefs.IsNotFound(err) {
		t.Errorf("a missing image: %v, want not found", err)
	}
}
