package engine

import (
	"net"
	"strconv"
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
