package engine

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/common/libnetwork/etchosts"
	"go.podman.io/common/libnetwork/resolvconf"
	"go.podman.io/common/pkg/config"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/network"
	"github.com/burrow-containers/burrow/slirp"
)

// A container's /etc/hosts and /etc/resolv.conf are written as podman
// writes them, by the same library (go.podman.io/common's etchosts and
// resolvconf) with the same inputs: containers.conf's base_hosts_file
// (the host's /etc/hosts by default), host_containers_internal_ip,
// dns_servers, dns_searches and dns_options, then the container's own.

// writeNetworkEtc writes the container's hosts and resolv.conf into dir:
// on networks, with its addresses there once attached. A pod member gets
// its infra's.
func (e *Engine) writeNetworkEtc(dir, id string, c *Config, hostname, name string) error {
	hostsPath, resolvPath := filepath.Join(dir, "hosts"), filepath.Join(dir, "resolv.conf")
	if infra := podNetworkInfra(c); infra != "" {
		hosts, resolv := e.podEtcFiles(infra, name)
		if err := os.WriteFile(hostsPath, []byte(hosts), 0o644); err != nil {
			return fmt.Errorf("writing hosts: %w", err)
		}
		if err := os.WriteFile(resolvPath, []byte(resolv), 0o644); err != nil {
			return fmt.Errorf("writing resolv.conf: %w", err)
		}
		return nil
	}
	conf, err := e.conf()
	if err != nil {
		return err
	}
	var eps []network.Endpoint
	if networkMode(c) == NetworkBridge {
		eps = e.endpoints(id)
	}
	if err := writeHosts(hostsPath, conf, c, eps, hostname, name); err != nil {
		return err
	}
	if err := resolvconf.New(resolvParams(resolvPath, conf, c, eps)); err != nil {
		return fmt.Errorf("writing resolv.conf: %w", err)
	}
	return nil
}

// writeHosts writes /etc/hosts: --add-host's entries, the base file's,
// localhost, host.containers.internal (the host's address) and the
// container's own addresses under its hostname and name, each name once.
func writeHosts(path string, conf *config.Config, c *Config, eps []network.Endpoint, hostname, name string) error {
	if conf.Containers.BaseHostsFile == "image" {
		return errdefs.Invalid(errors.New(`base_hosts_file = "image" in containers.conf is not supported by burrow: give a path, or none`))
	}
	base, err := etchosts.GetBaseHostFile(conf.Containers.BaseHostsFile, "")
	if err != nil {
		return err
	}
	own := ownHostEntries(c, eps, hostname, name)
	var exclude []net.IP
	for _, h := range own {
		exclude = append(exclude, net.ParseIP(h.IP))
	}
	internal := etchosts.GetHostContainersInternalIP(etchosts.HostContainersInternalOptions{Conf: conf, Exclude: exclude})
	var extra []string
	for _, h := range c.AddHosts {
		host, ip, _ := strings.Cut(h, ":")
		extra = append(extra, host+":"+strings.Trim(ip, "[]"))
	}
	err = etchosts.New(&etchosts.Params{
		BaseFile: base, ExtraHosts: extra, ContainerIPs: own,
		HostContainersInternalIP: internal, TargetFile: path,
	})
	if err != nil {
		return errdefs.Invalid(fmt.Errorf("writing hosts: %w", err))
	}
	return nil
}

// ownHostEntries are the container's own lines of /etc/hosts, as podman
// 4's: its address on slirp4netns' or its networks', 127.0.0.1 with no
// network, none on the host's (the host's names are there), 127.0.1.1
// where the address is not burrow's to tell (pasta, another container's
// namespace).
func ownHostEntries(c *Config, eps []network.Endpoint, hostname, name string) etchosts.HostEntries {
	names := []string{hostname, name}
	switch networkMode(c) {
	case NetworkSlirp:
		ip, _, _ := slirpOptions(c).Addresses()
		return etchosts.HostEntries{{IP: ip, Names: names}}
	case NetworkBridge:
		var out etchosts.HostEntries
		for _, ep := range eps {
			for _, a := range ep.Addresses {
				if ip, _, err := net.ParseCIDR(a); err == nil {
					out = append(out, etchosts.HostEntry{IP: ip.String(), Names: names})
				}
			}
		}
		return out
	case NetworkNone:
		return etchosts.HostEntries{{IP: "127.0.0.1", Names: names}}
	case NetworkHost:
		return nil
	}
	return etchosts.HostEntries{{IP: "127.0.1.1", Names: names}}
}

// resolvParams are podman's for the container's resolv.conf: the DNS
// servers given (containers.conf's, then --dns) replace the others;
// otherwise its networks' (aardvark-dns) or slirp4netns' forwarder come
// first, then the host's. Search domains given replace the networks'
// (dns.podman); options add up.
func resolvParams(path string, conf *config.Config, c *Config, eps []network.Endpoint) *resolvconf.Params {
	p := &resolvconf.Params{Path: path}
	mode := networkMode(c)
	if mode != NetworkHost {
		p.Namespaces = []specs.LinuxNamespace{{Type: specs.NetworkNamespace}}
	}
	var netServers, netSearch []string
	for _, ep := range eps {
		netServers = append(netServers, ep.DNS...)
		netSearch = append(netSearch, ep.SearchDomains...)
		for _, a := range ep.Addresses {
			if ip, _, err := net.ParseCIDR(a); err == nil && ip.To4() == nil {
				p.IPv6Enabled = true
			}
		}
	}
	if mode == NetworkSlirp {
		o := slirpOptions(c)
		_, _, dns := o.Addresses()
		netServers = append(netServers, dns)
		if o.EnableIPv6 {
			netServers = append(netServers, slirp.IPv6DNS)
			p.IPv6Enabled = true
		}
	}
	if servers := slices.Concat(conf.Containers.DNSServers.Get(), c.DNS); len(servers) > 0 {
		p.Nameservers = servers
	} else {
		p.Nameservers, p.KeepHostServers = dedup(netServers), true
	}
	if search := slices.Concat(conf.Containers.DNSSearches.Get(), c.DNSSearch); len(search) > 0 {
		p.Searches = search
	} else if len(netSearch) > 0 {
		p.Searches, p.KeepHostSearches = dedup(netSearch), true
	}
	p.Options = slices.Concat(conf.Containers.DNSOptions.Get(), c.DNSOptions)
	return p
}

func dedup(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// rewriteEtcFiles brings the /etc files of a created container up to date
// with its new addresses (start, network connect and disconnect).
func (e *Engine) rewriteEtcFiles(r *Record) error {
	dir := filepath.Join(e.ctrDir(r.ID), "etc")
	b, err := os.ReadFile(filepath.Join(dir, "hostname"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return e.writeNetworkEtc(dir, r.ID, &r.Config, strings.TrimSpace(string(b)), r.Name)
}
