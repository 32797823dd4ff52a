package kube

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/burrow-containers/burrow/errdefs"
)

// Document is one object of a YAML stream, decoded strictly into its
// Kubernetes API type: *corev1.Pod, *appsv1.Deployment, *appsv1.DaemonSet,
// *batchv1.Job, *corev1.ConfigMap, *corev1.Secret,
// *corev1.PersistentVolumeClaim or *corev1.Service.
type Document struct {
	Kind string
	Name string
	// Source names where it came from, for messages: FILE:LINE.
	Source string
	Object any
	// fields is the document as written (JSON), for the walk that names
	// the fields burrow does not act on (fields.go).
	fields map[string]any
}

// String names the document for messages: Deployment "web" (FILE:LINE).
func (d Document) String() string {
	return fmt.Sprintf("%s %q (%s)", d.Kind, d.Name, d.Source)
}

// kinds are the kinds kube play reads, with their one apiVersion and a
// constructor of the object to decode into.
var kinds = map[string]struct {
	apiVersion string
	object     func() any
}{
	"Pod":                   {"v1", func() any { return &corev1.Pod{} }},
	"ConfigMap":             {"v1", func() any { return &corev1.ConfigMap{} }},
	"Secret":                {"v1", func() any { return &corev1.Secret{} }},
	"PersistentVolumeClaim": {"v1", func() any { return &corev1.PersistentVolumeClaim{} }},
	"Service":               {"v1", func() any { return &corev1.Service{} }},
	"Deployment":            {"apps/v1", func() any { return &appsv1.Deployment{} }},
	"DaemonSet":             {"apps/v1", func() any { return &appsv1.DaemonSet{} }},
	"Job":                   {"batch/v1", func() any { return &batchv1.Job{} }},
}

// kindNames lists the kinds kube play reads, for messages.
func kindNames() string {
	var names []string
	for k := range kinds {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ") + " (and List)"
}

// Decode reads a YAML stream of Kubernetes objects (documents separated by
// ---, or kind: List) as the API server would: each strictly, into its
// API type. name is the stream's name in messages (a file, or - for
// stdin). A syntax error names its line; an unknown kind, apiVersion or
// field is an error that names it: nothing is silently dropped.
func Decode(name string, data []byte) ([]Document, error) {
	var out []Document
	for _, part := range splitDocuments(data) {
		if isBlank(part.text) {
			continue
		}
		// Lines before the document keep the parser's line numbers those
		// of the whole stream.
		padded := append(bytes.Repeat([]byte("\n"), part.line-1), part.text...)
		j, err := yaml.YAMLToJSONStrict(padded)
		if err != nil {
			return nil, errdefs.Invalid(fmt.Errorf("%s: %s", name, yamlError(err)))
		}
		docs, err := decodeJSON(fmt.Sprintf("%s:%d", name, part.line), j)
		if err != nil {
			return nil, err
		}
		out = append(out, docs...)
	}
	if len(out) == 0 {
		return nil, errdefs.Invalid(fmt.Errorf("%s: no Kubernetes object in it: give a Pod, Deployment, DaemonSet, Job, ConfigMap, Secret or PersistentVolumeClaim", name))
	}
	return out, nil
}

// decodeJSON decodes one document, or the items of a List.
func decodeJSON(source string, j []byte) ([]Document, error) {
	if string(j) == "null" {
		return nil, nil
	}
	var tm metav1.TypeMeta
	if err := json.Unmarshal(j, &tm); err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("%s: not a Kubernetes object (%v): each document is a mapping with apiVersion and kind", source, err))
	}
	if tm.Kind == "List" {
		return decodeList(source, j)
	}
	k, ok := kinds[tm.Kind]
	switch {
	case tm.Kind == "":
		return nil, errdefs.Invalid(fmt.Errorf("%s: the document has no kind: give one of %s", source, kindNames()))
	case !ok:
		return nil, errdefs.Invalid(fmt.Errorf("%s: kind %q is not supported by burrow kube play: use %s", source, tm.Kind, kindNames()))
	case tm.APIVersion != k.apiVersion:
		return nil, errdefs.Invalid(fmt.Errorf("%s: %s with apiVersion %q is not supported: use apiVersion: %s", source, tm.Kind, tm.APIVersion, k.apiVersion))
	}
	obj := k.object()
	strict, err := sigsjson.UnmarshalStrict(j, obj)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("%s: %s: %v", source, tm.Kind, err))
	}
	meta := objectMeta(obj)
	if len(strict) > 0 {
		var msgs []string
		for _, e := range strict {
			msgs = append(msgs, e.Error())
		}
		return nil, errdefs.Invalid(fmt.Errorf("%s: %s %q: %s: fix or remove them (kubectl explain %s names the fields)",
			source, tm.Kind, meta.Name, strings.Join(msgs, "; "), strings.ToLower(tm.Kind)))
	}
	var fields map[string]any
	if err := json.Unmarshal(j, &fields); err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("%s: %v", source, err))
	}
	return []Document{{Kind: tm.Kind, Name: meta.Name, Source: source, Object: obj, fields: fields}}, nil
}

// decodeList decodes the items of a v1 List, each as a document.
func decodeList(source string, j []byte) ([]Document, error) {
	var list metav1.List
	strict, err := sigsjson.UnmarshalStrict(j, &list)
	if err == nil && len(strict) > 0 {
		err = errors.Join(strict...)
	}
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("%s: List: %v", source, err))
	}
	var out []Document
	for i, item := range list.Items {
		docs, err := decodeJSON(fmt.Sprintf("%s, item %d", source, i), item.Raw)
		if err != nil {
			return nil, err
		}
		out = append(out, docs...)
	}
	return out, nil
}

// objectMeta is the metadata of a decoded object.
func objectMeta(obj any) metav1.ObjectMeta {
	if o, ok := obj.(metav1.Object); ok {
		return metav1.ObjectMeta{Name: o.GetName(), Labels: o.GetLabels(), Annotations: o.GetAnnotations()}
	}
	return metav1.ObjectMeta{}
}

// yamlError is the YAML parser's message without the converter's prefix:
// "yaml: line 3: mapping values are not allowed in this context".
func yamlError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "yaml: "); i >= 0 {
		msg = msg[i:]
	}
	return msg
}

// part is one document of a stream and the line it starts on.
type part struct {
	line int
	text []byte
}

// splitDocuments cuts a YAML stream at its --- lines (a document start
// marker, possibly followed by content) and ... lines (a document end).
func splitDocuments(data []byte) []part {
	var out []part
	cur := part{line: 1}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), len(data)+1)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimRight(line, " \t\r")
		switch {
		case trimmed == "---" || strings.HasPrefix(line, "--- "):
			out = append(out, cur)
			cur = part{line: n}
			if rest := strings.TrimPrefix(trimmed, "---"); strings.TrimSpace(rest) != "" {
				cur.text = append(cur.text, strings.TrimSpace(rest)+"\n"...)
			} else {
				cur.line = n + 1
			}
			continue
		case trimmed == "...":
			out = append(out, cur)
			cur = part{line: n + 1}
			continue
		}
		cur.text = append(cur.text, line+"\n"...)
	}
	return append(out, cur)
}

// isBlank tells whether a document holds nothing but blank lines and
// comments.
func isBlank(text []byte) bool {
	for _, l := range strings.Split(string(text), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}
