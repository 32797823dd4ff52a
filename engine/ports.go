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
// networking; until then a container has none.
func (c *Container) Ports() []PortMapping { return c.Config.Ports }
