package engine

import "maps"

// Container, pod, volume and network events, as podman's libpod writes
// them.

// containerEvent is a container's event: its ID, name, image, pod and
// labels (the attributes podman's human output lists and label filters).
func (e *Engine) containerEvent(status string, c *Container) Event {
	return recordEvent(status, &c.Record)
}

func recordEvent(status string, r *Record) Event {
	ev := Event{Type: EventContainer, Status: status, ID: r.ID, Name: r.Name, Image: r.Image, PodID: r.Config.Pod}
	if len(r.Config.Labels) > 0 {
		ev.Attributes = maps.Clone(r.Config.Labels)
	}
	return ev
}

// recordContainerEvents records events of a container, one per status.
func (e *Engine) recordContainerEvents(c *Container, statuses ...string) {
	evs := make([]Event, 0, len(statuses))
	for _, s := range statuses {
		evs = append(evs, e.containerEvent(s, c))
	}
	e.recordEvents(evs...)
}

// diedEvent is the event of a container's exit, with its code.
func diedEvent(r *Record) Event {
	ev := recordEvent("died", r)
	ev.ContainerExitCode = r.State.ExitCode
	return ev
}

// podEvent is a pod's event.
func podEvent(status string, p *Pod) Event {
	return Event{Type: EventPod, Status: status, ID: p.ID, Name: p.Name}
}

// volumeEvent is a volume's event: podman's name it by name alone.
func volumeEvent(status, name string) Event {
	return Event{Type: EventVolume, Status: status, Name: name}
}

// networkEvent is a network's event: create and remove name the network
// (ID, Network), connect and disconnect the container too (ID, Name).
func networkEvent(status, netID, netName string, c *Container) Event {
	ev := Event{Type: EventNetwork, Status: status, ID: netID, Network: netName}
	if c != nil {
		ev.ID, ev.Name = c.ID, c.Name
	}
	return ev
}
