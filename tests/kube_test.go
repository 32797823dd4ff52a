package tests

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Kubernetes YAML both ways: kube play, kube down, kube generate. Pods are
// named after the test (ctrName) and taken down when it ends.

// writeYAML writes a YAML file in a directory of the test's and takes
// what it makes down (with its volumes) when the test ends.
func writeYAML(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kube.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { burrow(t, "kube", "down", "--force", p) })
	return p
}

// playReport is what kube play printed: its volumes, pods and containers.
var playReport = regexp.MustCompile(`(Volumes:\n(?:[^\n]+\n)+)?Pod:\n([0-9a-f]{64})\nContainers?:\n((?:[0-9a-f]{64}\n)+)\n$`)

// play runs kube play and returns the pod's ID.
func play(t *testing.T, args ...string) string {
	t.Helper()
	r := burrow(t, append([]string{"kube", "play", "--tls-verify=false"}, args...)...)
	m := playReport.FindStringSubmatch(r.Stdout)
	if r.ExitCode != 0 || m == nil {
		t.Fatalf("kube play %v: want exit 0 and podman's report, got:\n%s", args, describe(r))
	}
	return m[2]
}

func TestKubePlayDeployment(t *testing.T) {
	t.Parallel()
	name, claim := ctrName(t), ctrName(t)
	port := freePort(t, "tcp")
	yaml := fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: %[1]s-config
data:
  GREETING: hello from a ConfigMap
  site.conf: "listen=8080\n"
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: %[2]s
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
spec:
  replicas: 1
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata:
      labels: {app: %[1]s, tier: web}
      annotations: {team: blue}
    spec:
      initContainers:
      - name: setup
        image: %[3]s
        imagePullPolicy: IfNotPresent
        command: [sh, -c, "echo init > /www/index.html; chmod 666 /www/index.html; chmod 777 /data"]
        volumeMounts: [{name: www, mountPath: /www}, {name: data, mountPath: /data}]
      containers:
      - name: server
        image: %[3]s
        imagePullPolicy: IfNotPresent
        command: [sh, -c]
        args:
        - echo "$(GREETING) as $(id -u) in $PWD" >> /www/index.html; cat /etc/site/site.conf >> /www/index.html; date > /data/stamp; exec httpd -f -p 8080 -h /www
        workingDir: /tmp
        env:
        - name: GREETING
          valueFrom: {configMapKeyRef: {name: %[1]s-config, key: GREETING}}
        ports:
        - {containerPort: 8080, hostPort: %[4]d, hostIP: 127.0.0.1}
        securityContext: {runAsUser: 1000, readOnlyRootFilesystem: true}
        volumeMounts:
        - {name: www, mountPath: /www}
        - {name: data, mountPath: /data}
        - {name: site, mountPath: /etc/site}
      volumes:
      - {name: www, emptyDir: {}}
      - {name: data, persistentVolumeClaim: {claimName: %[2]s}}
      - {name: site, configMap: {name: %[1]s-config, items: [{key: site.conf, path: site.conf}]}}
`, name, claim, busyboxImage(t), port)
	file := writeYAML(t, yaml)
	r := burrow(t, "kube", "play", file)
	m := playReport.FindStringSubmatch(r.Stdout)
	if r.ExitCode != 0 || m == nil || !strings.HasPrefix(r.Stdout, "Volumes:\n"+claim+"\nPod:\n") || strings.Count(m[3], "\n") != 1 {
		t.Fatalf("kube play: want the claim's volume, the pod and its one container:\n%s", describe(r))
	}
	podID := m[2]
	got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port))
	if got != "init\nhello from a ConfigMap as 1000 in /tmp\nlisten=8080\n" {
		t.Errorf("the page the pod serves on its hostPort: %q", got)
	}
	pod := name + "-pod"
	p := inspectPod(t, pod)
	if p.ID != podID || p.State != "Running" || p.Labels["tier"] != "web" || p.ExitPolicy != "stop" || len(p.Containers) != 2 {
		t.Errorf("pod inspect: %+v", p)
	}
	if got := inspectField(t, pod+"-server", "{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}"); got != "1000 true" {
		t.Errorf("the container's user and read-only root: %q", got)
	}
	// The claim is a named volume the container wrote to.
	if out := mustRun(t, busyboxImage(t), []string{"-v", claim + ":/d"}, "cat", "/d/stamp"); strings.TrimSpace(out) == "" {
		t.Errorf("the claim's volume holds no stamp")
	}
	r = burrow(t, "kube", "down", file)
	if r.ExitCode != 0 || r.Stdout != "Pods stopped:\n"+podID+"\nPods removed:\n"+podID+"\nVolumes removed:\n"+pod+"-www\n" {
		t.Errorf("kube down:\n%s", describe(r))
	}
	if r := burrow(t, "pod", "exists", pod); r.ExitCode != 1 {
		t.Errorf("the pod is still there after kube down: %s", describe(r))
	}
	if r := burrow(t, "volume", "inspect", claim); r.ExitCode != 0 {
		t.Errorf("kube down without --force removed the claim's volume: %s", describe(r))
	}
	r = burrow(t, "kube", "down", "--force", file)
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, "Volumes removed:\n") || !strings.Contains(r.Stdout, claim+"\n") {
		t.Errorf("kube down --force:\n%s", describe(r))
	}
	if r := burrow(t, "volume", "inspect", claim); r.ExitCode == 0 {
		t.Errorf("kube down --force left the claim's volume")
	}
}

// A Job runs its pod once: a Secret's keys in its environment and as
// files of a mode the YAML gives, its output on a hostPath, its
// capabilities as securityContext says; then the pod has exited.
func TestKubePlayJobWithSecretAndHostPath(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	out := t.TempDir()
	made := filepath.Join(out, "made", "here")
	yaml := fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata: {name: %[1]s-creds}
type: Opaque
data:
  password: czNjcmV0
stringData:
  user: admin
---
apiVersion: batch/v1
kind: Job
metadata: {name: %[1]s}
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: task
        image: %[2]s
        imagePullPolicy: IfNotPresent
        command: [sh, -c]
        args:
        - |
          echo "$S_user:$PASSWORD" > /out/result
          cat /creds/user >> /out/result; echo >> /out/result
          stat -c %%a /creds/password >> /out/result
          grep CapEff /proc/self/status >> /out/result
          touch /made/stamp
        env:
        - name: PASSWORD
          valueFrom: {secretKeyRef: {name: %[1]s-creds, key: password}}
        envFrom: [{secretRef: {name: %[1]s-creds}, prefix: S_}]
        securityContext:
          capabilities: {drop: [ALL], add: [CHOWN]}
        volumeMounts:
        - {name: out, mountPath: /out}
        - {name: made, mountPath: /made}
        - {name: creds, mountPath: /creds}
      volumes:
      - {name: out, hostPath: {path: %[3]s, type: Directory}}
      - {name: made, hostPath: {path: %[4]s, type: DirectoryOrCreate}}
      - {name: creds, secret: {secretName: %[1]s-creds, defaultMode: 0400}}
`, name, busyboxImage(t), out, made)
	file := writeYAML(t, yaml)
	play(t, file)
	pod := name + "-pod"
	waitPodState(t, pod, "Exited")
	if got := inspectField(t, pod+"-task", "{{.State.ExitCode}}"); got != "0" {
		t.Errorf("the Job's container exited with %s", got)
	}
	got, err := os.ReadFile(filepath.Join(out, "result"))
	if err != nil {
		t.Fatalf("the Job wrote nothing on its hostPath: %v", err)
	}
	if want := "admin:s3cret\nadmin\n400\nCapEff:\t0000000000000001\n"; string(got) != want {
		t.Errorf("what the Job wrote: %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(made, "stamp")); err != nil {
		t.Errorf("the DirectoryOrCreate hostPath: %v", err)
	}
	r := burrow(t, "kube", "down", "--force", file)
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, "Volumes removed:\n"+name+"-creds\n") {
		t.Errorf("kube down --force of the Job:\n%s", describe(r))
	}
	if r := burrow(t, "pod", "exists", pod); r.ExitCode != 1 {
		t.Errorf("the Job's pod is there after kube down: %s", describe(r))
	}
}

