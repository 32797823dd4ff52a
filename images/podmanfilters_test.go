package images

import (
	"testing"
	"time"
)

func TestFiltersOnOtherImages(t *testing.T) {
	t0 := time.Unix(1000, 0)
	old := Summary{ID: "aaa111", Names: []string{"quay.io/libpod/testimage:20220615"}, Created: t0, Labels: map[string]string{"created_by": "test"}}
	mid := Summary{ID: "bbb222", Names: []string{"localhost/mid:latest"}, Created: t0.Add(time.Hour), Containers: 2}
	young := Summary{ID: "ccc333", Names: []string{"localhost/young:latest"}, Created: t0.Add(2 * time.Hour), ManifestList: true}
	list := []Summary{old, mid, young}
	for _, tc := range []struct {
		spec string
		want []string
	}{
		{"before=mid", []string{"aaa111"}},
		{"after=mid", []string{"ccc333"}},
		{"since=aaa", []string{"bbb222", "ccc333"}},
		{"before=testimage:20220615", nil},
		{"label=created_by", []string{"aaa111"}},
		{"label=created_by=test", []string{"aaa111"}},
		{"label=created_by=other", nil},
		{"containers=true", []string{"bbb222"}},
		{"manifest=true", []string{"ccc333"}},
		{"until=1970-01-01T00:30:00Z", []string{"aaa111"}},
	} {
		f, err := ParseFiltersIn([]string{tc.spec}, list)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		var got []string
		for _, s := range list {
			if Match(s, f) {
				got = append(got, s.ID)
			}
		}
		if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
			t.Errorf("%s: %v, want %v", tc.spec, got, tc.want)
		}
	}
	if _, err := ParseFiltersIn([]string{"before=nosuch"}, list); err == nil {
		t.Error("before= an unknown image: want an error")
	}
}

func TestReferenceNormalization(t *testing.T) {
	const d = "sha256:1b1657c2a30cfd7c646ed36113a06c48d686afd65359f428e8aced35f4520144"
	if got := stripTagOfDigested("quay.io/libpod/testimage:20220615@" + d); got != "quay.io/libpod/testimage@"+d {
		t.Errorf("stripTagOfDigested: %s", got)
	}
	if got := stripTagOfDigested("localhost:5000/x:1"); got != "localhost:5000/x:1" {
		t.Errorf("stripTagOfDigested of a tag alone: %s", got)
	}
	for in, want := range map[string]string{
		"image":                 "localhost/image:latest",
		"registry.com/image":    "registry.com/image:latest",
		"quay.io/a/b:t@" + d:    "quay.io/a/b@" + d,
		"localhost:5000/x@" + d: "localhost:5000/x@" + d,
		"registry.com/foo:bar":  "registry.com/foo:bar",
	} {
		n, err := normalizeAny(in)
		if err != nil || n.String() != want {
			t.Errorf("normalizeAny(%q) = %v, %v; want %s", in, n, err, want)
		}
	}
}
