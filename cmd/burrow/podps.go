package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	units "github.com/docker/go-units"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/engine"
)

// PodPsCmd is `burrow pod ps` (ls, list).
type PodPsCmd struct {
	CtrIDs    bool     `name:"ctr-ids" help:"Show the IDs of the pods' containers."`
	CtrNames  bool     `name:"ctr-names" help:"Show the names of the pods' containers."`
	CtrStatus bool     `name:"ctr-status" help:"Show the status of the pods' containers."`
	Filter    []string `short:"f" name:"filter" sep:"none" help:"Filter: id=, name=, label=, status=, ctr-names=, ctr-ids=, ctr-status=, ctr-number=, network= (repeatable)."`
	Format    string   `help:"Go template (podman's fields: .ID .Name .Status .Created .InfraID .NumberOfContainers .Labels .ContainerNames ...) or json."`
	Latest    bool     `short:"l" help:"Show only the latest pod created."`
	NoHeading bool     `short:"n" name:"noheading" help:"Do not print the heading."`
	Ns        bool     `name:"ns" help:"Show the pods' cgroup and namespace columns (empty: burrow's pods have no cgroup or libpod namespace of their own)."`
	NoTrunc   bool     `name:"no-trunc" help:"Do not truncate IDs."`
	Quiet     bool     `short:"q" help:"Print only the IDs."`
	Sort      string   `default:"created" enum:"created,id,name,number,status" help:"Sort by created, id, name, number (of containers) or status."`
}

// podRow is a pod as pod ps's templates see it, with podman's names.
type podRow struct {
	ID, Name, Status, Created, InfraID, Cgroup      string
	Namespace                                       string // podman's libpod namespace: none in burrow
	ContainerIds, ContainerNames, ContainerStatuses string
	Networks                                        string // comma-separated, as podman's
	NumberOfContainers                              int
	Labels                                          map[string]string
	created                                         time.Time
}

// podJSON is a pod in pod ps --format json, podman's ListPodsReport.
type podJSON struct {
	Cgroup     string             `json:"Cgroup"`
	Containers []podContainerJSON `json:"Containers"`
	Created    time.Time          `json:"Created"`
	ID         string             `json:"Id"`
	InfraID    string             `json:"InfraId"`
	Name       string             `json:"Name"`
	Namespace  string             `json:"Namespace"`
	Networks   []string           `json:"Networks"`
	Status     string             `json:"Status"`
	Labels     map[string]string  `json:"Labels"`
}

type podContainerJSON struct {
	ID     string `json:"Id"`
	Names  string `json:"Names"`
	Status string `json:"Status"`
}

func newPodRow(p *engine.Pod, noTrunc bool, now time.Time) podRow {
	trunc := func(id string) string {
		if noTrunc {
			return id
		}
		return stringid.TruncateID(id)
	}
	r := podRow{
		ID: trunc(p.ID), Name: p.Name, Status: p.State(), Created: units.HumanDuration(now.Sub(p.Created)) + " ago",
		InfraID: trunc(p.InfraID), NumberOfContainers: len(p.Containers), Labels: p.Labels, created: p.Created,
		Networks: strings.Join(podNetworks(p), ","),
	}
	if r.Labels == nil {
		r.Labels = map[string]string{}
	}
	var ids, names, states []string
	for _, c := range p.Containers {
		ids, names, states = append(ids, trunc(c.ID)), append(names, c.Name), append(states, containerState(c))
	}
	r.ContainerIds, r.ContainerNames, r.ContainerStatuses = strings.Join(ids, ","), strings.Join(names, ","), strings.Join(states, ",")
	return r
}

// Id is the pod's ID under the name podman's ListPodsReport gives it, which
// templates use as often as .ID.
func (r podRow) Id() string { return r.ID }

// InfraId is the infra's ID under podman's other name.
func (r podRow) InfraId() string { return r.InfraID }

func containerState(c *engine.Container) string {
	if c.Paused() {
		return "paused"
	}
	return c.State.Status
}