// What burrow runs differently from a cluster is said, not dropped: more
// replicas than one, a Service, a field of the API burrow has no use for.
// A DaemonSet is a pod of its own, as a Deployment is.
func TestKubePlaySaysWhatItDoesNotDo(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	tmpl := func(kind, extra string) string {
		return fmt.Sprintf(`apiVersion: apps/v1
kind: %[1]s
metadata: {name: %[2]s-%[3]s}
spec:
%[5]s  selector: {matchLabels: {app: %[2]s-%[3]s}}
  template:
    metadata: {labels: {app: %[2]s-%[3]s}}
    spec:
      containers:
      - name: c
        image: %[4]s
        imagePullPolicy: IfNotPresent
        command: [sleep, "1000"]
        livenessProbe: {exec: {command: ["true"]}}
`, kind, name, strings.ToLower(kind), busyboxImage(t), extra)
	}
	file := writeYAML(t, tmpl("Deployment", "  replicas: 3\n")+"---\n"+tmpl("DaemonSet", "")+
		fmt.Sprintf("---\napiVersion: v1\nkind: Service\nmetadata: {name: %s}\nspec: {ports: [{port: 80}]}\n", name))
	r := burrow(t, "kube", "play", file)
	if r.ExitCode != 0 || strings.Count(r.Stdout, "Pod:\n") != 2 {
		t.Fatalf("kube play of a Deployment and a DaemonSet:\n%s", describe(r))
	}
	for _, want := range []string{"asks for 3 replicas: burrow runs one", "burrow does not make Services", "livenessProbe"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("kube play does not warn %q:\n%s", want, r.Stderr)
		}
	}
	for _, pod := range []string{name + "-deployment-pod", name + "-daemonset-pod"} {
		if p := inspectPod(t, pod); p.State != "Running" || len(p.Containers) != 2 {
			t.Errorf("pod %s: %+v", pod, p)
		}
	}
}

