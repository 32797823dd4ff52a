package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	"go.podman.io/common/libnetwork/types"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/network"
)

// NetworkCmd groups `burrow network ...`: podman's networks, in podman's
// files (podman network ls sees them).
type NetworkCmd struct {
	Create     NetworkCreateCmd     `cmd:"" help:"Create a network."`
	Ls         NetworkLsCmd         `cmd:"" aliases:"list" help:"List networks."`
	Inspect    NetworkInspectCmd    `cmd:"" help:"Show networks' details as JSON."`
	Rm         NetworkRmCmd         `cmd:"" aliases:"remove" help:"Remove networks."`
	Prune      NetworkPruneCmd      `cmd:"" help:"Remove the networks no container uses."`
	Exists     NetworkExistsCmd     `cmd:"" help:"Exit 0 if the network exists, 1 if not."`
	Connect    NetworkConnectCmd    `cmd:"" help:"Connect a container to a network."`
	Disconnect NetworkDisconnectCmd `cmd:"" help:"Disconnect a container from a network."`
	Reload     NetworkReloadCmd     `cmd:"" help:"Set running containers' networks up again, with the same addresses."`
}

// NetworkCreateCmd is `burrow network create`.
type NetworkCreateCmd struct {
	Driver     string   `short:"d" default:"bridge" help:"Driver: bridge (macvlan and ipvlan need a host interface rootless networking does not have)."`
	Subnet     []string `name:"subnet" sep:"none" help:"Subnet in CIDR form (repeatable); default: a free one of 10.89.0.0/16."`
	Gateway    []string `name:"gateway" sep:"none" help:"Gateway of the subnet given at the same position."`
	IPRange    []string `name:"ip-range" sep:"none" help:"Addresses for containers, a CIDR inside the subnet given at the same position."`
	Internal   bool     `help:"No way out of the network: containers reach only each other."`
	DisableDNS bool     `name:"disable-dns" help:"No name server for the network's containers."`
	IPv6       bool     `name:"ipv6" help:"Add an IPv6 subnet."`
	IPAMDriver string   `name:"ipam-driver" help:"IP address management: host-local (default) or none."`
	Label      []string `name:"label" sep:"none" help:"Set a label K=V (repeatable)."`
	Opt        []string `short:"o" name:"opt" sep:"none" help:"Driver option K=V, e.g. mtu=1400 (repeatable)."`
	Ignore     bool     `help:"Do nothing if the network exists."`
	Name       string   `arg:"" optional:"" help:"Network name (default: podmanN)."`
}

// Run creates the network and prints its name.
func (c *NetworkCreateCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	n, err := eng.CreateNetwork(network.CreateOptions{
		Name: c.Name, Driver: c.Driver, Subnets: c.Subnet, Gateways: c.Gateway, IPRanges: c.IPRange,
		Internal: c.Internal, DisableDNS: c.DisableDNS, IPv6: c.IPv6, IPAMDriver: c.IPAMDriver,
		Labels: c.Label, Options: c.Opt,
	}, c.Ignore)
	if err != nil {
		return err
	}
	fmt.Println(n.Name)
	return nil
}

// NetworkLsCmd is `burrow network ls`.
type NetworkLsCmd struct {
	Filter    []string `short:"f" name:"filter" sep:"none" help:"Filter: name=, id=, driver=, label=, label!=, until=, dangling=true|false (repeatable)."`
	Format    string   `help:"Go template (.Name .ID .Driver .Labels .Subnets .Internal .DNSEnabled ...) or json."`
	NoTrunc   bool     `name:"no-trunc" help:"Do not truncate network IDs."`
	NoHeading bool     `name:"noheading" help:"Do not print the heading."`
	Quiet     bool     `short:"q" help:"Print only the names."`
}

// networkRow is a network as ls's templates see it: podman's fields,
// with the ID truncated and labels as K=V,K=V.
type networkRow struct {
	types.Network
	ID     string
	Labels string
}

func newNetworkRow(n types.Network, noTrunc bool) networkRow {
	r := networkRow{Network: n, ID: n.ID}
	if !noTrunc && len(r.ID) > 12 {
		r.ID = r.ID[:12]
	}
	var labels []string
	for k, v := range n.Labels {
		labels = append(labels, k+"="+v)
	}
	sort.Strings(labels)
	r.Labels = strings.Join(labels, ",")
	return r
}

// parseKeyValues reads repeated K=V filters into podman's filter map.
func parseKeyValues(specs []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, f := range specs {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return nil, invalidf("invalid filter %q: use KEY=VALUE", f)
		}
		out[k] = append(out[k], v)
	}
	return out, nil
}

