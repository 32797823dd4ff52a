package tests

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"
)

// eventKey is what a test compares of an event.
func eventKey(m events.Message) string {
	return fmt.Sprintf("%s %s %s name=%s", m.Type, m.Action, m.Actor.ID, m.Actor.Attributes["name"])
}

// collectEvents reads a stream's events until it has every one of want
// (as eventKey gives them) or the time is out, and returns what it read.
func collectEvents(t *testing.T, evs client.EventsResult, want ...string) []string {
	t.Helper()
	var got []string
	missing := func() []string {
		var out []string
		for _, w := range want {
			if !strings.Contains(strings.Join(got, "\n")+"\n", w+"\n") {
				out = append(out, w)
			}
		}
		return out
	}
	for timeout := time.After(20 * time.Second); len(missing()) > 0; {
		select {
		case m := <-evs.Messages:
			got = append(got, eventKey(m))
		case err := <-evs.Err:
			t.Fatalf("events: %v (read %q)", err, got)
		case <-timeout:
			t.Errorf("events missing %q; read %q", missing(), got)
			return got
		}
	}
	return got
}

// TestDockerSDKImageEvents checks what dockerd reports of images on
// /events, made through the API or burrow's CLI alike: tag, save, untag,
// delete, load and a container's commit, with the type, image and event
// filters, and a since/until replay that ends.
func TestDockerSDKImageEvents(t *testing.T) {
	t.Parallel()
	cli, ctx := sdkClient(t, apiService(t), 3*time.Minute)
	img := testImage(t)
	burrow(t, "pull", "--tls-verify=false", "-q", img)
	ii, err := cli.ImageInspect(ctx, img)
	if err != nil {
		t.Fatal(err)
	}
	id := ii.ID
	repo := "evt-" + randHex()[:8]
	begin := time.Now()
	all := cli.Events(ctx, client.EventsListOptions{Filters: client.Filters{}.Add("type", "image")})
	mine := cli.Events(ctx, client.EventsListOptions{Filters: client.Filters{}.Add("image", repo).Add("event", "tag")})
	time.Sleep(500 * time.Millisecond) // the streams' first look

	t.Cleanup(func() { burrow(t, "rmi", "-f", repo+":v1", repo+":v2", repo+":c") })
	if _, err := cli.ImageTag(ctx, client.ImageTagOptions{Source: img, Target: repo + ":v1"}); err != nil {
		t.Fatalf("tag: %v", err)
	}
	// The CLI names it as podman does, localhost/ first.
	if r := burrow(t, "tag", img, repo+":v2"); r.ExitCode != 0 {
		t.Fatalf("the CLI's tag: %s", describe(r))
	}
	saved, err := cli.ImageSave(ctx, []string{repo + ":v1"})
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	archive, err := io.ReadAll(saved)
	saved.Close()
	if err != nil {
		t.Fatalf("reading the saved archive: %v", err)
	}
	if _, err := cli.ImageRemove(ctx, repo+":v2", client.ImageRemoveOptions{}); err != nil {
		t.Fatalf("remove %s:v2: %v", repo, err)
	}
	loaded, err := cli.ImageLoad(ctx, strings.NewReader(string(archive)), client.ImageLoadWithQuiet(true))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	io.Copy(io.Discard, loaded)
	loaded.Close()

	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	if r := burrow(t, "create", "--name", name, img, "true"); r.ExitCode != 0 {
		t.Fatalf("create: %s", describe(r))
	}
	ctrEvents := cli.Events(ctx, client.EventsListOptions{Filters: client.Filters{}.Add("container", name).Add("event", "commit")})
	time.Sleep(500 * time.Millisecond)
	committed, err := cli.ContainerCommit(ctx, name, client.ContainerCommitOptions{Reference: repo + ":c"})
	if err != nil {
		t.Fatalf("commit: %v", err)
	}

	collectEvents(t, all,
		"image tag "+id+" name="+repo+":v1",
		"image tag "+id+" name=localhost/"+repo+":v2",
		"image save "+id+" name="+id,
		"image untag "+id+" name="+id,
		"image load "+id+" name="+id,
		"image tag "+committed.ID+" name="+repo+":c",
	)
	// The image filter without a tag matches every tag of the name.
	for _, k := range collectEvents(t, mine, "image tag "+id+" name="+repo+":v1", "image tag "+id+" name=localhost/"+repo+":v2") {
		if !strings.HasPrefix(k, "image tag ") || !strings.Contains(k, repo) {
			t.Errorf("an event through the filters image=%s, event=tag: %q", repo, k)
		}
	}
	ci, err := cli.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	collectEvents(t, ctrEvents, "container commit "+ci.Container.ID+" name="+name)

	// A replay from before the tags to now: the same events, then the end.
	until := time.Now().Add(time.Second)
	replay := cli.Events(ctx, client.EventsListOptions{Since: begin.Format(time.RFC3339Nano), Until: until.Format(time.RFC3339Nano),
		Filters: client.Filters{}.Add("type", "image").Add("event", "tag")})
	var replayed []string
	for done := false; !done; {
		select {
		case m := <-replay.Messages:
			replayed = append(replayed, eventKey(m))
		case err := <-replay.Err:
			if !errors.Is(err, io.EOF) {
				t.Errorf("the replay ended with %v", err)
			}
			done = true
		case <-time.After(20 * time.Second):
			t.Fatalf("the replay did not end at its until; read %q", replayed)
		}
	}
	if want := "image tag " + id + " name=" + repo + ":v1"; len(replayed) < 3 || replayed[0] != want {
		t.Errorf("replayed tags %q, want three from %q", replayed, want)
	}
}