func TestKubeGenerateRoundTrip(t *testing.T) {
	t.Parallel()
	port := freePort(t, "tcp")
	pod, _ := createPod(t, "-p", fmt.Sprintf("127.0.0.1:%d:8080", port), "--label", "tier=web")
	vol := ctrName(t)
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", vol) })
	host := t.TempDir()
	if err := os.WriteFile(filepath.Join(host, "index.html"), []byte("from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	web := ctrName(t)
	runDetached(t, web, []string{"--pod", pod, "-e", "MODE=round trip", "-v", vol + ":/data", "-v", host + ":/www:ro",
		"--restart", "always", "-w", "/www", "--cap-drop", "NET_RAW", "--init"},
		"sh", "-c", "echo $MODE > /data/mode; exec httpd -f -p 8080 -h /www")
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); got != "from the host\n" {
		t.Fatalf("the pod before: %q", got)
	}
	r := burrow(t, "kube", "generate", pod)
	if r.ExitCode != 0 {
		t.Fatalf("kube generate:\n%s", describe(r))
	}
	first := r.Stdout
	for _, want := range []string{"kind: Pod\n", "  name: " + pod + "\n", "    tier: web\n", "    - name: MODE\n      value: round trip\n",
		"    - containerPort: 8080\n      hostIP: 127.0.0.1\n      hostPort: " + fmt.Sprint(port) + "\n", "claimName: " + vol + "\n",
		"      path: " + host + "\n", "  restartPolicy: Always\n", "        - CAP_NET_RAW\n", "io.podman.annotations.init/" + web + `: "TRUE"`} {
		if !strings.Contains(first, want) {
			t.Errorf("kube generate does not say %q:\n%s", want, first)
		}
	}
	file := writeYAML(t, first)
	r = burrow(t, "kube", "down", file)
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, "Pods removed:\n") {
		t.Fatalf("kube down of the generated YAML:\n%s", describe(r))
	}
	play(t, file)
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); got != "from the host\n" {
		t.Errorf("the pod played from its YAML: %q", got)
	}
	if out := mustRun(t, busyboxImage(t), []string{"-v", vol + ":/d"}, "cat", "/d/mode"); out != "round trip\n" {
		t.Errorf("the volume written by the played pod: %q", out)
	}
	p := inspectPod(t, pod)
	if p.State != "Running" || p.Labels["tier"] != "web" || len(p.Containers) != 2 || p.Containers[1].Name != pod+"-"+web {
		t.Errorf("the played pod: %+v", p)
	}
	if got := must(t, "exec", pod+"-"+web, "cat", "/proc/1/cmdline"); !strings.HasPrefix(got, "/run/podman-init\x00") {
		t.Errorf("the played --init container runs %q", got)
	}
	second := must(t, "kube", "generate", pod)
	strip := regexp.MustCompile(`(?m)^.*(creationTimestamp|SandboxID).*\n`)
	if a, b := strip.ReplaceAllString(first, ""), strip.ReplaceAllString(second, ""); a != b {
		t.Errorf("kube generate after the round trip differs:\n%s\n----\n%s", a, b)
	}
	// The same pod as a Deployment with a Service.
	r = burrow(t, "kube", "generate", "--type", "deployment", "--service", pod)
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, "kind: Deployment\n") || !strings.Contains(r.Stdout, "kind: Service\n") ||
		!strings.Contains(r.Stdout, "  - name: tcp-8080\n    port: 8080\n") {
		t.Errorf("kube generate --type deployment --service:\n%s", describe(r))
	}
}

