package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/errdefs"
)

// Pods, as podman's: a group of containers that share namespaces of one
// of them, the pod's infra container (by default its network, IPC and UTS
// namespaces). A pod is a record beside the containers'
// (<graph root>/burrow/pods/<ID>/pod.json); its containers name it in
// Config.Pod, and its state is derived from theirs.
//
// Crash consistency follows the containers' (reconcile.go). pod create
// writes the record with Launch set before it makes the infra container,
// and clears it once the infra exists: a record whose Launch names a
// process that is gone is removed, with whatever infra it got, by the next
// reader. pod rm sets Removing before it removes the containers, and the
// next pod rm finishes what a cut-off one left. A container joins a pod
// only under the engine lock, while the pod is neither being made nor
// removed, so no member outlives its pod.

// Pod states, derived from the containers' as podman derives them.
const (
	PodCreated  = "Created"
	PodRunning  = "Running"
	PodDegraded = "Degraded"
	PodPaused   = "Paused"
	PodStopped  = "Stopped"
	PodExited   = "Exited"
)

// Kinds of infra container (Config.PodInfra).
const (
	// InfraBuiltin runs burrow's own pause process (infra/) on an empty
	// image made locally: no pull, no registry.
	InfraBuiltin = "builtin"
	// InfraImage runs an image's own process (pod create --infra-image).
	InfraImage = "image"
)

// Exit policies of a pod (pod create --exit-policy).
const (
	ExitPolicyContinue = "continue" // the pod runs on when its last container exits
	ExitPolicyStop     = "stop"     // the infra stops when the last container exits
)

// podShareOrder is how podman lists shared namespaces.
var podShareOrder = []string{"uts", "ipc", "net", "pid", "cgroup"}

// defaultShare is what a pod shares unless told otherwise.
var defaultShare = []string{"uts", "ipc", "net"}

// PodRecord is a pod as stored on disk.
type PodRecord struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Created  time.Time         `json:"created"`
	Labels   map[string]string `json:"labels,omitempty"`
	Hostname string            `json:"hostname,omitempty"` // "": the pod's name
	// Share are the namespaces of the infra that members join.
	Share         []string `json:"share"`
	InfraID       string   `json:"infraId,omitempty"`
	ExitPolicy    string   `json:"exitPolicy"`
	CreateCommand []string `json:"createCommand,omitempty"`
	// Launch is set while pod create makes the pod.
	Launch *Launch `json:"launch,omitempty"`
	// Removing is set by pod rm before it removes the containers.
	Removing bool `json:"removing,omitempty"`
	// ShmSize is the size of the /dev/shm members sharing IPC bind, in
	// bytes (0: podman's 64 MiB); NoHosts leaves every container of the
	// pod its image's /etc/hosts (pod create --shm-size, --no-hosts).
	ShmSize int64 `json:"shmSize,omitempty"`
	NoHosts bool  `json:"noHosts,omitempty"`
}

// hostname is the hostname of the pod's containers that share its UTS
// namespace.
func (p *PodRecord) hostname() string {
	if p.Hostname != "" {
		return p.Hostname
	}
	return p.Name
}

// shares tells whether the pod's members join its infra's namespace ns.
func (p *PodRecord) shares(ns string) bool {
	return p.InfraID != "" && slices.Contains(p.Share, ns)
}

// PodOptions are what pod create asks for.
type PodOptions struct {
	Name     string
	Labels   map[string]string
	Hostname string
	// Share are the namespaces members join (ParseShare); nil: uts, ipc,
	// net.
	Share []string
	// NoInfra makes a pod without an infra container, whose members share
	// nothing.
	NoInfra bool
	// InfraImage runs the infra from an image instead of burrow's
	// built-in pause process; InfraCommand replaces its entrypoint;
	// InfraName names it (default: the pod ID's first 12 digits, -infra).
	InfraImage   string
	InfraCommand []string
	InfraName    string
	ExitPolicy   string
	// Mounts are pod create -v's, VolumesFrom its --volumes-from: the
	// infra's and so every member's.
	Mounts      []MountSpec
	VolumesFrom []string
	// Net are the pod's network settings, given to its infra: Network,
	// AllowHostLoopback, Networks, Ports, DNS and AddHosts.
	Net           Config
	CreateCommand []string
	ShmSize       int64 // bytes of the pod's /dev/shm; 0: 64 MiB
	NoHosts       bool  // no /etc/hosts of burrow's in the pod's containers
}

