package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	units "github.com/docker/go-units"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/engine"
)

// PsCmd is `burrow ps`.
type PsCmd struct {
	All       bool     `short:"a" help:"Show all containers (default: running ones)."`
	Quiet     bool     `short:"q" help:"Print only the IDs."`
	Latest    bool     `short:"l" help:"Show only the latest container created."`
	Last      int      `short:"n" default:"-1" help:"Show the N containers created last (all states)."`
	NoTrunc   bool     `name:"no-trunc" help:"Do not truncate IDs and commands."`
	Filter    []string `short:"f" name:"filter" sep:"none" help:"Filter: status=, name=, id=, ancestor=, exited=, label=, label!=, before=, since=, until=, volume=, network=, health=, restart-policy=, command=, pod= (repeatable)."`
	Format    string   `help:"Go template (podman's fields: .ID .Image .Command .CreatedHuman .Status .State .Ports .Names .Labels .Mounts .Networks .Pod .Size ...) or json."`
	Noheading bool     `name:"noheading" help:"Do not print the header line."`
	Sort      string   `name:"sort" enum:"command,created,id,image,names,runningfor,size,status,pod," default:"" help:"Sort by command, created, id, image, names, runningfor, size, status or pod."`
	Size      bool     `short:"s" help:"Show each container's disk use."`
	NS        bool     `name:"ns" help:"Show each running container's namespaces (their inode numbers)."`
	Pod       bool     `short:"p" name:"pod" help:"Show the pod of each container (its ID and name)."`
	// Sync is podman's state sync with the OCI runtime: burrow checks
	// every container's processes at each listing anyway.
	Sync bool `name:"sync" help:"Accepted for podman: burrow always checks the containers' processes."`

	// External adds the store's containers of other tools (buildah's, podman's).
	External bool `help:"Show the store's containers burrow did not make (buildah's, podman's), in state storage."`
}

// psRow is a container as ps's templates and JSON see it (podman's names).
type psRow struct {
	AutoRemove bool                  `json:"AutoRemove"`
	Command    []string              `json:"Command"`
	CreatedAt  string                `json:"CreatedAt"`
	Exited     bool                  `json:"Exited"`
	ExitedAt   int64                 `json:"ExitedAt"`
	ExitCode   int                   `json:"ExitCode"`
	ID         string                `json:"Id"`
	Image      string                `json:"Image"`
	ImageID    string                `json:"ImageID"`
	IsInfra    bool                  `json:"IsInfra"`
	Labels     map[string]string     `json:"Labels"`
	Mounts     []string              `json:"Mounts"`
	Names      []string              `json:"Names"`
	Networks   []string              `json:"Networks"`
	Pid        int                   `json:"Pid"`
	Pod        string                `json:"Pod"`
	PodName    string                `json:"PodName"`
	Ports      []string              `json:"Ports"`
	Restarts   int                   `json:"Restarts"`
	Size       *engine.ContainerSize `json:"Size"`
	Namespaces *psNamespaces         `json:"Namespaces,omitempty"`
	StartedAt  int64                 `json:"StartedAt"`
	State      string                `json:"State"`
	Status     string                `json:"Status"`
	Created    int64                 `json:"Created"`

	noTrunc bool
	created time.Time
}

// psTemplateRow is what a --format template sees: strings where podman's
// templates have strings.
type psTemplateRow struct {
	ID, Image, ImageID, Command, CreatedHuman, CreatedAt, RunningFor, Status, State, Ports, Names string
	Networks, Pod, PodName, Size, Restarts                                                        string
	Pid, ExitCode                                                                                 int
	StartedAt, ExitedAt                                                                           int64
	Created                                                                                       time.Time
	AutoRemove, Exited, IsInfra                                                                   bool
	Labels                                                                                        map[string]string
	Mounts                                                                                        []string
	Namespaces                                                                                    psNamespaces
}

// Label is the value of one of the container's labels ({{.Label "k"}}).
func (t psTemplateRow) Label(name string) string { return t.Labels[name] }

