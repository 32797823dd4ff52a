package kube

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/burrow-containers/burrow/errdefs"
)

func TestDecodeMultiDocument(t *testing.T) {
	y := `# a comment before the first document
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  K: v
---
# only a comment
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: busybox
...
--- 
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: PersistentVolumeClaim
  metadata:
    name: data
`
	docs, err := Decode("f.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3 {
		t.Fatalf("got %d documents, want 3: %v", len(docs), docs)
	}
	if cm, ok := docs[0].Object.(*corev1.ConfigMap); !ok || cm.Data["K"] != "v" || docs[0].Source != "f.yaml:1" {
		t.Errorf("first document: %v %+v", docs[0], docs[0].Object)
	}
	if d, ok := docs[1].Object.(*appsv1.Deployment); !ok || d.Spec.Template.Spec.Containers[0].Image != "busybox" || docs[1].Source != "f.yaml:11" {
		t.Errorf("second document: %v", docs[1])
	}
	if _, ok := docs[2].Object.(*corev1.PersistentVolumeClaim); !ok || docs[2].Name != "data" {
		t.Errorf("the List's item: %v", docs[2])
	}
}

func TestDecodeErrors(t *testing.T) {
	pod := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox\n"
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"syntax error in the second document names the stream's line",
			pod + "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n", []string{"f.yaml: yaml: line 13"}},
		{"unknown kind", pod + "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: s\n", []string{"f.yaml:10", `kind "StatefulSet" is not supported`, "Deployment"}},
		{"no kind", "apiVersion: v1\nmetadata:\n  name: x\n", []string{"has no kind"}},
		{"wrong apiVersion", "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: d\n", []string{`apiVersion "extensions/v1beta1"`, "use apiVersion: apps/v1"}},
		{"unknown fields, all of them, with their paths", strings.Replace(pod, "    image: busybox\n", "    image: busybox\n    imagePullPolcy: Always\n  nodeSelectr: {}\n", 1),
			[]string{`Pod "p"`, `unknown field "spec.containers[0].imagePullPolcy"`, `unknown field "spec.nodeSelectr"`}},
		{"a field of the wrong type", strings.Replace(pod, "    image: busybox\n", "    image: busybox\n    ports:\n    - containerPort: http\n", 1), []string{"f.yaml:1: Pod", "containerPort"}},
		{"a duplicate key", "apiVersion: v1\nkind: Pod\nkind: Pod\n", []string{"f.yaml:", "kind"}},
		{"nothing in it", "# nothing\n---\n", []string{"no Kubernetes object"}},
		{"a scalar", "hello\n", []string{"not a Kubernetes object"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode("f.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			if !errdefs.Is(err, errdefs.ClassInvalid) {
				t.Errorf("error class of %v: want invalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestIgnoredFieldsAreNamed(t *testing.T) {
	y := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  creationTimestamp: null
spec:
  replicas: 1
  strategy:
    type: Recreate
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      nodeSelector: {disk: ssd}
      hostNetwork: false
      containers:
      - name: c
        image: busybox
        resources: {}
        livenessProbe:
          exec: {command: ["true"]}
        env:
        - {name: A, value: b}
status: {}
`
	docs, err := Decode("f.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	got := ignoredFields(docs[0])
	want := []string{"metadata.namespace", "spec.strategy", "spec.template.spec.containers[0].livenessProbe", "spec.template.spec.nodeSelector"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("ignored fields: %v, want %v", got, want)
	}
	if w := ignoredWarning(docs[0]); !strings.Contains(w, `Deployment "web" (f.yaml:1): burrow ignores metadata.namespace, spec.strategy`) {
		t.Errorf("warning: %q", w)
	}
}