// Run lists the networks.
func (c *NetworkLsCmd) Run(g *globals) error {
	filters, err := parseKeyValues(c.Filter)
	if err != nil {
		return err
	}
	var tmpl *template.Template
	format, table := c.Format, strings.HasPrefix(c.Format, "table ")
	if format != "" && format != "json" {
		if tmpl, err = template.New("format").Funcs(templateFuncs).Parse(strings.TrimPrefix(format, "table ") + "\n"); err != nil {
			return invalidf("invalid --format template: %v", err)
		}
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	nets, err := eng.ListNetworks(filters)
	if err != nil {
		return err
	}
	switch {
	case format == "json":
		if nets == nil {
			nets = []types.Network{}
		}
		b, _ := json.MarshalIndent(nets, "", "  ")
		fmt.Println(string(b))
	case c.Quiet:
		for _, n := range nets {
			fmt.Println(n.Name)
		}
	case tmpl != nil:
		w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		if table && !c.NoHeading {
			fmt.Fprintln(w, tableHeading(strings.TrimPrefix(format, "table ")))
		}
		for _, n := range nets {
			if err := tmpl.Execute(w, newNetworkRow(n, c.NoTrunc)); err != nil {
				return invalidf("--format: %v", err)
			}
		}
		w.Flush()
	default:
		w := tabwriter.NewWriter(os.Stdout, 12, 0, 2, ' ', 0)
		if !c.NoHeading {
			fmt.Fprintln(w, "NETWORK ID\tNAME\tDRIVER")
		}
		for _, n := range nets {
			r := newNetworkRow(n, c.NoTrunc)
			fmt.Fprintf(w, "%s\t%s\t%s\n", r.ID, r.Name, r.Driver)
		}
		w.Flush()
	}
	return nil
}

// tableHeading is the heading of a table format: its fields' names in
// capitals ({{.Name}}\t{{.Driver}} gives NAME DRIVER), as podman prints.
func tableHeading(format string) string {
	var parts []string
	for _, f := range strings.Split(format, "\t") {
		f = strings.TrimSpace(f)
		f = strings.TrimSuffix(strings.TrimPrefix(f, "{{"), "}}")
		f = strings.TrimPrefix(strings.TrimSpace(f), ".")
		if f == "ID" {
			f = "NETWORK ID"
		}
		parts = append(parts, strings.ToUpper(f))
	}
	return strings.Join(parts, "\t")
}

// NetworkInspectCmd is `burrow network inspect`.
type NetworkInspectCmd struct {
	Format string   `short:"f" help:"Go template (.Name .ID .Subnets ...), or json."`
	Names  []string `arg:"" name:"network" help:"Networks to inspect."`
}

// Run prints the networks as podman's files hold them.
func (c *NetworkInspectCmd) Run(g *globals) error {
	var tmpl *template.Template
	var err error
	if c.Format != "" && c.Format != "json" {
		if tmpl, err = template.New("format").Funcs(templateFuncs).Parse(c.Format + "\n"); err != nil {
			return invalidf("invalid --format template: %v", err)
		}
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	out := []types.Network{}
	var last error
	for _, name := range c.Names {
		n, err := eng.InspectNetwork(name)
		if err != nil {
			if last != nil {
				fmt.Fprintf(os.Stderr, "Error: %v\n", last)
			}
			last = fmt.Errorf("network %s: %w", name, err)
			continue
		}
		out = append(out, n)
	}
	if tmpl != nil {
		for _, n := range out {
			if err := tmpl.Execute(os.Stdout, n); err != nil {
				return invalidf("--format: %v", err)
			}
		}
		return last
	}
	b, _ := json.MarshalIndent(out, "", "    ")
	fmt.Println(string(b))
	return last
}

// NetworkRmCmd is `burrow network rm`.
type NetworkRmCmd struct {
	Force bool     `short:"f" help:"Remove the containers that use the network first; a network that does not exist is no error."`
	Time  *uint    `short:"t" name:"time" help:"Seconds to wait for those containers to stop before killing them (default 10)."`
	Names []string `arg:"" name:"network" help:"Networks to remove."`
}

// Run removes the networks; exit 1 for an unknown one, 2 for one in use,
// as podman.
func (c *NetworkRmCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	timeout := uint(10)
	if c.Time != nil {
		timeout = *c.Time
	}
	var last error
	for _, name := range c.Names {
		removed, err := eng.RemoveNetwork(name, c.Force, func(ctr *engine.Container) error {
			if ctr.Running() {
				if _, err := eng.Stop(g.ctx, ctr, time.Duration(timeout)*time.Second); err != nil {
					return err
				}
			}
			return eng.Remove(g.ctx, ctr, engine.RemoveOptions{Force: true})
		})
		if err != nil {
			if c.Force && errdefs.Is(err, errdefs.ClassNotFound) {
				continue // as podman's: --force ignores a network that is not there
			}
			if last != nil {
				fmt.Fprintf(os.Stderr, "Error: %v\n", last)
			}
			last = err
			continue
		}
		fmt.Println(removed)
	}
	switch {
	case errdefs.Is(last, errdefs.ClassNotFound):
		return withExit(last, 1)
	case errdefs.Is(last, errdefs.ClassConflict):
		return withExit(last, 2)
	}
	return last
}

// NetworkPruneCmd is `burrow network prune`.
type NetworkPruneCmd struct {
	Force  bool     `short:"f" help:"Do not ask for confirmation."`
	Filter []string `name:"filter" sep:"none" help:"Filter: label=, label!=, until= (repeatable)."`
}

// Run removes the unused networks.
func (c *NetworkPruneCmd) Run(g *globals) error {
	filters, err := parseKeyValues(c.Filter)
	if err != nil {
		return err
	}
	if !c.Force && !confirm("WARNING! This will remove all networks not used by at least one container.") {
		return nil
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	names, err := eng.PruneNetworks(filters)
	for _, n := range names {
		fmt.Println(n)
	}
	return err
}

// NetworkExistsCmd is `burrow network exists`.
type NetworkExistsCmd struct {
	Name string `arg:"" name:"network" help:"Network name or ID."`
}

// Run exits 0 when the network exists and 1 when not, printing nothing.
func (c *NetworkExistsCmd) Run(g *globals) error {
	return exists(func(eng *engine.Engine) error {
		_, err := eng.InspectNetwork(c.Name)
		return err
	})
}

// NetworkConnectCmd is `burrow network connect`.
type NetworkConnectCmd struct {
	Alias      []string `name:"alias" sep:"," help:"Names the container has on the network (repeatable)."`
	IP         string   `name:"ip" help:"The container's IPv4 address on the network."`
	IP6        string   `name:"ip6" help:"The container's IPv6 address on the network."`
	MACAddress string   `name:"mac-address" help:"The container's MAC address on the network."`
	Network    string   `arg:"" help:"Network name or ID."`
	Container  string   `arg:"" help:"Container name or ID."`
}

// Run connects the container; a running one gets the interface at once.
func (c *NetworkConnectCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	ctr, err := eng.Get(c.Container)
	if err != nil {
		return err
	}
	a := network.Attachment{Network: c.Network, Aliases: c.Alias, MAC: c.MACAddress}
	for _, ip := range []string{c.IP, c.IP6} {
		if ip != "" {
			a.IPs = append(a.IPs, ip)
		}
	}
	return eng.ConnectNetwork(ctr, a)
}

// NetworkDisconnectCmd is `burrow network disconnect`.
type NetworkDisconnectCmd struct {
	Force     bool   `short:"f" help:"Accepted for podman's command line: disconnecting never waits."`
	Network   string `arg:"" help:"Network name or ID."`
	Container string `arg:"" help:"Container name or ID."`
}

// Run disconnects the container; a running one loses the interface at once.
func (c *NetworkDisconnectCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	ctr, err := eng.Get(c.Container)
	if err != nil {
		return err
	}
	return eng.DisconnectNetwork(ctr, c.Network)
}

// NetworkReloadCmd is `burrow network reload`.
type NetworkReloadCmd struct {
	All        bool     `short:"a" help:"Every running container on networks."`
	Containers []string `arg:"" optional:"" help:"Containers to reload."`
}

// Run reloads the containers' networks and prints their IDs.
func (c *NetworkReloadCmd) Run(g *globals) error {
	if c.All == (len(c.Containers) > 0) {
		return invalidf("give containers or --all, not both nor neither")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	var ctrs []*engine.Container
	if c.All {
		all, err := eng.List()
		if err != nil {
			return err
		}
		for _, ctr := range all {
			if ctr.Running() && len(ctr.Config.Networks) > 0 {
				ctrs = append(ctrs, ctr)
			}
		}
	}
	for _, name := range c.Containers {
		ctr, err := eng.Get(name)
		if err != nil {
			return err
		}
		ctrs = append(ctrs, ctr)
	}
	var last error
	for _, ctr := range ctrs {
		if err := eng.ReloadNetworks(ctr); err != nil {
			if last != nil {
				fmt.Fprintf(os.Stderr, "Error: %v\n", last)
			}
			last = err
			continue
		}
		fmt.Println(ctr.ID)
	}
	return last
}

// Examples shown by `burrow network COMMAND --help`.

func (*NetworkCreateCmd) Help() string {
	return "Examples:\n  burrow network create app\n  burrow network create --subnet 10.89.5.0/24 --internal backend"
}
func (*NetworkLsCmd) Help() string {
	return "Example:\n  burrow network ls --format '{{.Name}} {{.Driver}}'"
}
func (*NetworkRmCmd) Help() string { return "Example:\n  burrow network rm -f app" }
func (*NetworkConnectCmd) Help() string {
	return "Example:\n  burrow network connect --alias cache backend web"
}