func TestKubeGenerateContainerAndVolume(t *testing.T) {
	t.Parallel()
	name, vol := ctrName(t), ctrName(t)
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", vol) })
	must(t, "volume", "create", vol)
	must(t, "create", "--name", name, busyboxImage(t), "top")
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	r := burrow(t, "generate", "kube", name, vol)
	if r.ExitCode != 0 {
		t.Fatalf("generate kube:\n%s", describe(r))
	}
	y := r.Stdout
	for _, want := range []string{"kind: PersistentVolumeClaim\n", "  name: " + vol + "\n", "kind: Pod\n", "  name: " + name + "-pod\n",
		"    app: " + name + "-pod\n", "  - command:\n    - top\n", "    name: " + name + "\n", "io.podman.annotations.autoremove/" + name + `: "FALSE"`} {
		if !strings.Contains(y, want) {
			t.Errorf("generate kube does not say %q:\n%s", want, y)
		}
	}
	if strings.Index(y, "PersistentVolumeClaim") > strings.Index(y, "kind: Pod") {
		t.Errorf("the claim comes after the pod:\n%s", y)
	}
	out := filepath.Join(t.TempDir(), "out.yaml")
	must(t, "kube", "generate", "-f", out, name)
	if r := burrow(t, "kube", "generate", "-f", out, name); r.ExitCode != 125 {
		t.Errorf("kube generate -f onto an existing file: %s", describe(r))
	}
	pod, _ := createPod(t)
	r = burrow(t, "kube", "generate", pod)
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, "only has an infra container") {
		t.Errorf("kube generate of an empty pod: %s", describe(r))
	}
	r = burrow(t, "kube", "generate", "no-such-thing-"+name)
	requireBurrowError(t, r, true)
}

