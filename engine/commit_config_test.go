package engine

import (
	"reflect"
	"testing"

	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// A commit keeps what the container was run with, as podman's: run
// --entrypoint '["/bin/echo","hi"]' then commit gives an image that says hi.
func TestCommitKeepsTheContainersConfig(t *testing.T) {
	entry := "/bin/echo"
	img := imgspecv1.ImageConfig{Entrypoint: []string{"/entry"}, Cmd: []string{"image", "cmd"}, Env: []string{"PATH=/bin", "A=image"}, WorkingDir: "/img"}
	c := &Config{Entrypoint: &entry, Command: []string{"hi"}, Env: []string{"A=run", "FROMHOST"}, Workdir: "/w", User: "1000", Labels: map[string]string{"l": "v"}, Expose: []string{"80/tcp"}}
	containerConfig(&img, c, []string{"PATH=/bin", "A=run", "FROMHOST=host value", "HOSTNAME=x"})
	if !reflect.DeepEqual(img.Entrypoint, []string{"/bin/echo"}) || !reflect.DeepEqual(img.Cmd, []string{"hi"}) {
		t.Errorf("entrypoint %q cmd %q", img.Entrypoint, img.Cmd)
	}
	if !reflect.DeepEqual(img.Env, []string{"PATH=/bin", "A=run", "FROMHOST=host value"}) {
		t.Errorf("env %q: the image's, with the container's -e (a host variable with the value it got)", img.Env)
	}
	if img.WorkingDir != "/w" || img.User != "1000" || img.Labels["l"] != "v" {
		t.Errorf("workdir %q user %q labels %v", img.WorkingDir, img.User, img.Labels)
	}
	if _, ok := img.ExposedPorts["80/tcp"]; !ok {
		t.Errorf("exposed ports %v", img.ExposedPorts)
	}
	// Without --entrypoint or a command: the image's stay.
	img = imgspecv1.ImageConfig{Entrypoint: []string{"/entry"}, Cmd: []string{"image", "cmd"}, WorkingDir: "/img"}
	containerConfig(&img, &Config{}, nil)
	if !reflect.DeepEqual(img.Entrypoint, []string{"/entry"}) || !reflect.DeepEqual(img.Cmd, []string{"image", "cmd"}) || img.WorkingDir != "/img" {
		t.Errorf("the image's config changed: %+v", img)
	}
}
