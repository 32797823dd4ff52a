package engine

import (
	"fmt"
	"sort"

	"github.com/burrow-containers/burrow/errdefs"
)

// GenerateSystemd writes the systemd units of a container, or of a pod and
// its containers (the pod's first), as podman's generate systemd. The
// warnings are podman's, for the user.
func (e *Engine) GenerateSystemd(nameOrID string, o SystemdOptions) ([]SystemdUnit, []string, error) {
	if err := checkSystemdOptions(o); err != nil {
		return nil, nil, err
	}
	runRoot, err := e.runRoot()
	if err != nil {
		return nil, nil, err
	}
	ctr, ctrErr := e.Get(nameOrID)
	if ctrErr == nil {
		u := ctrInfo(ctr, e.StopTimeout(ctr), runRoot, o)
		text, err := containerUnitText(u, o)
		if err != nil {
			return nil, nil, err
		}
		name := u.Service
		if o.Template {
			name += "@"
		}
		return []SystemdUnit{{Name: name, Text: text}}, restartWarning(ctr, o), nil
	}
	if !errdefs.Is(ctrErr, errdefs.ClassNotFound) {
		return nil, nil, ctrErr
	}
	pod, podErr := e.GetPod(nameOrID)
	if podErr != nil {
		if errdefs.Is(podErr, errdefs.ClassNotFound) {
			return nil, nil, errdefs.NotFound(fmt.Errorf("%s does not refer to a container or pod: %v: %v", nameOrID, podErr, ctrErr))
		}
		return nil, nil, podErr
	}
	if o.Template {
		return nil, nil, errdefs.Invalid(fmt.Errorf("--template is not supported for pods"))
	}
	return e.podUnits(pod, runRoot, o)
}

// runRoot is the store's run directory, which the units of existing
// containers need mounted.
func (e *Engine) runRoot() (string, error) {
	s, err := e.store()
	if err != nil {
		return "", err
	}
	return s.RunRoot(), nil
}

// podUnits are the units of a pod and of its containers.
func (e *Engine) podUnits(pod *Pod, runRoot string, o SystemdOptions) ([]SystemdUnit, []string, error) {
	infra := pod.Infra()
	if infra == nil {
		return nil, nil, errdefs.Invalid(fmt.Errorf("pod %s has no infra container: generate systemd needs one to start and stop the pod", pod.Name))
	}
	nameOrID, infraName := pod.ID, infra.ID
	if o.UseName {
		nameOrID, infraName = pod.Name, infra.Name
	}
	p := podUnit{
		Service: unitName(o.PodPrefix, o.Separator, nameOrID), Infra: infraName, NameOrID: nameOrID,
		Stop: 10, Create: pod.CreateCommand, RunRoot: runRoot,
	}
	if o.StopTimeout != nil {
		p.Stop = *o.StopTimeout
	}
	var units []SystemdUnit
	var warnings []string
	for _, c := range pod.Members() {
		u := ctrInfo(c, e.StopTimeout(c), runRoot, o)
		u.PodService = p.Service
		if o.New {
			u.PodIDFile = podIDFile(p.Service)
		}
		text, err := containerUnitText(u, o)
		if err != nil {
			return nil, nil, err
		}
		units = append(units, SystemdUnit{Name: u.Service, Text: text})
		warnings = append(warnings, restartWarning(c, o)...)
		p.Members = append(p.Members, u.Service)
	}
	sort.Slice(units, func(i, j int) bool { return units[i].Name < units[j].Name })
	sort.Strings(p.Members)
	text, err := podUnitText(p, o)
	if err != nil {
		return nil, nil, err
	}
	return append([]SystemdUnit{{Name: p.Service, Text: text}}, units...), warnings, nil
}