// TestDockerSDKFailedStart checks a start whose command is missing or
// cannot run, as dockerd answers it: a 400 naming the command, and the
// container left created with exit code 127 or 126 and State.Error, which
// burrow's CLI shows as well.
func TestDockerSDKFailedStart(t *testing.T) {
	t.Parallel()
	cli, ctx := sdkClient(t, apiService(t), 2*time.Minute)
	img := testImage(t)
	burrow(t, "pull", "--tls-verify=false", "-q", img)
	for _, tc := range []struct {
		cmd  string
		code int
	}{{"/no-such-command", 127}, {"/etc/passwd", 126}} {
		name := ctrName(t)
		t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
		if _, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name, Config: &container.Config{Image: img, Cmd: []string{tc.cmd}}}); err != nil {
			t.Fatalf("create: %v", err)
		}
		_, err := cli.ContainerStart(ctx, name, client.ContainerStartOptions{})
		if !cerrdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), tc.cmd) {
			t.Errorf("start of %s: %v; want a 400 naming it", tc.cmd, err)
		}
		insp, err := cli.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		st := insp.Container.State
		if st.Status != container.StateCreated || st.ExitCode != tc.code || !strings.Contains(st.Error, tc.cmd) {
			t.Errorf("after a failed start of %s: status %q, exit code %d, error %q; want created, %d, the reason", tc.cmd, st.Status, st.ExitCode, st.Error, tc.code)
		}
		r := burrow(t, "inspect", "--format", "{{.State.ExitCode}} {{.State.Error}}", name)
		if !strings.HasPrefix(r.Stdout, fmt.Sprint(tc.code)+" ") || !strings.Contains(r.Stdout, tc.cmd) {
			t.Errorf("the CLI's inspect after the failed start: %s", describe(r))
		}
	}
}