// podNetworks are the networks of the pod's infra.
func podNetworks(p *engine.Pod) []string {
	out := []string{}
	if infra := p.Infra(); infra != nil {
		for _, a := range infra.Config.Networks {
			out = append(out, a.Network)
		}
	}
	return out
}

func newPodJSON(p *engine.Pod) podJSON {
	j := podJSON{
		Containers: []podContainerJSON{}, Created: p.Created, ID: p.ID, InfraID: p.InfraID, Name: p.Name,
		Networks: podNetworks(p), Status: p.State(), Labels: p.Labels,
	}
	for _, c := range p.Containers {
		j.Containers = append(j.Containers, podContainerJSON{ID: c.ID, Names: c.Name, Status: containerState(c)})
	}
	return j
}

// podFilter selects pods of a listing.
type podFilter func(p *engine.Pod) bool

// parsePodFilters reads pod ps --filter KEY=VALUE: several values of a key
// match any of them, different keys must all match.
func parsePodFilters(specs []string) ([]podFilter, error) {
	byKey := map[string][]podFilter{}
	var keys []string
	for _, f := range specs {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, invalidf("invalid filter %q: use KEY=VALUE", f)
		}
		fn, err := podFilterFor(k, v)
		if err != nil {
			return nil, err
		}
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], fn)
	}
	var out []podFilter
	for _, k := range keys {
		any := byKey[k]
		out = append(out, func(p *engine.Pod) bool {
			return slices.ContainsFunc(any, func(f podFilter) bool { return f(p) })
		})
	}
	return out, nil
}

func podFilterFor(k, v string) (podFilter, error) {
	anyCtr := func(match func(c *engine.Container) bool) podFilter {
		return func(p *engine.Pod) bool { return slices.ContainsFunc(p.Containers, match) }
	}
	switch k {
	case "id":
		return func(p *engine.Pod) bool { return strings.HasPrefix(p.ID, v) }, nil
	case "name":
		re, err := regexp.Compile(v)
		if err != nil {
			return nil, invalidf("invalid name filter %q: %v", v, err)
		}
		return func(p *engine.Pod) bool { return re.MatchString(p.Name) }, nil
	case "label":
		lk, lv, hasValue := strings.Cut(v, "=")
		return func(p *engine.Pod) bool {
			got, ok := p.Labels[lk]
			return ok && (!hasValue || got == lv)
		}, nil
	case "status":
		if !slices.Contains([]string{"created", "running", "stopped", "paused", "exited", "dead", "degraded", "error"}, v) {
			return nil, invalidf("invalid status filter %q: use created, running, stopped, paused, exited, degraded or error", v)
		}
		return func(p *engine.Pod) bool { return strings.EqualFold(p.State(), v) }, nil
	case "ctr-names":
		return anyCtr(func(c *engine.Container) bool { return c.Name == v }), nil
	case "ctr-ids":
		return anyCtr(func(c *engine.Container) bool { return strings.HasPrefix(c.ID, v) }), nil
	case "ctr-status":
		return anyCtr(func(c *engine.Container) bool { return containerState(c) == v }), nil
	case "ctr-number":
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, invalidf("invalid ctr-number filter %q: give a number", v)
		}
		return func(p *engine.Pod) bool { return len(p.Containers) == n }, nil
	case "network":
		return func(p *engine.Pod) bool { return slices.Contains(podNetworks(p), v) }, nil
	}
	return nil, invalidf("unsupported filter %q: burrow knows id, name, label, status, ctr-names, ctr-ids, ctr-status, ctr-number and network", k)
}

