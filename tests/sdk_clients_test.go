package tests

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"
)

// TestDockerSDKWhatClientsRead covers what issue 19 found missing with
// the Docker Go SDK: labels kept and filtered on, an image committed as
// name:tag found by that name (the Docker way) by inspect, create and
// remove and by the CLI, a CLI image found by the SDK, exec sessions that
// report their end attached or detached, health checks seen in inspect,
// list filters and events, and the wait conditions.
func TestDockerSDKWhatClientsRead(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cli, err := client.New(client.WithHost(host))
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	img := testImage(t)
	burrow(t, "pull", "--tls-verify=false", "-q", img)
	evs := cli.Events(ctx, client.EventsListOptions{Filters: client.Filters{}.Add("type", "container").Add("event", "health_status")})

	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	labels := map[string]string{"app": "shop", "tier": name}
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name, Config: &container.Config{
		Image: img, Cmd: []string{"sh", "-c", "echo made > /made; sleep 1000"}, Labels: labels, StopSignal: "SIGKILL",
		Healthcheck: &container.HealthConfig{Test: []string{"CMD-SHELL", "test -e /ok"}, Interval: time.Second, Retries: 2},
	}})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	id := created.ID
	if _, err := cli.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	insp, err := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil || insp.Container.Config.Labels["tier"] != name || insp.Container.Config.StopSignal != "SIGKILL" {
		t.Errorf("inspect keeps labels and the stop signal: %v %v", insp.Container.Config, err)
	}
	for _, f := range []client.Filters{
		client.Filters{}.Add("label", "tier="+name),
		client.Filters{}.Add("label", "app", "tier="+name),
		client.Filters{}.Add("label", "tier="+name).Add("status", "running"),
	} {
		list, err := cli.ContainerList(ctx, client.ContainerListOptions{Filters: f})
		if err != nil || len(list.Items) != 1 || list.Items[0].ID != id || list.Items[0].Labels["app"] != "shop" {
			t.Errorf("list filtered by %v: %v %v", f, list.Items, err)
		}
	}
	if list, err := cli.ContainerList(ctx, client.ContainerListOptions{Filters: client.Filters{}.Add("label", "tier="+name, "app=other")}); err != nil || len(list.Items) != 0 {
		t.Errorf("two label filters must both match: %v %v", list.Items, err)
	}

	// Health: unhealthy without /ok, healthy once an exec makes it.
	waitHealth := func(want container.HealthStatus) {
		t.Helper()
		var got container.HealthStatus
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			insp, err := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
			if err == nil && insp.Container.State.Health != nil {
				if got = insp.Container.State.Health.Status; got == want {
					return
				}
			}
		}
		t.Fatalf("health %q, want %q", got, want)
	}
	waitHealth(container.Unhealthy)
	exec, err := cli.ExecCreate(ctx, id, client.ExecCreateOptions{Cmd: []string{"sh", "-c", "touch /ok; sleep 1; exit 5"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.ExecStart(ctx, exec.ID, client.ExecStartOptions{Detach: true}); err != nil {
		t.Fatalf("detached exec: %v", err)
	}
	var ei client.ExecInspectResult
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ei, err = cli.ExecInspect(ctx, exec.ID, client.ExecInspectOptions{}); err != nil || !ei.Running {
			break
		}
	}
	if err != nil || ei.Running || ei.ExitCode != 5 {
		t.Errorf("a detached exec that ended: running %v, exit code %d, %v; want not running, 5", ei.Running, ei.ExitCode, err)
	}
	waitHealth(container.Healthy)
	if list, _ := cli.ContainerList(ctx, client.ContainerListOptions{Filters: client.Filters{}.Add("health", "healthy").Add("label", "tier="+name)}); len(list.Items) != 1 {
		t.Errorf("the health filter: %v", list.Items)
	}
	seen := ""
	for timeout := time.After(20 * time.Second); seen == ""; {
		select {
		case m := <-evs.Messages:
			if m.Actor.ID == id && m.Action == events.ActionHealthStatusHealthy {
				seen = string(m.Action)
			}
		case err := <-evs.Err:
			t.Fatalf("events: %v", err)
		case <-timeout:
			seen = "none"
		}
	}
	if seen != string(events.ActionHealthStatusHealthy) {
		t.Errorf("no health_status: healthy event for the container")
	}

	// An attached exec reports its end too.
	exec, err = cli.ExecCreate(ctx, id, client.ExecCreateOptions{Cmd: []string{"sh", "-c", "echo attached; exit 3"}, AttachStdout: true, AttachStderr: true})
	if err != nil {
		t.Fatal(err)
	}
	att, err := cli.ExecAttach(ctx, exec.ID, client.ExecAttachOptions{})
	if err != nil {
		t.Fatalf("exec attach: %v", err)
	}
	io.Copy(io.Discard, att.Reader)
	att.Close()
	if ei, err := cli.ExecInspect(ctx, exec.ID, client.ExecInspectOptions{}); err != nil || ei.Running || ei.ExitCode != 3 {
		t.Errorf("an attached exec that ended: %+v, %v", ei, err)
	}

	// Commit as name:tag: stored as dockerd stores it, found by that name
	// through the API and by the CLI.
	repo := "sdk-commit-" + randHex()[:8]
	t.Cleanup(func() { burrow(t, "rmi", "-f", "docker.io/library/"+repo+":v1") })
	if _, err := cli.ContainerCommit(ctx, id, client.ContainerCommitOptions{Reference: repo + ":v1"}); err != nil {
		t.Fatalf("commit %s:v1: %v", repo, err)
	}
	ii, err := cli.ImageInspect(ctx, repo+":v1")
	if err != nil || len(ii.RepoTags) != 1 || ii.RepoTags[0] != repo+":v1" {
		t.Fatalf("inspect of %s:v1: %v %v", repo, ii.RepoTags, err)
	}
	if _, err := cli.ImageInspect(ctx, strings.TrimPrefix(ii.ID, "sha256:")[:12]); err != nil {
		t.Errorf("inspect by short ID: %v", err)
	}
	if got := mustRun(t, repo+":v1", nil, "cat", "/made"); got != "made\n" {
		t.Errorf("the CLI runs the committed image by its short name: %q", got)
	}
	fromCommit, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: repo + ":v1", Cmd: []string{"true"}}})
	if err != nil {
		t.Errorf("create from %s:v1: %v", repo, err)
	} else if _, err := cli.ContainerRemove(ctx, fromCommit.ID, client.ContainerRemoveOptions{}); err != nil {
		t.Error(err)
	}
	if _, err := cli.ImageRemove(ctx, repo+":v1", client.ImageRemoveOptions{}); err != nil {
		t.Errorf("remove %s:v1: %v", repo, err)
	}

	// The CLI's names (localhost/) are found by the SDK too.
	local := "sdk-local-" + randHex()[:8]
	t.Cleanup(func() { burrow(t, "rmi", "-f", "localhost/"+local+":v2") })
	if r := burrow(t, "tag", img, local+":v2"); r.ExitCode != 0 {
		t.Fatalf("burrow tag: %s", describe(r))
	}
	for _, ref := range []string{local + ":v2", "localhost/" + local + ":v2"} {
		if ii, err := cli.ImageInspect(ctx, ref); err != nil || !strings.Contains(strings.Join(ii.RepoTags, " "), "localhost/"+local+":v2") {
			t.Errorf("the SDK inspects the CLI's image as %s: %v %v", ref, ii.RepoTags, err)
		}
	}

	// Wait conditions: not-running at once for a created container;
	// next-exit waits for the start and the exit; removed for the removal.
	waitFor := func(ctrID string, cond container.WaitCondition, then func()) (int64, error) {
		t.Helper()
		res := cli.ContainerWait(ctx, ctrID, client.ContainerWaitOptions{Condition: cond})
		time.Sleep(300 * time.Millisecond) // the wait is in place
		if then != nil {
			then()
		}
		select {
		case r := <-res.Result:
			return r.StatusCode, nil
		case err := <-res.Error:
			return -1, err
		case <-time.After(30 * time.Second):
			return -1, context.DeadlineExceeded
		}
	}
	short := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", short) })
	c2, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: short, Config: &container.Config{Image: img, Cmd: []string{"sh", "-c", "exit 4"}},
		HostConfig: &container.HostConfig{AutoRemove: true}})
	if err != nil {
		t.Fatal(err)
	}
	if code, err := waitFor(c2.ID, container.WaitConditionNotRunning, nil); err != nil || code != 0 {
		t.Errorf("not-running of a created container: %d %v", code, err)
	}
	start := func() {
		if _, err := cli.ContainerStart(ctx, c2.ID, client.ContainerStartOptions{}); err != nil {
			t.Errorf("start: %v", err)
		}
	}
	if code, err := waitFor(c2.ID, container.WaitConditionRemoved, start); err != nil || code != 4 {
		t.Errorf("removed, of an AutoRemove container: %d %v, want 4", code, err)
	}
	if _, err := cli.ContainerInspect(ctx, c2.ID, client.ContainerInspectOptions{}); err == nil {
		t.Errorf("the AutoRemove container is still there after its removal was waited for")
	}

	info, err := cli.Info(ctx, client.InfoOptions{})
	if err != nil || info.Info.NCPU == 0 || info.Info.MemTotal == 0 || info.Info.OperatingSystem == "" || info.Info.ServerVersion == "" {
		t.Errorf("info: %+v %v", info.Info, err)
	}
	du, err := cli.DiskUsage(ctx, client.DiskUsageOptions{Containers: true, Images: true, Volumes: true})
	if err != nil || du.Containers.TotalCount == 0 || du.Images.TotalCount == 0 {
		t.Errorf("system df: %+v %v", du, err)
	}
}