// Pod is a pod with its containers, the infra first.
type Pod struct {
	PodRecord
	Containers []*Container
}

// Infra is the pod's infra container, nil when it has none.
func (p *Pod) Infra() *Container {
	for _, c := range p.Containers {
		if c.ID == p.InfraID {
			return c
		}
	}
	return nil
}

// Members are the pod's containers but its infra.
func (p *Pod) Members() []*Container {
	var out []*Container
	for _, c := range p.Containers {
		if c.ID != p.InfraID {
			out = append(out, c)
		}
	}
	return out
}

// State is the pod's state, from its containers' as podman derives it: all
// running is Running, some Degraded; all paused Paused; all stopped
// Exited, some Stopped; otherwise (none, or created) Created.
func (p *Pod) State() string {
	n := len(p.Containers)
	var running, paused, stopped int
	for _, c := range p.Containers {
		switch {
		case c.Paused():
			paused++
		case c.Running():
			running++
		case c.State.Status == StatusExited:
			stopped++
		}
	}
	switch {
	case n == 0:
		return PodCreated
	case running == n:
		return PodRunning
	case running > 0:
		return PodDegraded
	case paused == n:
		return PodPaused
	case stopped == n:
		return PodExited
	case stopped > 0:
		return PodStopped
	}
	return PodCreated
}

// ParseShare reads pod create --share: namespaces among cgroup, ipc, net,
// pid and uts, comma-separated, none, or +NS,... to add to the default.
func ParseShare(v string) ([]string, error) {
	if v == "" {
		return nil, nil
	}
	set := map[string]bool{}
	if rest, ok := strings.CutPrefix(v, "+"); ok {
		for _, ns := range defaultShare {
			set[ns] = true
		}
		v = rest
	}
	for _, ns := range strings.Split(v, ",") {
		switch {
		case ns == "none" && len(set) == 0:
			continue
		case !slices.Contains(podShareOrder, ns):
			return nil, errdefs.Invalid(fmt.Errorf("invalid kernel namespace to share: %s. Options are: cgroup, ipc, net, pid, uts or none", ns))
		}
		set[ns] = true
	}
	out := []string{}
	for _, ns := range podShareOrder {
		if set[ns] {
			out = append(out, ns)
		}
	}
	return out, nil
}

func (e *Engine) podsDir() string { return filepath.Join(e.burrowDir(), "pods") }

func (e *Engine) podDir(id string) string { return filepath.Join(e.podsDir(), id) }

// writePod stores p atomically. The caller holds the engine lock.
func (e *Engine) writePod(p *PodRecord) error {
	if err := os.MkdirAll(e.podDir(p.ID), 0o700); err != nil {
		return err
	}
	return writeJSON(filepath.Join(e.podDir(p.ID), "pod.json"), p)
}

func (e *Engine) readPod(id string) (*PodRecord, error) {
	b, err := os.ReadFile(filepath.Join(e.podDir(id), "pod.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errdefs.NotFound(fmt.Errorf("pod %s: no such pod", id))
	}
	if err != nil {
		return nil, err
	}
	var p PodRecord
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("reading the record of pod %s: %w", stringid.TruncateID(id), err)
	}
	return &p, nil
}

