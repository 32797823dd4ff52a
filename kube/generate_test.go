package kube

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
)

// played is what the engine would hold after kube play of the plan's
// first pod: its containers as created (requests merged, subPaths made
// bind mounts of the volume at mountpoint), in a pod with an infra.
func played(t *testing.T, plan *Plan, mountpoint string) PodSource {
	t.Helper()
	p := plan.Pods[0]
	pod := &engine.Pod{PodRecord: engine.PodRecord{ID: strings.Repeat("a", 64), Name: p.Name, Labels: p.Options.Labels,
		Hostname: p.Options.Hostname, Share: p.Options.Share, InfraID: strings.Repeat("b", 64)}}
	infra := &engine.Container{Record: engine.Record{ID: pod.InfraID, Name: "infra", Config: p.Options.Net}}
	infra.Config.PodInfra = engine.InfraBuiltin
	src := PodSource{Pod: pod, Infra: infra, Meta: engine.KubeMeta{Annotations: p.Annotations},
		Files: map[string]map[string][]byte{}, Mountpoints: map[string]string{}}
	for _, f := range p.Files {
		src.Meta.Volumes = append(src.Meta.Volumes, f.Origin)
		src.Files[f.Name] = f.Files
		src.Mountpoints[f.Name] = mountpoint
	}
	for i, c := range p.Containers {
		cfg := c.Config
		cfg.Limits.MemoryReservation, cfg.Limits.CPUShares = c.Requests.MemoryReservation, c.Requests.CPUShares
		for _, sp := range c.SubPaths {
			m := engine.MountSpec{Type: "bind", Source: mountpoint + "/" + sp.SubPath, Destination: sp.Destination}
			if sp.ReadOnly {
				m.Options = []string{"ro"}
			}
			cfg.Mounts = append(cfg.Mounts, m)
		}
		ctr := &engine.Container{Record: engine.Record{ID: strings.Repeat("c", 63) + string(rune('0'+i)), Name: cfg.Name, Image: cfg.Image, ImageID: "img", Config: cfg}}
		pod.Containers = append(pod.Containers, ctr)
		src.Members = append(src.Members, ContainerSource{Ctr: ctr, UID: 1000, GID: 2000,
			Env: append([]string{"PATH=/bin", "HOME=/root"}, cfg.Env...), Image: ImageInfo{Env: []string{"PATH=/bin"}, Cmd: []string{"sh"}}})
	}
	return src
}

