package images

import "testing"

func TestFilters(t *testing.T) {
	named := Summary{ID: "abc123", Names: []string{"localhost/app:v1", "quay.io/team/tool:latest"}}
	dangling := Summary{ID: "def456", Dangling: true}
	step := Summary{ID: "fff000", Intermediate: true}
	for _, tc := range []struct {
		spec string
		s    Summary
		want bool
	}{
		{"reference=app", named, true},
		{"reference=app:v1", named, true},
		{"reference=app:v2", named, false},
		{"reference=team/*", named, true},
		{"reference=tool", named, true},
		{"reference=localhost/app", named, true},
		{"reference=other", named, false},
		{"dangling=true", dangling, true},
		{"dangling=true", named, false},
		{"dangling=false", named, true},
		{"intermediate=true", step, true},
		{"intermediate=false", step, false},
		{"id=abc", named, true},
		{"id=sha256:abc", named, true},
		{"id=def", named, false},
	} {
		f, err := ParseFiltersIn([]string{tc.spec}, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		if got := Match(tc.s, f); got != tc.want {
			t.Errorf("%s on %v: %v, want %v", tc.spec, tc.s.Names, got, tc.want)
		}
	}
	for _, bad := range []string{"reference", "size=1", "dangling=maybe"} {
		if _, err := ParseFiltersIn([]string{bad}, nil); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}
