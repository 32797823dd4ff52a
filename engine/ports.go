package engine

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/burrow-containers/burrow/errdefs"
)

// PortMapping is a published port: HostIP:HostPort on the host forwards to
// ContainerPort/Protocol in the container.
type PortMapping struct {
	HostIP        string `json:"hostIP,omitempty"`
	HostPort      uint16 `json:"hostPort"`
	ContainerPort uint16 `json:"containerPort"`
	Protocol      string `json:"protocol"` // tcp or udp
}

// ContainerPortProto is "PORT/PROTO".
func (p PortMapping) ContainerPortProto() string {
	return strconv.Itoa(int(p.ContainerPort)) + "/" + p.Protocol
}

// HostAddr is "IP:PORT", with 0.0.0.0 for all addresses.
func (p PortMapping) HostAddr() string {
	ip := p.HostIP
	if ip == "" {
		ip = "0.0.0.0"
	}
	return net.JoinHostPort(ip, strconv.Itoa(int(p.HostPort)))
}

// Ports are the container's published ports. Publishing comes with
// networking; until then a container has none. A pod's member that shares
// the pod's network has the pod's, published by its infra.
func (c *Container) Ports() []PortMapping {
	if id := podNetworkInfra(&c.Config); id != "" && c.engine != nil {
		if r, err := c.engine.readRecord(id); err == nil {
			return r.Config.Ports
		}
	}
	return c.Config.Ports
}

// exposedPorts are an image's EXPOSEd ports, published on random host ports.
// addExposed adds an image's exposed ports to the container's, as
// PORT/PROTO, each once.
func addExposed(have []string, exposed map[string]struct{}) []string {
	for k := range exposed {
		if !strings.Contains(k, "/") {
			k += "/tcp"
		}
		if !slices.Contains(have, k) {
			have = append(have, k)
		}
	}
	slices.Sort(have)
	return have
}

// PublishExposed adds to ports a random host port for each exposed port
// (PORT/PROTO, tcp or udp) that none of them publishes yet (-P).
func PublishExposed(ports []PortMapping, exposed []string) []PortMapping {
	for _, k := range exposed {
		num, proto, _ := strings.Cut(k, "/")
		if proto == "" {
			proto = "tcp"
		}
		n, err := strconv.ParseUint(num, 10, 16)
		if err != nil || n == 0 || (proto != "tcp" && proto != "udp") {
			continue
		}
		if !slices.ContainsFunc(ports, func(p PortMapping) bool { return p.ContainerPort == uint16(n) && p.Protocol == proto }) {
			ports = append(ports, PortMapping{ContainerPort: uint16(n), Protocol: proto})
		}
	}
	return ports
}

// ParseExpose reads --expose: PORT[-PORT][/tcp|/udp], as the PORT/PROTO
// strings of each port.
func ParseExpose(s string) ([]string, error) {
	ports, proto, _ := strings.Cut(s, "/")
	if proto == "" {
		proto = "tcp"
	}
	lo, hi, isRange := strings.Cut(ports, "-")
	if !isRange {
		hi = lo
	}
	a, errA := strconv.ParseUint(lo, 10, 16)
	b, errB := strconv.ParseUint(hi, 10, 16)
	if errA != nil || errB != nil || a == 0 || b < a || (proto != "tcp" && proto != "udp" && proto != "sctp") {
		return nil, errdefs.Invalid(fmt.Errorf("invalid --expose %q: give PORT[-PORT][/tcp|/udp]", s))
	}
	var out []string
	for p := a; p <= b; p++ {
		out = append(out, fmt.Sprintf("%d/%s", p, proto))
	}
	return out, nil
}
