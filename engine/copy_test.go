package engine

import "testing"

// Relative paths in a container are its working directory's, as podman
// cp reads them; the trailing "/" or "/." that tells how a copy is placed
// survives.
func TestInContainer(t *testing.T) {
	for _, c := range []struct{ cwd, p, want string }{
		{"/srv", "/tmp/.", "/tmp/."},
		{"/srv", ".", "/srv/."},
		{"/srv", "./", "/srv/"},
		{"/srv", "anotherbase.txt", "/srv/anotherbase.txt"},
		{"/srv", "subdir/.", "/srv/subdir/."},
		{"/srv", "sub/file", "/srv/sub/file"},
		{"", "a", "/a"},
		{"/", ".", "/."},
	} {
		if got := inContainer(c.cwd, c.p); got != c.want {
			t.Errorf("inContainer(%q, %q) = %q, want %q", c.cwd, c.p, got, c.want)
		}
	}
}