func TestKubePlayBadInputLeavesNothing(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	claim := name + "-claim"
	head := fmt.Sprintf("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: %s}\n---\n", claim)
	pod := func(spec string) string {
		return head + fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  containers:\n  - name: c\n    image: %s\n    imagePullPolicy: IfNotPresent\n", name, busyboxImage(t)) + spec
	}
	inUse, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer inUse.Close()
	busy := inUse.Addr().(*net.TCPAddr).Port
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"a syntax error names its line", head + "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: indent\n", []string{"kube.yaml: yaml: line 9:"}},
		{"an unknown kind is named", head + "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\n", []string{`kind "StatefulSet" is not supported`}},
		{"an unknown field is named", pod("    imagePullPolcy: Always\n"), []string{`unknown field "spec.containers[0].imagePullPolcy"`}},
		{"a privileged container is refused", pod("    securityContext: {privileged: true}\n"), []string{"privileged containers are refused"}},
		{"a missing ConfigMap is named", pod("    envFrom: [{configMapRef: {name: nope}}]\n"), []string{`no ConfigMap "nope"`}},
		{"a hostPort in use fails the start, and what was made goes", pod(fmt.Sprintf("    command: [sleep, '1000']\n    ports: [{containerPort: 80, hostPort: %d, hostIP: 127.0.0.1}]\n", busy)), []string{fmt.Sprint(busy)}},
		{"an init container that fails", pod("    command: [sleep, '1000']\n  initContainers:\n  - {name: i, image: " + busyboxImage(t) + ", imagePullPolicy: IfNotPresent, command: [sh, -c, 'echo no-database-yet; exit 3']}\n"), []string{"init container i exited with code 3", "no-database-yet"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := writeYAML(t, tc.yaml)
			r := burrow(t, "kube", "play", file)
			requireBurrowError(t, r, false)
			for _, want := range tc.want {
				if !strings.Contains(r.Stderr, want) {
					t.Errorf("kube play: want an error saying %q, got:\n%s", want, describe(r))
				}
			}
			if r := burrow(t, "pod", "exists", name); r.ExitCode != 1 {
				t.Errorf("the pod is there after a failed kube play")
			}
			if id := containerIDByName(t, name+"-c"); id != "" {
				t.Errorf("the container is there after a failed kube play")
			}
			if r := burrow(t, "volume", "inspect", claim); r.ExitCode == 0 {
				t.Errorf("the claim's volume is there after a failed kube play")
			}
		})
	}
	// From stdin, the same refusal.
	r := burrowStdin(t, "apiVersion: v1\nkind: Ingress\nmetadata: {name: i}\n", "kube", "play", "-")
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, `stdin:1: kind "Ingress"`) {
		t.Errorf("kube play - of an Ingress: %s", describe(r))
	}
}

func TestKubePlayReplaceAndStart(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	file := writeYAML(t, fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: %s
    imagePullPolicy: IfNotPresent
    command: [sleep, "1000"]
    resources: {requests: {cpu: 100m}}
`, name, busyboxImage(t)))
	first := play(t, "--start=false", file)
	if p := inspectPod(t, name); p.State != "Created" || p.ID != first {
		t.Errorf("a pod played with --start=false: %+v", p)
	}
	r := burrow(t, "kube", "play", file)
	requireBurrowError(t, r, false)
	if !strings.Contains(r.Stderr, "already exists") || !strings.Contains(r.Stderr, "--replace") {
		t.Errorf("kube play of a pod that exists: %s", describe(r))
	}
	second := play(t, "--replace", file)
	if p := inspectPod(t, name); second == first || p.ID != second || p.State != "Running" {
		t.Errorf("kube play --replace: %+v (first %s)", p, first)
	}
	r = burrow(t, "play", "kube", "--down", file)
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, "Pods removed:\n"+second+"\n") {
		t.Errorf("play kube --down: %s", describe(r))
	}
}

// --configmap takes ConfigMaps from a file of their own, --network
// replaces the pods' network.
func TestKubePlayConfigMapFileAndNetwork(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	dir := t.TempDir()
	cms := filepath.Join(dir, "cms.yaml")
	if err := os.WriteFile(cms, []byte(fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s-env}\ndata: {MODE: from-a-file}\n", name)), 0o644); err != nil {
		t.Fatal(err)
	}
	file := writeYAML(t, fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %[1]s}
spec:
  containers:
  - name: c
    image: %[2]s
    imagePullPolicy: IfNotPresent
    command: [sleep, "1000"]
    envFrom: [{configMapRef: {name: %[1]s-env}}]
`, name, busyboxImage(t)))
	r := burrow(t, "kube", "play", file)
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, fmt.Sprintf(`no ConfigMap "%s-env"`, name)) {
		t.Errorf("kube play without --configmap: %s", describe(r))
	}
	play(t, "--configmap", cms, "--network", "none", file)
	ctr := name + "-c"
	if got := must(t, "exec", ctr, "sh", "-c", "echo $MODE; ls /sys/class/net"); got != "from-a-file\nlo\n" {
		t.Errorf("the environment and interfaces of a pod played with --configmap and --network none: %q", got)
	}
	r = burrow(t, "kube", "play", "--replace", "--configmap", file, file)
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, "is not a ConfigMap") {
		t.Errorf("kube play --configmap of a Pod's file: %s", describe(r))
	}
	if got := inspectPod(t, name); got.State != "Running" {
		t.Errorf("a refused --replace touched the pod: %+v", got)
	}
}

