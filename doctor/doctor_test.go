package doctor

import "testing"

func TestVersionLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		less bool
	}{{"4.5", "4.6", true}, {"4.13", "4.6", false}, {"4.6", "4.6", false}, {"4", "4.6", true}, {"5.0", "4.6", false}} {
		if got := versionLess(c.a, c.b); got != c.less {
			t.Errorf("versionLess(%s, %s) = %v", c.a, c.b, got)
		}
	}
}