func newPsRow(c *engine.Container, now time.Time) psRow {
	r := psRow{
		AutoRemove: c.Config.Remove, Command: c.Args, ExitCode: c.State.ExitCode, ID: c.ID,
		Image: c.Image, ImageID: c.ImageID, Names: []string{c.Name}, State: c.State.Status,
		Created: c.Created.Unix(), created: c.Created, Ports: []string{}, Labels: c.Config.Labels,
		Mounts: []string{}, Networks: []string{}, Restarts: c.State.RestartCount,
		CreatedAt: units.HumanDuration(now.Sub(c.Created)) + " ago", Pod: c.Config.Pod, IsInfra: c.Config.PodInfra != "",
	}
	if r.Image == "" {
		r.Image = c.Config.Rootfs
	}
	for _, p := range c.Ports() {
		r.Ports = append(r.Ports, p.HostAddr()+"->"+p.ContainerPortProto())
	}
	for _, m := range c.Config.Mounts {
		r.Mounts = append(r.Mounts, m.Destination)
	}
	for _, a := range c.Config.Networks {
		r.Networks = append(r.Networks, a.Network)
	}
	if !c.State.StartedAt.IsZero() {
		r.StartedAt = c.State.StartedAt.Unix()
	}
	switch c.State.Status {
	case engine.StatusRunning:
		r.Pid = c.State.Pid
		r.Status = "Up " + units.HumanDuration(now.Sub(c.State.StartedAt))
		if c.Paused() {
			r.State, r.Status = "paused", "Paused"
		}
		if c.State.MonitorGone {
			r.Status += " (monitor gone)"
		}
	case engine.StatusExited:
		r.Exited = true
		r.ExitedAt = c.State.FinishedAt.Unix()
		r.Status = fmt.Sprintf("Exited (%d) %s ago", c.State.ExitCode, units.HumanDuration(now.Sub(c.State.FinishedAt)))
	default:
		r.Status = "Created"
	}
	return r
}

func (r psRow) template() psTemplateRow {
	id, cmd, pod := r.ID, strings.Join(r.Command, " "), r.Pod
	if !r.noTrunc {
		id, pod = stringid.TruncateID(id), stringid.TruncateID(pod)
		if len(cmd) > 20 {
			cmd = cmd[:17] + "..."
		}
	}
	t := psTemplateRow{
		ID: id, Image: r.Image, ImageID: r.ImageID, Command: cmd, CreatedHuman: r.CreatedAt,
		CreatedAt: r.created.Format("2006-01-02 15:04:05.999999999 -0700 MST"), RunningFor: r.CreatedAt,
		Status: r.Status, State: r.State, Ports: strings.Join(r.Ports, ", "), Names: strings.Join(r.Names, ","),
		Networks: strings.Join(r.Networks, ","), Pod: pod, PodName: r.PodName, Restarts: fmt.Sprint(r.Restarts),
		Pid: r.Pid, ExitCode: r.ExitCode, StartedAt: r.StartedAt, ExitedAt: r.ExitedAt, Created: r.created,
		AutoRemove: r.AutoRemove, Exited: r.Exited, IsInfra: r.IsInfra, Labels: r.Labels, Mounts: r.Mounts,
	}
	if r.Namespaces != nil {
		t.Namespaces = *r.Namespaces
	}
	if r.Size != nil {
		t.Size = fmt.Sprintf("%s (virtual %s)", units.HumanSizeWithPrecision(float64(r.Size.RwSize), 3), units.HumanSizeWithPrecision(float64(r.Size.RootFsSize), 3))
	}
	return t
}

// sortRows orders ps's rows as podman's --sort does.
func sortRows(rows []psRow, key string) {
	less := map[string]func(a, b psRow) bool{
		"command":    func(a, b psRow) bool { return strings.Join(a.Command, " ") < strings.Join(b.Command, " ") },
		"created":    func(a, b psRow) bool { return a.created.Before(b.created) },
		"id":         func(a, b psRow) bool { return a.ID < b.ID },
		"image":      func(a, b psRow) bool { return a.Image < b.Image },
		"names":      func(a, b psRow) bool { return a.Names[0] < b.Names[0] },
		"runningfor": func(a, b psRow) bool { return a.StartedAt < b.StartedAt },
		"status":     func(a, b psRow) bool { return a.State < b.State },
		"pod":        func(a, b psRow) bool { return a.Pod < b.Pod },
		"size": func(a, b psRow) bool {
			return a.Size != nil && b.Size != nil && a.Size.RootFsSize < b.Size.RootFsSize
		},
	}[key]
	if less != nil {
		sort.SliceStable(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
	}
}

// jsonView is v as its JSON shows it, for --format templates of inspect:
// {{.Id}} and {{.State.Status}} name what the JSON output names.
func jsonView(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return v
	}
	return out
}

var templateFuncs = template.FuncMap{
	"json": func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	},
	"upper": strings.ToUpper,
	"lower": strings.ToLower,
	"join":  strings.Join,
}