// resources.limits follow run's rules: where the host cannot apply them
// the play is refused with the reason and what to do, and nothing is made;
// under cgroups = "disabled" in containers.conf the pod runs without them,
// with a warning, as run does.
func TestKubePlayLimitsRefusedOrDisabled(t *testing.T) {
	t.Parallel()
	if hostHasUserCgroups() {
		t.Skip("this host can apply limits: the refusal does not happen here (make test-vm checks limits)")
	}
	name := ctrName(t)
	file := writeYAML(t, fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s}
spec:
  containers:
  - name: c
    image: %s
    imagePullPolicy: IfNotPresent
    command: [sleep, "1000"]
    resources: {limits: {memory: 64Mi, cpu: 500m}}
`, name, busyboxImage(t)))
	r := burrow(t, "kube", "play", file)
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, "resources.limits") || !strings.Contains(r.Stderr, `cgroups = "disabled" in containers.conf`) {
		t.Errorf("kube play of limits the host cannot apply: %s", describe(r))
	}
	if r := burrow(t, "pod", "exists", name); r.ExitCode != 1 {
		t.Errorf("a refused kube play left the pod")
	}
	conf := filepath.Join(t.TempDir(), "containers.conf")
	if err := os.WriteFile(conf, []byte("[containers]\ncgroups = \"disabled\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = burrowEnv(t, append(os.Environ(), "CONTAINERS_CONF="+conf), "kube", "play", file)
	if r.ExitCode != 0 || !strings.Contains(r.Stderr, "Warning") || !strings.Contains(r.Stderr, "containers.conf") {
		t.Errorf("kube play of limits under cgroups = \"disabled\": %s", describe(r))
	}
	if p := inspectPod(t, name); p.State != "Running" {
		t.Errorf("the pod played without its limits: %+v", p)
	}
}

func TestKubePlayBuild(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	dir := buildContext(t, map[string]string{
		name + "/Containerfile": "FROM " + busyboxImage(t) + "\nRUN echo built-here > /built\n",
		"kube.yaml":             fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  restartPolicy: Never\n  containers:\n  - name: c\n    image: localhost/%s:latest\n    imagePullPolicy: Never\n    command: [sh, -c, 'cat /built; sleep 1000']\n", name, name),
	})
	file := filepath.Join(dir, "kube.yaml")
	t.Cleanup(func() {
		burrow(t, "kube", "down", file)
		burrow(t, "rmi", "-f", "localhost/"+name+":latest")
	})
	play(t, file)
	waitLog(t, name+"-c", "built-here")
}

// TestKubeYAMLWithPodman: Kubernetes YAML goes both ways between burrow
// and podman, as users hand it over: burrow's generated pod (a published
// port, environment, a read-only bind mount, a named volume, a second
// container whose name has capitals and an underscore) plays in podman;
// podman's YAML of that pod plays back in burrow, and each kube down
// takes its pod away.
func TestKubeYAMLWithPodman(t *testing.T) {
	// Not parallel: podman takes the store's locks its own way.
	podmanCmd(t)
	port := freePort(t, "tcp")
	pod, _ := createPod(t, "-p", fmt.Sprintf("127.0.0.1:%d:8080", port))
	vol := ctrName(t)
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", vol); podman(t, "volume", "rm", "-f", vol) })
	host := t.TempDir()
	if err := os.Chmod(host, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(host, "index.html"), []byte("from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	web, side := ctrName(t), "Side_"+randHex()[:8]
	must(t, "create", "--pod", pod, "--name", web, "-e", "MODE=both ways", "-v", vol+":/data", "-v", host+":/www:ro",
		busyboxImage(t), "sh", "-c", "echo $MODE > /data/mode; exec httpd -f -p 8080 -h /www")
	must(t, "create", "--pod", pod, "--name", side, busyboxImage(t), "top")
	fromBurrow := filepath.Join(t.TempDir(), "burrow.yaml")
	must(t, "kube", "generate", "-f", fromBurrow, pod)
	y, err := os.ReadFile(fromBurrow)
	if err != nil {
		t.Fatal(err)
	}
	sideName := strings.ReplaceAll(side, "_", "")
	for _, want := range []string{"    name: " + sideName + "\n", "io.podman.annotations.autoremove/" + sideName + `: "FALSE"`,
		"        - CAP_MKNOD\n", "  automountServiceAccountToken: false\n"} {
		if !strings.Contains(string(y), want) {
			t.Errorf("kube generate does not say %q, as podman does:\n%s", want, y)
		}
	}
	must(t, "pod", "rm", "-f", "-t", "0", pod)

	// burrow's YAML in podman.
	t.Cleanup(func() { podman(t, "pod", "rm", "-f", "-t", "0", pod) })
	if r := podman(t, "kube", "play", "--tls-verify=false", fromBurrow); r.ExitCode != 0 {
		t.Fatalf("podman kube play of burrow's YAML: %s\n%s", describe(r), y)
	}
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); got != "from the host\n" {
		t.Errorf("podman's pod of burrow's YAML serves %q", got)
	}
	if r := podman(t, "exec", pod+"-"+web, "cat", "/data/mode"); r.Stdout != "both ways\n" {
		t.Errorf("podman's pod of burrow's YAML: the volume holds %s", describe(r))
	}
	if r := podman(t, "container", "exists", pod+"-"+sideName); r.ExitCode != 0 {
		t.Errorf("podman's pod of burrow's YAML has no container %s-%s: %s", pod, sideName, describe(r))
	}
	fromPodman := filepath.Join(t.TempDir(), "podman.yaml")
	if r := podman(t, "kube", "generate", "-f", fromPodman, pod); r.ExitCode != 0 {
		t.Fatalf("podman kube generate: %s", describe(r))
	}
	if r := podman(t, "kube", "down", fromBurrow); r.ExitCode != 0 || podman(t, "pod", "exists", pod).ExitCode != 1 {
		t.Fatalf("podman kube down of burrow's YAML: %s", describe(r))
	}

	// podman's YAML in burrow: its names (POD-CONTAINER, capitals kept)
	// play as they are.
	t.Cleanup(func() { burrow(t, "kube", "down", fromPodman) })
	play(t, fromPodman)
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); got != "from the host\n" {
		t.Errorf("burrow's pod of podman's YAML serves %q", got)
	}
	p := inspectPod(t, pod)
	var names []string
	for _, c := range p.Containers {
		names = append(names, c.Name)
	}
	if p.State != "Running" || !slices.Contains(names, pod+"-"+pod+"-"+sideName) {
		t.Errorf("burrow's pod of podman's YAML: %s with %v", p.State, names)
	}
	if got := must(t, "exec", pod+"-"+pod+"-"+web, "sh", "-c", "echo $MODE; cat /data/mode"); got != "both ways\nboth ways\n" {
		t.Errorf("burrow's pod of podman's YAML: environment and volume %q", got)
	}
	if got := must(t, "exec", pod+"-"+pod+"-"+sideName, "cat", "/proc/1/comm"); got != "top\n" {
		t.Errorf("burrow's pod of podman's YAML: the container %s runs %q", side, got)
	}
	r := burrow(t, "kube", "down", fromPodman)
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, "Pods removed:\n") || burrow(t, "pod", "exists", pod).ExitCode != 1 {
		t.Errorf("kube down of podman's YAML: %s", describe(r))
	}
}