// TestDockerSDKFlows drives SDK calls programs make beyond the basics: a
// path's stat and a copy out of the container, save and load of an image,
// its history, one stats sample, an update of the restart policy, a
// network connect refused, and the wait conditions next-exit and removed.
func TestDockerSDKFlows(t *testing.T) {
	t.Parallel()
	cli, ctx := sdkClient(t, apiService(t), 3*time.Minute)
	img := testImage(t)
	burrow(t, "pull", "--tls-verify=false", "-q", img)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	if _, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name, Config: &container.Config{
		Image: img, Cmd: []string{"sh", "-c", "mkdir -p /out && echo sdk-file > /out/f.txt && exec sleep 1000"}, StopSignal: "SIGKILL",
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.ContainerStart(ctx, name, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	var stat container.PathStat
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		res, err := cli.ContainerStatPath(ctx, name, client.ContainerStatPathOptions{Path: "/out/f.txt"})
		if err == nil {
			stat = res.Stat
			break
		}
	}
	if stat.Name != "f.txt" || stat.Size != int64(len("sdk-file\n")) || stat.Mode.IsDir() {
		t.Errorf("stat of /out/f.txt: %+v", stat)
	}
	if _, err := cli.ContainerStatPath(ctx, name, client.ContainerStatPathOptions{Path: "/no/such"}); !cerrdefs.IsNotFound(err) {
		t.Errorf("stat of a missing path: %v, want not found", err)
	}
	cp, err := cli.CopyFromContainer(ctx, name, client.CopyFromContainerOptions{SourcePath: "/out"})
	if err != nil {
		t.Fatalf("copy from the container: %v", err)
	}
	files := map[string]string{}
	tr := tar.NewReader(cp.Content)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(tr)
		files[h.Name] = string(b)
	}
	cp.Content.Close()
	if files["out/f.txt"] != "sdk-file\n" || !cp.Stat.Mode.IsDir() {
		t.Errorf("the archive of /out: %q, stat %+v", files, cp.Stat)
	}

	stats, err := cli.ContainerStats(ctx, name, client.ContainerStatsOptions{Stream: false})
	if err != nil {
		t.Fatalf("one stats sample: %v", err)
	}
	var sample container.StatsResponse
	err = json.NewDecoder(stats.Body).Decode(&sample)
	rest, _ := io.ReadAll(stats.Body)
	stats.Body.Close()
	if err != nil || !strings.HasSuffix(sample.Name, name) || sample.MemoryStats.Limit == 0 || strings.TrimSpace(string(rest)) != "" {
		t.Errorf("one stats sample: %+v, %v, then %q", sample, err, rest)
	}

	if _, err := cli.ContainerUpdate(ctx, name, client.ContainerUpdateOptions{
		RestartPolicy: &container.RestartPolicy{Name: container.RestartPolicyOnFailure, MaximumRetryCount: 2},
	}); err != nil {
		t.Errorf("update of the restart policy: %v", err)
	}
	insp, err := cli.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	if err != nil || insp.Container.HostConfig.RestartPolicy.Name != container.RestartPolicyOnFailure || insp.Container.HostConfig.RestartPolicy.MaximumRetryCount != 2 {
		t.Errorf("the restart policy after update: %+v, %v", insp.Container.HostConfig.RestartPolicy, err)
	}

	// burrow's default network is a user-mode one of the container's own:
	// joining it to another is refused, naming what to create instead.
	netName := "net-" + randHex()[:8]
	if r := burrow(t, "network", "create", netName); r.ExitCode != 0 {
		t.Fatalf("network create: %s", describe(r))
	}
	t.Cleanup(func() { burrow(t, "network", "rm", "-f", netName) })
	if _, err := cli.NetworkConnect(ctx, netName, client.NetworkConnectOptions{Container: name}); !cerrdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), "NetworkMode") {
		t.Errorf("connecting a container on the default network: %v; want a 400 naming NetworkMode", err)
	}

	next := cli.ContainerWait(ctx, name, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	removed := cli.ContainerWait(ctx, name, client.ContainerWaitOptions{Condition: container.WaitConditionRemoved})
	time.Sleep(300 * time.Millisecond)
	if _, err := cli.ContainerStop(ctx, name, client.ContainerStopOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case res := <-next.Result:
		if res.StatusCode != 137 {
			t.Errorf("next-exit: %d, want 137 (SIGKILL)", res.StatusCode)
		}
	case err := <-next.Error:
		t.Errorf("next-exit: %v", err)
	case <-time.After(30 * time.Second):
		t.Errorf("next-exit never answered")
	}
	if _, err := cli.ContainerRemove(ctx, name, client.ContainerRemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-removed.Result:
	case err := <-removed.Error:
		t.Errorf("removed: %v", err)
	case <-time.After(30 * time.Second):
		t.Errorf("removed never answered")
	}

	hist, err := cli.ImageHistory(ctx, img)
	if err != nil || len(hist.Items) == 0 || !strings.HasPrefix(hist.Items[0].ID, "sha256:") {
		t.Errorf("history of %s: %+v, %v", img, hist.Items, err)
	}
	saved, err := cli.ImageSave(ctx, []string{img})
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	manifest := ""
	tr = tar.NewReader(saved)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if h.Name == "manifest.json" {
			b, _ := io.ReadAll(tr)
			manifest = string(b)
		}
	}
	saved.Close()
	if !strings.Contains(manifest, "RepoTags") {
		t.Errorf("the saved archive's manifest.json: %q", manifest)
	}
}
