package kube

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// translate decodes y and translates it, failing the test on an error.
func translate(t *testing.T, y string, cms ...corev1.ConfigMap) *Plan {
	t.Helper()
	docs, err := Decode("f.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Translate(docs, cms)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const deployment = `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {GREETING: hello, PORT: "8080", app.conf: "x=1\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {PASSWORD: s3cret}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, labels: {tier: db}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {owner: me}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, tier: front}
      annotations: {team: blue}
    spec:
      hostname: webhost
      terminationGracePeriodSeconds: 5
      hostAliases: [{ip: 10.0.0.1, hostnames: [db, db.local]}]
      dnsConfig: {nameservers: [10.0.0.53]}
      securityContext: {runAsUser: 1000}
      initContainers:
      - name: setup
        image: busybox:1.36
        command: [sh, -c, "echo init"]
      containers:
      - name: server
        image: busybox
        command: [httpd, -f]
        args: ["-p", "$(PORT)", "-h", "$$(literal)"]
        workingDir: /srv
        envFrom:
        - configMapRef: {name: cfg}
          prefix: CFG_
        env:
        - {name: PORT, valueFrom: {configMapKeyRef: {name: cfg, key: PORT}}}
        - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: PASSWORD}}}
        - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}}
        - {name: URL, value: "http://localhost:$(PORT)/"}
        - {name: MISSING, valueFrom: {configMapKeyRef: {name: nope, key: x, optional: true}}}
        ports:
        - {containerPort: 8080, hostPort: 18080}
        - {containerPort: 53, hostPort: 1053, protocol: UDP, hostIP: 127.0.0.1}
        - {containerPort: 9090}
        resources:
          limits: {memory: 256Mi, cpu: 500m}
          requests: {memory: 64Mi, cpu: 250m}
        securityContext:
          readOnlyRootFilesystem: true
          allowPrivilegeEscalation: false
          runAsGroup: 2000
          capabilities: {add: [NET_ADMIN], drop: [ALL]}
        volumeMounts:
        - {name: data, mountPath: /data}
        - {name: scratch, mountPath: /scratch}
        - {name: mem, mountPath: /run/mem}
        - {name: host, mountPath: /host, readOnly: true}
        - {name: config, mountPath: /etc/app}
        - {name: config, mountPath: /etc/app.conf, subPath: app.conf}
        tty: true
        stdin: true
      volumes:
      - {name: data, persistentVolumeClaim: {claimName: data}}
      - {name: scratch, emptyDir: {}}
      - {name: mem, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
      - {name: host, hostPath: {path: /srv/www/, type: DirectoryOrCreate}}
      - name: config
        configMap:
          name: cfg
          items: [{key: app.conf, path: conf/app.conf}]
`

func TestTranslateDeployment(t *testing.T) {
	p := translate(t, deployment)
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "asks for 3 replicas: burrow runs one") {
		t.Errorf("warnings: %q", p.Warnings)
	}
	if len(p.Claims) != 1 || p.Claims[0].Name != "data" || p.Claims[0].Labels["tier"] != "db" {
		t.Errorf("claims: %+v", p.Claims)
	}
	if len(p.Pods) != 1 {
		t.Fatalf("pods: %+v", p.Pods)
	}
	pod := p.Pods[0]
	o := pod.Options
	if pod.Name != "web-pod" || o.Name != "web-pod" || o.Hostname != "webhost" || o.ExitPolicy != engine.ExitPolicyStop ||
		strings.Join(o.Share, ",") != "uts,ipc,net" || !reflect.DeepEqual(o.Labels, map[string]string{"app": "web", "tier": "front"}) {
		t.Errorf("pod options: %+v", o)
	}
	if !reflect.DeepEqual(pod.Annotations, map[string]string{"owner": "me", "team": "blue"}) {
		t.Errorf("annotations: %v", pod.Annotations)
	}
	wantPorts := []engine.PortMapping{{HostPort: 18080, ContainerPort: 8080, Protocol: "tcp"}, {HostIP: "127.0.0.1", HostPort: 1053, ContainerPort: 53, Protocol: "udp"}}
	if !reflect.DeepEqual(o.Net.Ports, wantPorts) || strings.Join(o.Net.AddHosts, ",") != "db:10.0.0.1,db.local:10.0.0.1" || strings.Join(o.Net.DNS, ",") != "10.0.0.53" {
		t.Errorf("pod network: %+v", o.Net)
	}
	if len(pod.InitContainers) != 1 || len(pod.Containers) != 1 {
		t.Fatalf("containers: %+v %+v", pod.InitContainers, pod.Containers)
	}
	init := pod.InitContainers[0].Config
	if init.Name != "web-pod-setup" || init.Restart != "no" || *init.Entrypoint != "sh" || strings.Join(init.Command, " ") != "-c echo init" || pod.InitContainers[0].Pull != "missing" {
		t.Errorf("init container: %+v", init)
	}
	c := pod.Containers[0]
	cfg := c.Config
	if cfg.Name != "web-pod-server" || cfg.Image != "busybox" || c.Pull != "newer" || cfg.Restart != "always" || *cfg.StopTimeout != 5 ||
		cfg.Workdir != "/srv" || !cfg.TTY || !cfg.Interactive || cfg.Labels["tier"] != "front" {
		t.Errorf("container: %+v", cfg)
	}
	if *cfg.Entrypoint != "httpd" || strings.Join(cfg.Command, " ") != "-f -p 8080 -h $(literal)" {
		t.Errorf("entrypoint %q, command %q", *cfg.Entrypoint, cfg.Command)
	}
	wantEnv := []string{"CFG_GREETING=hello", "CFG_PORT=8080", "CFG_app.conf=x=1\n", "PORT=8080", "PASSWORD=s3cret", "POD=web-pod", "TIER=front", "URL=http://localhost:8080/"}
	if !reflect.DeepEqual(cfg.Env, wantEnv) {
		t.Errorf("env: %q\nwant %q", cfg.Env, wantEnv)
	}
	if cfg.Limits.Memory != 256<<20 || cfg.Limits.CPUs != 0.5 || c.Requests.MemoryReservation != 64<<20 || c.Requests.CPUShares != 256 {
		t.Errorf("limits %+v, requests %+v", cfg.Limits, c.Requests)
	}
	if !cfg.ReadOnly || !cfg.NoNewPrivileges || cfg.User != "1000:2000" || strings.Join(cfg.CapAdd, ",") != "CAP_NET_ADMIN" || strings.Join(cfg.CapDrop, ",") != "ALL" {
		t.Errorf("security: %+v", cfg)
	}
	wantMounts := []engine.MountSpec{
		{Type: "volume", Source: "data", Destination: "/data"},
		{Type: "volume", Source: "web-pod-scratch", Destination: "/scratch", Anonymous: true},
		{Type: "tmpfs", Destination: "/run/mem", Options: []string{"size=67108864"}},
		{Type: "bind", Source: "/srv/www", Destination: "/host", Options: []string{"ro"}},
		{Type: "volume", Source: "cfg", Destination: "/etc/app", Options: []string{"ro"}},
	}
	if !reflect.DeepEqual(cfg.Mounts, wantMounts) {
		t.Errorf("mounts: %+v\nwant %+v", cfg.Mounts, wantMounts)
	}
	if !reflect.DeepEqual(c.SubPaths, []SubPath{{Volume: "cfg", SubPath: "app.conf", Destination: "/etc/app.conf", ReadOnly: true}}) {
		t.Errorf("subPaths: %+v", c.SubPaths)
	}
	if strings.Join(pod.EmptyDirs, ",") != "web-pod-scratch" || len(pod.HostPaths) != 1 || pod.HostPaths[0].Type != corev1.HostPathDirectoryOrCreate {
		t.Errorf("emptyDirs %v, hostPaths %+v", pod.EmptyDirs, pod.HostPaths)
	}
	if len(pod.Files) != 1 || string(pod.Files[0].Files["conf/app.conf"]) != "x=1\n" || len(pod.Files[0].Files) != 1 ||
		pod.Files[0].Modes["conf/app.conf"] != 0o644 || pod.Files[0].Origin.Kind != "ConfigMap" || pod.Files[0].Origin.Volume != "config" {
		t.Errorf("files: %+v", pod.Files)
	}
}

func TestTranslateJob(t *testing.T) {
	job := `apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  backoffLimit: 2
  completions: 4
  template:
    spec:
      restartPolicy: OnFailure
      containers:
      - {name: c, image: busybox:1, args: [echo, hi]}
`
	p := translate(t, job)
	c := p.Pods[0].Containers[0].Config
	if p.Pods[0].Name != "once-pod" || c.Restart != "on-failure" || c.RestartMax != 2 || c.Entrypoint != nil || strings.Join(c.Command, " ") != "echo hi" {
		t.Errorf("job's pod: %+v %+v", p.Pods[0], c)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "4 completions") {
		t.Errorf("warnings: %q", p.Warnings)
	}
}

func TestTranslateConfigMapOption(t *testing.T) {
	pod := `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: busybox
    envFrom: [{configMapRef: {name: outside}}]
`
	cm := corev1.ConfigMap{Data: map[string]string{"A": "b"}}
	cm.Name = "outside"
	p := translate(t, pod, cm)
	if env := p.Pods[0].Containers[0].Config.Env; strings.Join(env, ",") != "A=b" {
		t.Errorf("env from a --configmap: %q", env)
	}
}

func TestTranslateRefusals(t *testing.T) {
	pod := func(spec string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n" + spec
	}
	c := "  containers:\n  - name: c\n    image: busybox\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"privileged", pod(c + "    securityContext: {privileged: true}\n"), "privileged containers are refused"},
		{"hostPID", pod("  hostPID: true\n" + c), "hostPID is refused"},
		{"hostIPC", pod("  hostIPC: true\n" + c), "hostIPC is refused"},
		{"a missing ConfigMap", pod(c + "    env: [{name: A, valueFrom: {configMapKeyRef: {name: nope, key: k}}}]\n"), `no ConfigMap "nope": add it to the YAML or give it with --configmap`},
		{"a missing Secret", pod(c + "    envFrom: [{secretRef: {name: nope}}]\n"), `no Secret "nope"`},
		{"a missing key", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n---\n" + pod(c+"    env: [{name: A, valueFrom: {configMapKeyRef: {name: cm, key: k}}}]\n"), `has no key "k"`},
		{"an unsupported volume", pod(c + "  volumes: [{name: v, nfs: {server: s, path: /x}}]\n"), "nfs volumes are not supported"},
		{"a device", pod(c + "  volumes: [{name: v, hostPath: {path: /dev/sda, type: BlockDevice}}]\n"), "hostPath devices"},
		{"a subPath of a claim", pod(c + "    volumeMounts: [{name: v, mountPath: /x, subPath: a}]\n  volumes: [{name: v, persistentVolumeClaim: {claimName: d}}]\n"), "subPath of a persistentVolumeClaim volume"},
		{"a subPath that leaves the volume", pod(c + "    volumeMounts: [{name: v, mountPath: /x, subPath: ../../etc}]\n  volumes: [{name: v, hostPath: {path: /srv}}]\n"), "with no .. in it"},
		{"an item path that leaves the volume", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {k: v}\n---\n" + pod(c+"  volumes: [{name: v, configMap: {name: cm, items: [{key: k, path: ../x}]}}]\n"), "with no .. in it"},
		{"a mount of no volume", pod(c + "    volumeMounts: [{name: v, mountPath: /x}]\n"), `no volume "v"`},
		{"a bad container name", pod("  containers:\n  - name: web/1\n    image: busybox\n"), `invalid container name "web/1"`},
		{"a duplicate container name", pod(c + "  - name: c\n    image: busybox\n"), `"c" is given twice`},
		{"no image", pod("  containers:\n  - name: c\n"), "no image"},
		{"no containers", pod("  restartPolicy: Never\n"), "no containers"},
		{"no name", "apiVersion: v1\nkind: Pod\nspec:\n" + c, "has no metadata.name"},
		{"sctp", pod(c + "    ports: [{containerPort: 1, hostPort: 1, protocol: SCTP}]\n"), "tcp and udp only"},
		{"a port twice", pod(c + "    ports: [{containerPort: 1, hostPort: 1}, {containerPort: 2, hostPort: 1}]\n"), "given twice"},
		{"requests over limits", pod(c + "    resources: {limits: {memory: 1Mi}, requests: {memory: 2Mi}}\n"), "more than resources.limits.memory"},
		{"gpus", pod(c + "    resources: {limits: {nvidia.com/gpu: 1}}\n"), "limits.nvidia.com/gpu is not supported"},
		{"runAsNonRoot with root", pod(c + "    securityContext: {runAsNonRoot: true, runAsUser: 0}\n"), "contradict"},
		{"a downward API field burrow cannot know", pod(c + "    env: [{name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]\n"), `fieldRef "status.podIP" is not supported`},
		{"a Job that restarts Always", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: busybox}]\n", "restartPolicy must be Never or OnFailure"},
		{"a selector that selects nothing", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: other}}\n    spec:\n      containers: [{name: c, image: busybox}]\n", "do not match"},
		{"only a ConfigMap", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n", "nothing to run"},
		{"two pods of one name", pod(c) + "---\n" + pod(c), `both make pod "p"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := Decode("f.yaml", []byte(tc.yaml))
			if err == nil {
				_, err = Translate(docs, nil)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errdefs.Is(err, errdefs.ClassInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q (class %v), want invalid and %q", err, errdefs.ClassOf(err), tc.want)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	vars := func(k string) (string, bool) {
		v, ok := map[string]string{"A": "x", "B": "$(A)"}[k]
		return v, ok
	}
	for in, want := range map[string]string{
		"$(A)": "x", "a$(A)b$(A)": "axbx", "$(C)": "$(C)", "$$(A)": "$(A)", "$$$(A)": "$x", "$A": "$A",
		"$(B)": "$(A)", "$(A": "$(A", "$": "$", "cost $5": "cost $5",
	} {
		if got := expand(in, vars); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
	for _, s := range []string{"$(A)", "$$", "a $(x) $$(y) $z $", "echo $HOME"} {
		if got := expand(escape(s), vars); got != s {
			t.Errorf("expand(escape(%q)) = %q", s, got)
		}
	}
}

// TestTranslatePodmanAnnotations: the per-container annotations of
// podman's YAML say --rm and --init, as podman's kube play reads them.
func TestTranslatePodmanAnnotations(t *testing.T) {
	yaml := func(policy, init string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n" +
			"    io.podman.annotations.autoremove/Web: \"TRUE\"\n    io.podman.annotations.init/Web: \"" + init + "\"\n" +
			"    io.podman.annotations.init/other: \"TRUE\"\n" +
			"spec:\n  restartPolicy: " + policy + "\n  containers:\n  - name: Web\n    image: busybox\n  - name: side\n    image: busybox\n"
	}
	p := translate(t, yaml("Never", "TRUE"))
	web, side := p.Pods[0].Containers[0].Config, p.Pods[0].Containers[1].Config
	if web.Name != "p-Web" || !web.Remove || !web.Init || side.Remove || side.Init {
		t.Errorf("Web: --rm %v --init %v; side: --rm %v --init %v", web.Remove, web.Init, side.Remove, side.Init)
	}
	for _, tc := range []struct{ policy, init, want string }{
		{"Never", "maybe", `"maybe" is not a boolean`},
		{"Always", "FALSE", "conflicts with the restart policy always"},
	} {
		docs, err := Decode("f.yaml", []byte(yaml(tc.policy, tc.init)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Translate(docs, nil); !errdefs.Is(err, errdefs.ClassInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("restartPolicy %s, init %s: %v, want %q", tc.policy, tc.init, err, tc.want)
		}
	}
}