// podRecords reads every pod's record, oldest first.
func (e *Engine) podRecords() ([]*PodRecord, error) {
	ents, err := os.ReadDir(e.podsDir())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var out []*PodRecord
	for _, ent := range ents {
		if p, err := e.readPod(ent.Name()); err == nil {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// findPod resolves a pod's name, ID or unique ID prefix, repairing a pod
// whose creation was cut off.
func (e *Engine) findPod(nameOrID string) (*PodRecord, error) {
	if nameOrID == "" {
		return nil, errdefs.Invalid(errors.New("no pod name or ID given"))
	}
	recs, err := e.podRecords()
	if err != nil {
		return nil, err
	}
	var match []*PodRecord
	for _, p := range recs {
		if p.ID == nameOrID || p.Name == nameOrID {
			match = []*PodRecord{p}
			break
		}
		if strings.HasPrefix(p.ID, nameOrID) {
			match = append(match, p)
		}
	}
	switch {
	case len(match) > 1:
		return nil, errdefs.Invalid(fmt.Errorf("more than one pod matches the ID prefix %q: give more of the ID or the name", nameOrID))
	case len(match) == 0 || !e.settledPod(match[0]):
		return nil, errdefs.NotFound(fmt.Errorf("pod %q: no such pod (burrow pod ps lists them)", nameOrID))
	}
	return match[0], nil
}

// settledPod repairs p if its creation was cut off; it reports whether
// the pod still exists.
func (e *Engine) settledPod(p *PodRecord) bool {
	if p.Launch == nil || p.Launch.ownerAlive() {
		return true
	}
	unlock, err := e.lock()
	if err != nil {
		return true
	}
	defer unlock()
	if cur, err := e.readPod(p.ID); err != nil || cur.Launch == nil || cur.Launch.ownerAlive() {
		return err == nil
	}
	recs, _ := e.records()
	for _, r := range recs {
		if r.Config.Pod == p.ID {
			e.teardownNetwork(r.ID)
			e.discardLocked(r)
		}
	}
	os.RemoveAll(e.podDir(p.ID))
	return false
}

// GetPod returns the pod a name, an ID or a unique ID prefix names, with
// its containers.
func (e *Engine) GetPod(nameOrID string) (*Pod, error) {
	rec, err := e.findPod(nameOrID)
	if err != nil {
		return nil, err
	}
	ctrs, err := e.List()
	if err != nil {
		return nil, err
	}
	return podOf(rec, ctrs), nil
}

// ListPods returns every pod with its containers, oldest first.
func (e *Engine) ListPods() ([]*Pod, error) {
	recs, err := e.podRecords()
	if err != nil {
		return nil, err
	}
	ctrs, err := e.List()
	if err != nil {
		return nil, err
	}
	var out []*Pod
	for _, rec := range recs {
		if e.settledPod(rec) {
			out = append(out, podOf(rec, ctrs))
		}
	}
	return out, nil
}

// podOf gathers rec's containers from ctrs (oldest first), the infra first.
func podOf(rec *PodRecord, ctrs []*Container) *Pod {
	p := &Pod{PodRecord: *rec}
	for _, c := range ctrs {
		if c.Config.Pod == rec.ID {
			p.Containers = append(p.Containers, c)
		}
	}
	sort.SliceStable(p.Containers, func(i, j int) bool {
		return p.Containers[i].ID == rec.InfraID && p.Containers[j].ID != rec.InfraID
	})
	return p
}

// PodNames maps pod IDs to names, for listings of containers.
func (e *Engine) PodNames() map[string]string {
	recs, _ := e.podRecords()
	out := map[string]string{}
	for _, p := range recs {
		out[p.ID] = p.Name
	}
	return out
}

// CreatePod makes a pod and its infra container (not started, as
// podman's). pull fetches a missing --infra-image. A failed CreatePod
// leaves nothing behind.
func (e *Engine) CreatePod(ctx context.Context, o PodOptions, pull PullFunc) (*Pod, error) {
	rec, err := newPodRecord(o)
	if err != nil {
		return nil, err
	}
	var infra *Config
	if !o.NoInfra {
		if infra, err = e.infraConfig(ctx, rec, o, pull); err != nil {
			return nil, err
		}
	}
	if err := e.reservePod(rec); err != nil {
		return nil, err
	}
	crashPoint("pod")
	if infra != nil {
		ctr, err := e.Create(ctx, *infra, pull)
		if err != nil {
			e.dropPod(rec.ID)
			return nil, fmt.Errorf("creating the infra container of pod %s: %w", rec.Name, err)
		}
		e.Release(ctr)
		rec.InfraID = ctr.ID
	}
	rec.Launch = nil
	if err := e.updatePod(rec); err != nil {
		e.dropPod(rec.ID)
		return nil, err
	}
	p, err := e.GetPod(rec.ID)
	if err == nil {
		e.recordEvents(podEvent("create", p))
	}
	return p, err
}

// newPodRecord checks o and makes the pod's record, not yet stored.
func newPodRecord(o PodOptions) (*PodRecord, error) {
	if o.Name != "" && !validName(o.Name) {
		return nil, errdefs.Invalid(fmt.Errorf("invalid pod name %q: use letters, digits and _.- (starting with a letter or digit)", o.Name))
	}
	policy := o.ExitPolicy
	switch policy {
	case "":
		policy = ExitPolicyContinue
	case ExitPolicyContinue, ExitPolicyStop:
	default:
		return nil, errdefs.Invalid(fmt.Errorf("running pod create option: invalid pod exit policy: %q: use continue or stop", policy))
	}
	share := o.Share
	switch {
	case o.NoInfra && len(share) > 0:
		return nil, errdefs.Invalid(errors.New("a pod without an infra container (--infra=false) cannot share namespaces: drop --share or the --infra=false"))
	case o.NoInfra:
		share = []string{}
	case share == nil:
		share = defaultShare
	}
	n := o.Net
	if o.NoInfra && (n.Network != "" || len(n.Networks) > 0 || len(n.Ports) > 0 || len(n.DNS) > 0 || len(n.AddHosts) > 0 || len(n.DNSSearch) > 0 || len(n.DNSOptions) > 0 || len(n.Sysctls) > 0) {
		return nil, errdefs.Invalid(errors.New("a pod without an infra container (--infra=false) has no network of its own: drop --network, -p, --dns, --dns-search, --dns-option, --add-host and --sysctl, or give them to its containers"))
	}
	if o.NoHosts && len(n.AddHosts) > 0 {
		return nil, errdefs.Invalid(errors.New("--no-hosts and --add-host cannot be set together"))
	}
	rec := &PodRecord{
		ID: newID(), Name: o.Name, Created: time.Now(), Labels: o.Labels, Hostname: o.Hostname,
		Share: share, ExitPolicy: policy, CreateCommand: o.CreateCommand, ShmSize: o.ShmSize, NoHosts: o.NoHosts,
	}
	rec.Launch = &Launch{Kind: launchCreate, Pid: os.Getpid(), Start: procStart(os.Getpid())}
	return rec, nil
}

// infraConfig is the configuration of the pod's infra container; it makes
// the built-in infra image, or pulls --infra-image (or containers.conf's
// infra_image), when missing.
func (e *Engine) infraConfig(ctx context.Context, rec *PodRecord, o PodOptions, pull PullFunc) (*Config, error) {
	c := o.Net
	c.Name = o.InfraName
	if c.Name == "" {
		c.Name = rec.ID[:12] + "-infra"
	}
	if other, err := e.find(c.Name); err == nil && other.Name == c.Name {
		return nil, errdefs.Conflict(fmt.Errorf("creating pod %s: the container name %q is already in use by %s. You have to remove that container to be able to reuse that name: that name is already in use (or give pod create another --infra-name)", rec.Name, c.Name, other.ID))
	}
	if conf, err := e.conf(); err == nil {
		if o.InfraImage == "" {
			o.InfraImage = conf.Engine.InfraImage
		}
		if len(o.InfraCommand) == 0 && conf.Engine.InfraCommand != "" {
			o.InfraCommand = []string{conf.Engine.InfraCommand}
		}
	}
	c.Pod = rec.ID
	c.Labels = maps.Clone(o.Labels)
	c.Mounts, c.VolumesFrom = o.Mounts, o.VolumesFrom
	if o.InfraImage != "" {
		c.Image, c.PodInfra = o.InfraImage, InfraImage
		if _, err := e.LookupImage(c.Image); errdefs.Is(err, errdefs.ClassNotFound) && pull != nil {
			if err := pull(ctx, c.Image); err != nil {
				return nil, err
			}
		}
	} else {
		name, err := e.builtinInfraImage(ctx)
		if err != nil {
			return nil, err
		}
		c.Image, c.PodInfra = name, InfraBuiltin
	}
	if len(o.InfraCommand) > 0 {
		entry := o.InfraCommand[0]
		c.Entrypoint, c.Command = &entry, o.InfraCommand[1:]
	}
	// The infra holds the UTS namespace members share: its hostname is
	// the pod's, and so is the name its /etc/hosts gives it.
	c.Hostname = rec.hostname()
	return &c, nil
}

// reservePod stores a new pod's record, its name checked and claimed
// under the engine lock.
func (e *Engine) reservePod(rec *PodRecord) error {
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	recs, err := e.podRecords()
	if err != nil {
		return err
	}
	taken := map[string]string{}
	for _, p := range recs {
		taken[p.Name] = p.ID
	}
	if rec.Name == "" {
		for rec.Name = generateName(); taken[rec.Name] != ""; {
			rec.Name = generateName() + "_" + rec.ID[:6]
		}
	} else if id := taken[rec.Name]; id != "" {
		return errdefs.Conflict(fmt.Errorf("creating pod %q: the name is in use by pod %s: choose another with --name, or replace it with pod create --replace", rec.Name, stringid.TruncateID(id)))
	}
	return e.writePod(rec)
}

// updatePod writes rec under the engine lock.
func (e *Engine) updatePod(rec *PodRecord) error {
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return e.writePod(rec)
}

// dropPod removes a pod whose creation failed: its containers and record.
func (e *Engine) dropPod(id string) {
	unlock, err := e.lock()
	if err != nil {
		return
	}
	defer unlock()
	recs, _ := e.records()
	for _, r := range recs {
		if r.Config.Pod == id {
			e.teardownNetwork(r.ID)
			e.discardLocked(r)
		}
	}
	os.RemoveAll(e.podDir(id))
}

// joinPodLocked lets a container being created join its pod: the pod
// must exist and be neither being made (but for its infra) nor removed.
// The caller holds the engine lock.
func (e *Engine) joinPodLocked(r *Record) error {
	if r.Config.Pod == "" {
		return nil
	}
	p, err := e.readPod(r.Config.Pod)
	if err != nil {
		return err
	}
	switch {
	case p.Removing:
		return errdefs.Conflict(fmt.Errorf("pod %s is being removed: no container can join it", p.Name))
	case p.Launch != nil && r.Config.PodInfra == "":
		return errdefs.Conflict(fmt.Errorf("pod %s is still being created: try again", p.Name))
	}
	return nil
}

// InspectPodData is one pod as pod inspect shows it: podman's fields and
// names.
type InspectPodData struct {
	ID            string            `json:"Id"`
	Name          string            `json:"Name"`
	Created       time.Time         `json:"Created"`
	CreateCommand []string          `json:"CreateCommand,omitempty"`
	ExitPolicy    string            `json:"ExitPolicy,omitempty"`
	State         string            `json:"State"`
	Hostname      string            `json:"Hostname"`
	Labels        map[string]string `json:"Labels,omitempty"`
	// CreateCgroup is false and the cgroup fields empty: burrow's pods
	// have no cgroup of their own (each member has its own), but
	// templates naming podman's fields still work.
	CreateCgroup     bool                      `json:"CreateCgroup"`
	CgroupParent     string                    `json:"CgroupParent,omitempty"`
	CgroupPath       string                    `json:"CgroupPath,omitempty"`
	CreateInfra      bool                      `json:"CreateInfra"`
	InfraContainerID string                    `json:"InfraContainerID,omitempty"`
	InfraConfig      *InspectPodInfraConfig    `json:"InfraConfig,omitempty"`
	SharedNamespaces []string                  `json:"SharedNamespaces,omitempty"`
	NumContainers    uint                      `json:"NumContainers"`
	Containers       []InspectPodContainerInfo `json:"Containers,omitempty"`
}

// InspectPodInfraConfig is the network of a pod, held by its infra.
// Its fields are podman's, in podman's order, so that tools reading them
// find each one (burrow has no network options yet: those are podman's
// values without them).
type InspectPodInfraConfig struct {
	PortBindings       map[string][]InspectHostPort `json:"PortBindings"`
	HostNetwork        bool                         `json:"HostNetwork"`
	StaticIP           string                       `json:"StaticIP"`
	StaticMAC          string                       `json:"StaticMAC"`
	NoManageResolvConf bool                         `json:"NoManageResolvConf"`
	DNSServer          []string                     `json:"DNSServer"`
	DNSSearch          []string                     `json:"DNSSearch"`
	DNSOption          []string                     `json:"DNSOption"`
	NoManageHosts      bool                         `json:"NoManageHosts"`
	HostAdd            []string                     `json:"HostAdd"`
	Networks           []string                     `json:"Networks"`
	NetworkOptions     map[string][]string          `json:"NetworkOptions"`
	PidNS              string                       `json:"pid_ns,omitempty"`
	UserNS             string                       `json:"userns,omitempty"`
	UTSNS              string                       `json:"uts_ns,omitempty"`
}

// InspectHostPort is one host side of a published port.
type InspectHostPort struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

// InspectPodContainerInfo is one container of a pod in pod inspect.
type InspectPodContainerInfo struct {
	ID    string `json:"Id"`
	Name  string `json:"Name"`
	State string `json:"State"`
}

// Inspect describes the pod.
func (p *Pod) Inspect() InspectPodData {
	d := InspectPodData{
		ID: p.ID, Name: p.Name, Created: p.Created, CreateCommand: p.CreateCommand, ExitPolicy: p.ExitPolicy,
		State: p.State(), Hostname: p.Hostname, Labels: p.Labels, CreateInfra: p.InfraID != "",
		InfraContainerID: p.InfraID, SharedNamespaces: p.Share, NumContainers: uint(len(p.Containers)),
	}
	for _, c := range p.Containers {
		state := c.State.Status
		if c.Paused() {
			state = "paused"
		}
		d.Containers = append(d.Containers, InspectPodContainerInfo{ID: c.ID, Name: c.Name, State: state})
	}
	if infra := p.Infra(); infra != nil {
		ic := &InspectPodInfraConfig{
			PortBindings: map[string][]InspectHostPort{}, HostNetwork: networkMode(&infra.Config) == NetworkHost,
			DNSServer: infra.Config.DNS, DNSSearch: infra.Config.DNSSearch, DNSOption: infra.Config.DNSOptions, HostAdd: infra.Config.AddHosts, NoManageHosts: p.NoHosts, PidNS: "private", UserNS: "host", UTSNS: "private",
		}
		for _, pm := range infra.Config.Ports {
			k := pm.ContainerPortProto()
			ic.PortBindings[k] = append(ic.PortBindings[k], InspectHostPort{HostIP: pm.HostIP, HostPort: fmt.Sprint(pm.HostPort)})
		}
		for _, a := range infra.Config.Networks {
			ic.Networks = append(ic.Networks, a.Network)
			if ic.StaticIP == "" && len(a.IPs) > 0 {
				ic.StaticIP = a.IPs[0]
			}
			if ic.StaticMAC == "" {
				ic.StaticMAC = a.MAC
			}
		}
		d.InfraConfig = ic
	}
	return d
}