// Run lists the pods.
func (c *PodPsCmd) Run(g *globals) error {
	if c.Quiet && c.Format != "" {
		return invalidf("quiet and format cannot be used together: drop one of them")
	}
	filters, err := parsePodFilters(c.Filter)
	if err != nil {
		return err
	}
	var tmpl *template.Template
	format := podFormat(c.Format)
	table := strings.HasPrefix(format, "table ")
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
	pods, err := eng.ListPods()
	if err != nil {
		return err
	}
	var sel []*engine.Pod
	for _, p := range pods {
		if slices.IndexFunc(filters, func(f podFilter) bool { return !f(p) }) < 0 {
			sel = append(sel, p)
		}
	}
	if c.Latest && len(sel) > 1 {
		sel = sel[len(sel)-1:]
	}
	c.sort(sel)
	now := time.Now()
	switch {
	case format == "json":
		out := []podJSON{}
		for _, p := range sel {
			out = append(out, newPodJSON(p))
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Println(string(b))
	case c.Quiet:
		for _, p := range sel {
			fmt.Println(newPodRow(p, c.NoTrunc, now).ID)
		}
	case tmpl != nil:
		w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		if table && !c.NoHeading {
			fmt.Fprintln(w, podTableHeading(strings.TrimPrefix(format, "table "), podTableHeadings))
		}
		for _, p := range sel {
			if err := tmpl.Execute(w, newPodRow(p, c.NoTrunc, now)); err != nil {
				return invalidf("--format: %v", err)
			}
		}
		w.Flush()
	default:
		c.printTable(sel, now)
	}
	return nil
}

// sort orders the pods as --sort says, newest first by default (podman's).
func (c *PodPsCmd) sort(pods []*engine.Pod) {
	key := func(p *engine.Pod) string {
		switch c.Sort {
		case "id":
			return p.ID
		case "name":
			return p.Name
		case "status":
			return p.State()
		case "number":
			return fmt.Sprintf("%09d", len(p.Containers))
		}
		return ""
	}
	sort.SliceStable(pods, func(i, j int) bool {
		if c.Sort == "created" || c.Sort == "" {
			return pods[i].Created.After(pods[j].Created)
		}
		return key(pods[i]) < key(pods[j])
	})
}

// printTable prints podman's default columns, with the containers' IDs,
// names or statuses when asked for.
func (c *PodPsCmd) printTable(pods []*engine.Pod, now time.Time) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	head := []string{"POD ID", "NAME", "STATUS", "CREATED", "INFRA ID"}
	if c.Ns {
		head = append(head, "CGROUP", "NAMESPACES")
	}
	switch {
	case c.CtrIDs:
		head = append(head, "IDS")
	case c.CtrNames:
		head = append(head, "NAMES")
	case c.CtrStatus:
		head = append(head, "STATUS")
	default:
		head = append(head, "# OF CONTAINERS")
	}
	if !c.NoHeading {
		fmt.Fprintln(w, strings.Join(head, "\t"))
	}
	for _, p := range pods {
		r := newPodRow(p, c.NoTrunc, now)
		last := strconv.Itoa(r.NumberOfContainers)
		switch {
		case c.CtrIDs:
			last = r.ContainerIds
		case c.CtrNames:
			last = r.ContainerNames
		case c.CtrStatus:
			last = r.ContainerStatuses
		}
		cols := []string{r.ID, r.Name, r.Status, r.Created, r.InfraID}
		if c.Ns {
			cols = append(cols, r.Cgroup, r.Namespace)
		}
		fmt.Fprintln(w, strings.Join(append(cols, last), "\t"))
	}
	w.Flush()
}

// podTableHeadings are podman's column names of pod ps's fields.
var podTableHeadings = map[string]string{
	"ID": "POD ID", "InfraID": "INFRA ID", "NumberOfContainers": "# OF CONTAINERS", "ContainerIds": "IDS",
	"ContainerNames": "NAMES", "ContainerStatuses": "STATUS", "Id": "POD ID", "InfraId": "INFRA ID",
}

// podTableHeading is the heading of a table template of the pod commands:
// each field's column name from names, or the field's name in capitals.
func podTableHeading(format string, names map[string]string) string {
	var parts []string
	for _, f := range strings.Split(format, "\t") {
		f = strings.TrimSpace(f)
		f = strings.TrimSuffix(strings.TrimPrefix(f, "{{"), "}}")
		f = strings.TrimPrefix(strings.TrimSpace(f), ".")
		if n, ok := names[f]; ok {
			f = n
		}
		parts = append(parts, strings.ToUpper(f))
	}
	return strings.Join(parts, "\t")
}

// podFormat is a --format as the shell gave it, its \t and \n written out
// as podman's templates take them.
func podFormat(f string) string {
	return strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(f)
}
