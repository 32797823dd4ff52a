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
// status.
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
	return yaml.Marshal(m)
}
