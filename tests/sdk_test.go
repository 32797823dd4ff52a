package tests

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// TestDockerSDK drives the service with the Docker Go SDK (its newest home,
// github.com/moby/moby/client), the steps of the SDK's own guide: pull
// (public, then private with credentials), run in the background, list,
// logs by ID, list images, commit, stop all.
func TestDockerSDK(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cli, err := client.New(client.WithHost(host))
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		t.Fatalf("ping: %v", err)
	}
	img := testImage(t)
	pull, err := cli.ImagePull(ctx, img, client.ImagePullOptions{})
	if err != nil {
		t.Fatalf("pull %s: %v", img, err)
	}
	if err := pull.Wait(ctx); err != nil {
		t.Fatalf("pull %s: %v", img, err)
	}

	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", name) })
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:   name,
		Config: &container.Config{Image: img, Cmd: []string{"sh", "-c", "echo sdk-out; echo sdk-err >&2; echo made > /made; sleep 1000"}},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	found := false
	for _, c := range list.Items {
		found = found || c.ID == created.ID
	}
	if !found {
		t.Errorf("ContainerList does not list %s", created.ID)
	}
	var stdout, stderr bytes.Buffer
	deadline := time.Now().Add(20 * time.Second)
	// stdout and stderr are separate pipes: wait for both lines.
	for !(strings.Contains(stdout.String(), "sdk-out") && strings.Contains(stderr.String(), "sdk-err")) && time.Now().Before(deadline) {
		stdout.Reset()
		stderr.Reset()
		logs, err := cli.ContainerLogs(ctx, created.ID, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
		if err != nil {
			t.Fatalf("logs: %v", err)
		}
		stdcopy.StdCopy(&stdout, &stderr, logs)
		logs.Close()
		time.Sleep(100 * time.Millisecond)
	}
	if stdout.String() != "sdk-out\n" || stderr.String() != "sdk-err\n" {
		t.Errorf("logs by ID: stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	imgs, err := cli.ImageList(ctx, client.ImageListOptions{})
	if err != nil || len(imgs.Items) == 0 {
		t.Errorf("ImageList: %d images, %v", len(imgs.Items), err)
	}
	ref := "localhost/sdk-commit-" + randHex()[:8] + ":v1"
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	if _, err := cli.ContainerCommit(ctx, created.ID, client.ContainerCommitOptions{Reference: ref}); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if got := mustRun(t, ref, nil, "cat", "/made"); got != "made\n" {
		t.Errorf("the committed image: %q", got)
	}
	// Stop all: every running container the SDK lists that is ours.
	for _, c := range list.Items {
		if c.ID != created.ID {
			continue
		}
		timeout := 1
		if _, err := cli.ContainerStop(ctx, c.ID, client.ContainerStopOptions{Timeout: &timeout}); err != nil {
			t.Errorf("stop: %v", err)
		}
	}
	wait := cli.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case res := <-wait.Result:
		if res.StatusCode != 137 {
			t.Errorf("wait after stop: %d, want 137", res.StatusCode)
		}
	case err := <-wait.Error:
		t.Errorf("wait: %v", err)
	}
	if _, err := cli.ContainerRemove(ctx, created.ID, client.ContainerRemoveOptions{}); err != nil {
		t.Errorf("remove: %v", err)
	}
	// Errors keep their classes, so the SDK's helpers tell them apart.
	if _, err := cli.ContainerInspect(ctx, "no-such-"+randHex()[:6], client.ContainerInspectOptions{}); err == nil || !strings.Contains(strings.ToLower(err.Error()), "no container") {
		t.Errorf("inspect of nothing: %v", err)
	}

	// A private registry: refused without credentials, pulled with them.
	reg := testbedVar(t, "BURROW_TEST_AUTH_REGISTRY")
	private := reg + "/private:latest"
	t.Cleanup(func() { burrow(t, "rmi", "-f", private) })
	if resp, err := cli.ImagePull(ctx, private, client.ImagePullOptions{}); err == nil {
		if err := resp.Wait(ctx); err == nil {
			t.Errorf("a private image was pulled without credentials")
		}
	}
	auth, _ := json.Marshal(map[string]string{"username": testbedVar(t, "BURROW_TEST_AUTH_USER"), "password": testbedVar(t, "BURROW_TEST_AUTH_PASSWORD")})
	resp, err := cli.ImagePull(ctx, private, client.ImagePullOptions{RegistryAuth: base64.URLEncoding.EncodeToString(auth)})
	if err != nil {
		t.Fatalf("pull with credentials: %v", err)
	}
	if err := resp.Wait(ctx); err != nil {
		t.Fatalf("pull with credentials: %v", err)
	}
	io.Copy(io.Discard, resp)
	if imageIDs(t)[private] == "" {
		t.Errorf("the private image is not in the store after a pull with credentials")
	}
}
