package kube

import (
	"bytes"
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"
)

// Marshal writes objects as one YAML stream, documents separated by ---,
// under a header that says where it came from and where it goes.
func Marshal(version string, objects []any) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Save the output of this file and use kubectl apply -f to import it into\n")
	fmt.Fprintf(&b, "# Kubernetes, or burrow kube play to run it here.\n#\n# Created with burrow-%s\n", version)
	for i, o := range objects {
		if i > 0 {
			b.WriteString("---\n")
		}
		y, err := marshalObject(o)
		if err != nil {
			return nil, err
		}
		b.Write(y)
	}
	return b.Bytes(), nil
}

// marshalObject writes one object as YAML; a withoutStatus Pod loses its
// status and its containers' empty resources, as podman writes a
// container's Pod.
func marshalObject(o any) ([]byte, error) {
	ws, ok := o.(withoutStatus)
	if !ok {
		return yaml.Marshal(o)
	}
	j, err := json.Marshal(ws.pod)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, err
	}
	delete(m, "status")
	if spec, ok := m["spec"].(map[string]any); ok {
		ctrs, _ := spec["containers"].([]any)
		for _, c := range ctrs {
			if c, ok := c.(map[string]any); ok {
				if r, ok := c["resources"].(map[string]any); ok && len(r) == 0 {
					delete(c, "resources")
				}
			}
		}
	}
	return yaml.Marshal(m)
}
