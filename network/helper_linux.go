package network

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/sirupsen/logrus"
	"go.podman.io/storage/pkg/reexec"

	"github.com/burrow-containers/burrow/errdefs"
)

// helperName is the argv[0] under which the binary attaches and detaches
// containers (containers/storage's reexec, run first in main).
//
// libnetwork enters the rootless netns on a thread of its own and makes a
// mount namespace for netavark there (a private /run), then hands the
// thread back to the Go scheduler still in that mount namespace: whatever
// ran on it next (a mount of a container's root, the fork of its monitor)
// would happen out of burrow's mount namespace. So Setup and Teardown run
// in a short-lived child, whose threads die with it.
const helperName = "burrow-network"

func init() { reexec.Register(helperName, helperMain) }

// helperRequest is what the child is asked: Op on Container (attach it
// to Networks, detach it, connect it to Networks[0], disconnect it from
// Network, reload it).
type helperRequest struct {
	GraphRoot string       `json:"graphRoot"`
	RunRoot   string       `json:"runRoot"`
	Op        string       `json:"op"`
	Container Container    `json:"container"`
	Networks  []Attachment `json:"networks,omitempty"`
	Network   string       `json:"network,omitempty"`
	// LogLevel is the CLI's (--log-level), which netavark's follows.
	LogLevel logrus.Level `json:"logLevel"`
}

type helperReply struct {
	Endpoints []Endpoint    `json:"endpoints,omitempty"`
	Error     string        `json:"error,omitempty"`
	Class     errdefs.Class `json:"class,omitempty"`
}

// inHelper runs req in a child and returns its endpoints or its error,
// with its class.
func (m *Manager) inHelper(req helperRequest) ([]Endpoint, error) {
	req.GraphRoot, req.RunRoot, req.LogLevel = m.graphRoot, m.runRoot, logrus.GetLevel()
	in, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	cmd := reexec.Command(helperName)
	var out bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &out, os.Stderr
	runErr := cmd.Run()
	var reply helperReply
	if err := json.Unmarshal(out.Bytes(), &reply); err != nil {
		if runErr == nil {
			runErr = err
		}
		return nil, fmt.Errorf("the network helper failed: %w", runErr)
	}
	if reply.Error != "" {
		return nil, errdefs.WithClass(reply.Class, errors.New(reply.Error))
	}
	return reply.Endpoints, nil
}

// serve does what the request asks, in the helper.
func (m *Manager) serve(req helperRequest) ([]Endpoint, error) {
	c := req.Container
	switch req.Op {
	case "attach":
		return m.attach(c, req.Networks)
	case "detach":
		return nil, m.detach(c.ID)
	case "connect":
		if len(req.Networks) != 1 {
			return nil, errors.New("connect: one network at a time")
		}
		return m.connect(c, req.Networks[0])
	case "disconnect":
		return nil, m.disconnect(c, req.Network)
	case "reload":
		return m.reload(c)
	}
	return nil, fmt.Errorf("unknown network helper request %q", req.Op)
}

// helperMain is the child: one request on stdin, the reply on stdout.
func helperMain() {
	var req helperRequest
	var reply helperReply
	err := json.NewDecoder(os.Stdin).Decode(&req)
	logrus.SetLevel(req.LogLevel)
	var m *Manager
	if err == nil {
		m, err = Open(req.GraphRoot, req.RunRoot)
	}
	if err == nil {
		reply.Endpoints, err = m.serve(req)
	}
	if err != nil {
		reply.Error, reply.Class = err.Error(), errdefs.ClassOf(err)
	}
	json.NewEncoder(os.Stdout).Encode(reply)
	if err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}
