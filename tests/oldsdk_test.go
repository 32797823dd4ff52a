package tests

import (
	"context"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	dockercontainer "github.com/docker/docker/api/types/container"
	dockerimage "github.com/docker/docker/api/types/image"
	dockerclient "github.com/docker/docker/client"
)

// TestDockerSDKv28 drives the service with the older home of the SDK,
// github.com/docker/docker/client, which many programs still import.
func TestDockerSDKv28(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cli, err := dockerclient.NewClientWithOpts(dockerclient.WithHost(host), dockerclient.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	img := busyboxImage(t)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", name) })
	resp, err := cli.ContainerCreate(ctx, &dockercontainer.Config{Image: img, Cmd: []string{"sh", "-c", "exit 5"}}, nil, nil, nil, name)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := cli.ContainerStart(ctx, resp.ID, dockercontainer.StartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	waitC, errC := cli.ContainerWait(ctx, resp.ID, dockercontainer.WaitConditionNotRunning)
	select {
	case w := <-waitC:
		if w.StatusCode != 5 {
			t.Errorf("wait: %d, want 5", w.StatusCode)
		}
	case err := <-errC:
		t.Fatalf("wait: %v", err)
	}
	list, err := cli.ContainerList(ctx, dockercontainer.ListOptions{All: true})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	found := false
	for _, c := range list {
		found = found || c.ID == resp.ID
	}
	if !found {
		t.Errorf("ContainerList(All) lacks %s", resp.ID)
	}
	if imgs, err := cli.ImageList(ctx, dockerimage.ListOptions{}); err != nil || len(imgs) == 0 {
		t.Errorf("ImageList: %d, %v", len(imgs), err)
	}
	if err := cli.ContainerRemove(ctx, resp.ID, dockercontainer.RemoveOptions{}); err != nil {
		t.Errorf("remove: %v", err)
	}
	if _, err := cli.ContainerInspect(ctx, resp.ID); !cerrdefs.IsNotFound(err) && err != nil {
		t.Errorf("inspect after remove: %v, want a not-found error", err)
	} else if err == nil {
		t.Errorf("inspect after remove found the container")
	}
}
