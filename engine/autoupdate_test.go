package engine

import (
	"strings"
	"testing"
)

// A registry policy needs an image a registry can be asked about: a
// fully-qualified name of the docker transport; other policies take any.
func TestCheckAutoUpdateImage(t *testing.T) {
	registry := map[string]string{AutoUpdateLabel: "registry"}
	for _, tc := range []struct {
		labels map[string]string
		image  string
		want   string // "" for none
	}{
		{registry, "quay.io/libpod/testimage:20221018", ""},
		{registry, "docker://quay.io/libpod/testimage:20221018", ""},
		{map[string]string{AutoUpdateLabel: "image"}, "shortname:latest", `short name: auto updates require fully-qualified image reference: "shortname:latest"`},
		{registry, "busybox", "short name"},
		{registry, "docker-archive:/tmp/a.tar", `auto updates require the docker image transport but image is of transport "docker-archive"`},
		{map[string]string{AutoUpdateLabel: "local"}, "shortname:latest", ""},
		{nil, "docker-archive:/tmp/a.tar", ""},
	} {
		err := CheckAutoUpdateImage(tc.labels, tc.image)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v %s: error %v, want %q", tc.labels, tc.image, err, tc.want)
		}
	}
}

func TestLookupPolicy(t *testing.T) {
	for v, want := range map[string]string{"": policyDisabled, "image": policyRegistry, "registry": policyRegistry, "local": policyLocal} {
		if p, err := lookupPolicy(v); err != nil || p != want {
			t.Errorf("policy %q: %q, %v; want %q", v, p, err, want)
		}
	}
	_, err := lookupPolicy("fake")
	if err == nil || err.Error() != `invalid auto-update policy "fake": valid policies are ["disabled" "image" "local" "registry"]` {
		t.Errorf("fake policy: %v", err)
	}
}