// Run lists the containers.
func (p *PsCmd) Run(g *globals) error {
	if p.Last >= 0 && p.Latest {
		return invalidf("last and latest are mutually exclusive")
	}
	var podFilters, other []string
	for _, f := range p.Filter {
		if v, ok := strings.CutPrefix(f, "pod="); ok {
			podFilters = append(podFilters, v)
		} else {
			other = append(other, f)
		}
	}
	if p.Quiet && (p.Size || p.NS) {
		return invalidf("quiet conflicts with size and namespace")
	}
	var tmpl *template.Template
	var err error
	format := p.Format
	if format != "" && format != "json" {
		format = strings.TrimPrefix(format, "table ")
		if tmpl, err = template.New("format").Funcs(templateFuncs).Parse(format + "\n"); err != nil {
			return invalidf("invalid --format template: %v", err)
		}
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	filters, err := eng.ParseFilters(other)
	if err != nil {
		return err
	}
	ctrs, err := eng.List()
	if err != nil {
		return err
	}
	podNames := eng.PodNames()
	if len(podFilters) > 0 {
		filters = append(filters, inPods(podFilters, podNames))
	}
	// As podman: a status or exited filter, and --last, look at every
	// container, not only running ones.
	all := p.All || p.Latest || p.Last >= 0
	for _, f := range p.Filter {
		all = all || strings.HasPrefix(f, "status=") || strings.HasPrefix(f, "exited=")
	}
	var sel []*engine.Container
	for _, c := range ctrs {
		if (all || c.Running()) && c.Matches(filters) {
			sel = append(sel, c)
		}
	}
	if p.Latest && len(sel) > 1 {
		sel = sel[len(sel)-1:]
	}
	if p.Last >= 0 && len(sel) > p.Last {
		sel = sel[len(sel)-p.Last:]
	}
	// --size in the template asks for the sizes, as podman's does; so
	// does .PodName for the pods' names.
	withSize := p.Size || p.Sort == "size" || strings.Contains(p.Format, ".Size")
	now := time.Now()
	rows := make([]psRow, 0, len(sel))
	for _, c := range sel {
		r := newPsRow(c, now)
		if h := eng.Health(c); h != nil && c.State.Status == engine.StatusRunning && !c.Paused() {
			r.Status += " (" + h.Status + ")" // podman's: (starting), (healthy), (unhealthy)
		}
		r.noTrunc = p.NoTrunc
		r.PodName = podNames[c.Config.Pod]
		if (p.NS || strings.Contains(p.Format, ".Namespaces")) && c.Running() {
			r.Namespaces = namespacesOf(c.State.Pid)
		}
		if withSize {
			size, err := eng.Size(c)
			if err != nil {
				return err
			}
			r.Size = &size
		}
		rows = append(rows, r)
	}
	if p.External {
		if rows, err = withExternal(eng, rows, now); err != nil {
			return err
		}
	}
	sortRows(rows, p.Sort)
	switch {
	case p.Format == "json":
		b, _ := json.MarshalIndent(rows, "", "  ")
		fmt.Println(string(b))
	case p.Quiet && tmpl == nil:
		for _, r := range rows {
			fmt.Println(r.template().ID)
		}
	case tmpl != nil:
		w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		for _, r := range rows {
			if err := tmpl.Execute(w, r.template()); err != nil {
				return invalidf("--format: %v", err)
			}
		}
		w.Flush()
	case p.NS:
		p.nsTable(rows)
	default:
		p.table(rows)
	}
	return nil
}

// table prints ps's default columns, with the pod's and the size's when
// asked for.
func (p *PsCmd) table(rows []psRow) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	if !p.Noheading {
		head := "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES"
		if p.Pod {
			head += "\tPOD ID\tPODNAME"
		}
		if p.Size {
			head += "\tSIZE"
		}
		fmt.Fprintln(w, head)
	}
	for _, r := range rows {
		t := r.template()
		line := strings.Join([]string{t.ID, t.Image, t.Command, t.CreatedHuman, t.Status, t.Ports, t.Names}, "\t")
		if p.Pod {
			line += "\t" + t.Pod + "\t" + t.PodName
		}
		if p.Size {
			line += "\t" + t.Size
		}
		fmt.Fprintln(w, line)
	}
	w.Flush()
}

// inPods is ps --filter pod=: containers of the pods the values name,
// by name or ID prefix.
func inPods(values []string, podNames map[string]string) engine.Filter {
	return func(c *engine.Container) bool {
		if c.Config.Pod == "" {
			return false
		}
		for _, v := range values {
			if podNames[c.Config.Pod] == v || strings.HasPrefix(c.Config.Pod, v) {
				return true
			}
		}
		return false
	}
}