// TestGenerateRoundTrip: YAML played, generated again and played again
// gives the same containers; the generated YAML decodes strictly with no
// field burrow ignores.
func TestGenerateRoundTrip(t *testing.T) {
	first := translate(t, deployment)
	src := played(t, first, "/vols/cfg/_data")
	objs, warnings, err := GeneratePod(src, GenerateOptions{Service: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
	y, err := Marshal("test", objs)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := Decode("gen.yaml", y)
	if err != nil {
		t.Fatalf("the generated YAML does not decode strictly: %v\n%s", err, y)
	}
	var kinds []string
	for _, d := range docs {
		kinds = append(kinds, d.Kind)
		if f := ignoredFields(d); len(f) > 0 {
			t.Errorf("%s: generated fields burrow would ignore: %v", d, f)
		}
	}
	if strings.Join(kinds, ",") != "ConfigMap,Pod,Service" {
		t.Errorf("kinds: %v\n%s", kinds, y)
	}
	second, err := Translate(docs, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	a, b := first.Pods[0], second.Pods[0]
	if a.Name != b.Name || !reflect.DeepEqual(a.Options.Net, b.Options.Net) || !reflect.DeepEqual(a.Options.Labels, b.Options.Labels) ||
		a.Options.Hostname != b.Options.Hostname || !reflect.DeepEqual(a.Files, b.Files) {
		t.Errorf("pods differ:\n%+v\n%+v", a, b)
	}
	for k, v := range a.Annotations {
		if b.Annotations[k] != v {
			t.Errorf("annotation %s: %q, want %q", k, b.Annotations[k], v)
		}
	}
	ca, cb := a.Containers[0], b.Containers[0]
	capsA, _ := engine.Capabilities(&ca.Config)
	capsB, _ := engine.Capabilities(&cb.Config)
	if !slices.Equal(capsA, capsB) {
		t.Errorf("capabilities %v, want %v", capsB, capsA)
	}
	ca.Config.CapAdd, ca.Config.CapDrop, cb.Config.CapAdd, cb.Config.CapDrop = nil, nil, nil, nil
	if !reflect.DeepEqual(ca, cb) {
		t.Errorf("containers differ:\n%+v\n%+v\n%s", ca, cb, y)
	}
}

func TestGenerateContainer(t *testing.T) {
	entry := "/bin/sh"
	timeout := uint(10)
	ctr := &engine.Container{Record: engine.Record{ID: strings.Repeat("d", 64), Name: "my_web", Image: "docker.io/library/nginx:1",
		Config: engine.Config{
			Entrypoint: &entry, Command: []string{"-c", "echo $(HOME) $$"}, Env: []string{"FROM_IMAGE=same", "MINE=1", "HOSTVAR"},
			Ports:  []engine.PortMapping{{HostPort: 31000, ContainerPort: 80, Protocol: "tcp"}, {HostIP: "0.0.0.0", HostPort: 5353, ContainerPort: 53, Protocol: "udp"}},
			Mounts: []engine.MountSpec{{Type: "bind", Source: "/", Destination: "/host", Options: []string{"ro"}}, {Type: "volume", Source: "vol_1", Destination: "/v"}, {Type: "volume", Source: "0123abcd", Destination: "/image-vol", Anonymous: true}, {Type: "tmpfs", Destination: "/tmp", Options: []string{"size=64m"}}},
			Limits: limits.Limits{Memory: 1 << 30, CPUQuota: 150000, PidsLimit: 100},
			CapAdd: []string{"SYS_PTRACE"}, CapDrop: []string{"CAP_CHOWN"}, User: "nobody", Restart: "on-failure", RestartMax: 3,
			Workdir: "/srv", StopTimeout: &timeout, Labels: map[string]string{"tier": "web", "bad label": "x"}, UserNS: "keep-id",
			Network: engine.NetworkHost, AddHosts: []string{"db:10.1.1.1"},
		}}}
	src := PodSource{Members: []ContainerSource{{Ctr: ctr, UID: 65534, GID: 65534, Env: []string{"FROM_IMAGE=same", "MINE=1", "HOSTVAR=fromhost"},
		Image: ImageInfo{Env: []string{"FROM_IMAGE=same"}, Volumes: []string{"/image-vol"}, WorkingDir: "/"}}}}
	objs, warnings, err := GeneratePod(src, GenerateOptions{Service: true})
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(warnings, "\n")
	for _, want := range []string{"--pids-limit", "--userns", "on-failure:3", "bad label"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings do not name %s:\n%s", want, w)
		}
	}
	pod := objs[0].(withoutStatus).pod
	if pod.Name != "myweb-pod" || pod.Labels["app"] != "myweb-pod" || pod.Labels["tier"] != "web" || !pod.Spec.HostNetwork ||
		pod.Spec.RestartPolicy != corev1.RestartPolicyOnFailure || *pod.Spec.TerminationGracePeriodSeconds != 10 ||
		len(pod.Spec.HostAliases) != 1 || pod.Spec.HostAliases[0].IP != "10.1.1.1" {
		t.Errorf("pod: %+v", pod)
	}
	c := pod.Spec.Containers[0]
	if c.Name != "myweb" || strings.Join(c.Command, "|") != "/bin/sh|-c|echo $$(HOME) $$$" || c.Args != nil || c.WorkingDir != "/srv" {
		t.Errorf("container: %+v", c)
	}
	if !reflect.DeepEqual(c.Env, []corev1.EnvVar{{Name: "MINE", Value: "1"}, {Name: "HOSTVAR", Value: "fromhost"}}) {
		t.Errorf("env: %+v", c.Env)
	}
	if len(c.Ports) != 2 || c.Ports[0].Protocol != "" || c.Ports[1].Protocol != corev1.ProtocolUDP || c.Ports[1].HostIP != "" {
		t.Errorf("ports: %+v", c.Ports)
	}
	if c.Resources.Limits.Memory().String() != "1Gi" || c.Resources.Limits.Cpu().String() != "1500m" {
		t.Errorf("resources: %+v", c.Resources)
	}
	sc := c.SecurityContext
	if *sc.RunAsUser != 65534 || *sc.RunAsGroup != 65534 || fmtCaps(sc.Capabilities.Drop) != "CAP_CHOWN,CAP_MKNOD,CAP_NET_RAW,CAP_AUDIT_WRITE" || fmtCaps(sc.Capabilities.Add) != "CAP_SYS_PTRACE" {
		t.Errorf("securityContext: %+v %+v", sc, sc.Capabilities)
	}
	var mounts []string
	for _, m := range c.VolumeMounts {
		mounts = append(mounts, m.Name+":"+m.MountPath)
	}
	if strings.Join(mounts, " ") != "root-host:/host vol1-pvc:/v tmp-tmpfs:/tmp" {
		t.Errorf("mounts: %v", mounts)
	}
	svc := objs[1].(*corev1.Service)
	if len(svc.Spec.Ports) != 2 || svc.Spec.Ports[0].NodePort != 31000 || svc.Spec.Ports[1].NodePort != 0 || svc.Spec.Ports[1].Name != "udp-53" || svc.Spec.Selector["app"] != "myweb-pod" {
		t.Errorf("service: %+v", svc.Spec)
	}
	y, err := Marshal("test", objs)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(y), "status") && strings.Contains(string(y), "kind: Pod\n") && strings.Index(string(y), "status") < strings.Index(string(y), "kind: Service") {
		t.Errorf("a container's Pod has a status:\n%s", y)
	}
	if _, err := Decode("gen.yaml", y); err != nil {
		t.Errorf("the generated YAML does not decode strictly: %v\n%s", err, y)
	}
}

func fmtCaps(c []corev1.Capability) string {
	var s []string
	for _, x := range c {
		s = append(s, string(x))
	}
	return strings.Join(s, ",")
}

func TestGenerateCommandArgs(t *testing.T) {
	empty, sh := "", "sh"
	img := ImageInfo{Entrypoint: []string{"/entry"}, Cmd: []string{"serve"}}
	noEntry := ImageInfo{Cmd: []string{"sh"}}
	for _, tc := range []struct {
		name          string
		cfg           engine.Config
		img           ImageInfo
		command, args string
	}{
		{"the image's own", engine.Config{}, img, "", ""},
		{"the image's cmd given again", engine.Config{Command: []string{"serve"}}, img, "", ""},
		{"args to the image's entrypoint", engine.Config{Command: []string{"debug"}}, img, "", "debug"},
		{"a command of an image without entrypoint", engine.Config{Command: []string{"top"}}, noEntry, "top", ""},
		{"an entrypoint", engine.Config{Entrypoint: &sh, Command: []string{"-c", "x"}}, img, "sh -c x", ""},
		{"an entrypoint alone drops the image's cmd", engine.Config{Entrypoint: &sh}, img, "sh", ""},
		{"a cleared entrypoint", engine.Config{Entrypoint: &empty, Command: []string{"ls", "/"}}, img, "ls /", ""},
	} {
		c, a := commandArgs(tc.cfg, tc.img)
		if strings.Join(c, " ") != tc.command || strings.Join(a, " ") != tc.args {
			t.Errorf("%s: command %q args %q, want %q %q", tc.name, c, a, tc.command, tc.args)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	pod := &engine.Pod{PodRecord: engine.PodRecord{Name: "lonely", Created: time.Now()}}
	if _, _, err := GeneratePod(PodSource{Pod: pod}, GenerateOptions{}); err == nil || !strings.Contains(err.Error(), "pod lonely only has an infra container") {
		t.Errorf("a pod without containers: %v", err)
	}
	ctr := &engine.Container{Record: engine.Record{Name: "c", Image: "busybox"}}
	src := PodSource{Members: []ContainerSource{{Ctr: ctr}}}
	if _, _, err := GeneratePod(src, GenerateOptions{Service: true}); err == nil || !strings.Contains(err.Error(), "publishes no port") {
		t.Errorf("--service without ports: %v", err)
	}
	if _, _, err := GeneratePod(src, GenerateOptions{Type: "job"}); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("--type job: %v", err)
	}
	objs, _, err := GeneratePod(src, GenerateOptions{Type: "deployment"})
	if err != nil {
		t.Fatal(err)
	}
	y, _ := Marshal("test", objs)
	docs, err := Decode("d.yaml", y)
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	plan, err := Translate(docs, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	if plan.Pods[0].Name != "c-pod" || plan.Pods[0].Containers[0].Config.Restart != "always" {
		t.Errorf("a Deployment of container c plays as %+v", plan.Pods[0])
	}
}

// TestGenerateAsPodman: the fields podman 4.3's own tests check (its
// test/system/710-kube.bats), for a container and for a pod of two:
// names keep their capitals and lose underscores, per-container
// annotations keyed by them, capabilities dropped with podman's names.
func TestGenerateAsPodman(t *testing.T) {
	ctr := func(id byte, name, cmd string) ContainerSource {
		return ContainerSource{Ctr: &engine.Container{Record: engine.Record{ID: strings.Repeat(string(id), 64), Name: name,
			Image: "quay.io/libpod/testimage:20220615", ImageID: "img", Config: engine.Config{Command: []string{cmd}}}}}
	}
	objs, warnings, err := GeneratePod(PodSource{Members: []ContainerSource{ctr('a', "cMixed_Case", "top")}}, GenerateOptions{})
	if err != nil || len(warnings) > 0 {
		t.Fatalf("%v %q", err, warnings)
	}
	y, err := Marshal("test", objs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"apiVersion": "v1", "kind": "Pod",
		`metadata.annotations["io.kubernetes.cri-o.TTY/cMixedCase"]`:           "false",
		`metadata.annotations["io.podman.annotations.autoremove/cMixedCase"]`:  "FALSE",
		`metadata.annotations["io.podman.annotations.init/cMixedCase"]`:        "FALSE",
		`metadata.annotations["io.podman.annotations.privileged/cMixedCase"]`:  "FALSE",
		`metadata.annotations["io.podman.annotations.publish-all/cMixedCase"]`: "FALSE",
		"metadata.labels.app": "cMixedCase-pod", "metadata.name": "cMixedCase-pod",
		"spec.automountServiceAccountToken": "false", "spec.enableServiceLinks": "false",
		"spec.containers[0].command": `["top"]`, "spec.containers[0].image": "quay.io/libpod/testimage:20220615",
		"spec.containers[0].name":                         "cMixedCase",
		"spec.containers[0].securityContext.capabilities": `{"drop":["CAP_MKNOD","CAP_NET_RAW","CAP_AUDIT_WRITE"]}`,
		"spec.containers[0].resources":                    "null", "status": "null",
	}
	checkFields(t, y, want)
	if !strings.Contains(string(y), "creationTimestamp: \"20") {
		t.Errorf("no creationTimestamp:\n%s", y)
	}

	pod := &engine.Pod{PodRecord: engine.PodRecord{ID: strings.Repeat("e", 64), Name: "pMixed_Pod", InfraID: strings.Repeat("f", 64)}}
	infra := &engine.Container{Record: engine.Record{ID: pod.InfraID, Config: engine.Config{Ports: []engine.PortMapping{{HostPort: 9999, ContainerPort: 8888, Protocol: "tcp"}}}}}
	src := PodSource{Pod: pod, Infra: infra, Members: []ContainerSource{ctr('1', "c1_One", "top"), ctr('2', "c2Two", "bottom")}}
	if objs, _, err = GeneratePod(src, GenerateOptions{}); err != nil {
		t.Fatal(err)
	}
	if y, err = Marshal("test", objs); err != nil {
		t.Fatal(err)
	}
	want = map[string]string{
		`metadata.annotations["io.kubernetes.cri-o.ContainerType/c1One"]`: "container",
		`metadata.annotations["io.kubernetes.cri-o.ContainerType/c2Two"]`: "container",
		`metadata.annotations["io.kubernetes.cri-o.SandboxID/c2Two"]`:     strings.Repeat("f", 63),
		`metadata.annotations["io.podman.annotations.init/c1One"]`:        "FALSE",
		"metadata.labels.app": "pMixedPod", "metadata.name": "pMixed_Pod", "spec.hostname": "pMixed_Pod",
		"spec.restartPolicy": "Never", "spec.containers[0].name": "c1One", "spec.containers[1].name": "c2Two",
		"spec.containers[0].ports[0].containerPort": "8888", "spec.containers[0].ports[0].hostPort": "9999",
		"spec.containers[0].resources": "{}", "spec.containers[1].ports": "null", "spec.containers[1].command": `["bottom"]`,
		"status": "{}",
	}
	checkFields(t, y, want)
	// podman's names play back here as they are.
	docs, err := Decode("gen.yaml", y)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Translate(docs, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	if p := plan.Pods[0]; p.Name != "pMixed_Pod" || p.Containers[0].Config.Name != "pMixed_Pod-c1One" {
		t.Errorf("plays as pod %s with container %s", p.Name, p.Containers[0].Config.Name)
	}
}

// checkFields compares fields of the YAML's one document, named by JSON
// paths (as jq's), to their JSON.
func checkFields(t *testing.T, y []byte, want map[string]string) {
	t.Helper()
	j, err := sigsyaml.YAMLToJSON(y)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(j, &doc); err != nil {
		t.Fatal(err)
	}
	for path, v := range want {
		got := jsonPath(doc, path)
		if got != v {
			t.Errorf("%s = %s, want %s", path, got, v)
		}
	}
}

// jsonPath is the value at a path of keys (a.b, a["b.c"]) and list
// indexes (a[0]): a string as it is, anything else as JSON.
func jsonPath(v any, path string) string {
	for path != "" {
		var key string
		switch {
		case strings.HasPrefix(path, "["):
			end := strings.Index(path, "]")
			key, path = path[1:end], path[end+1:]
		default:
			path = strings.TrimPrefix(path, ".")
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			key, path = path[:end], path[end:]
		}
		switch x := v.(type) {
		case map[string]any:
			v = x[strings.Trim(key, `"`)]
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i >= len(x) {
				return "null"
			}
			v = x[i]
		default:
			return "null"
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
