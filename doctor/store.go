package doctor

import (
	"strings"

	"github.com/burrow-containers/burrow/engine"
)

// StoreChecks reports the storage driver in use and the store's
// consistency (engine.Check), repairing when asked.
func StoreChecks(e *engine.Engine, repair bool) []Result {
	info, err := e.StoreInfo()
	if err != nil {
		return []Result{{Check: "store", Status: Fail, Message: err.Error(), Fix: "see the storage.conf named in the error"}}
	}
	out := []Result{}
	driver := Result{Check: "storage driver", Status: OK, Message: info.GraphDriverName + " at " + info.GraphRoot}
	if info.GraphDriverName == "vfs" {
		driver.Status, driver.Fix = Warn, "vfs copies every layer: install fuse-overlayfs (or use a kernel that allows overlay in user namespaces, 5.13+), then start from an empty store (burrow system reset is not there yet: move ~/.local/share/containers/storage away)"
		driver.Message += ": slow and large"
	}
	out = append(out, driver)
	problems, repaired, err := e.Check(repair)
	switch {
	case err != nil:
		out = append(out, Result{Check: "store consistency", Status: Fail, Message: err.Error(), Fix: "burrow system doctor --repair"})
	case len(problems) > 0 && len(repaired) == 0:
		out = append(out, Result{Check: "store consistency", Status: Fail, Message: strings.Join(problems, "; "), Fix: "burrow system doctor --repair"})
	case len(problems) > 0:
		out = append(out, Result{Check: "store consistency", Status: Warn, Message: "repaired: " + strings.Join(repaired, "; ")})
	default:
		out = append(out, Result{Check: "store consistency", Status: OK, Message: "layers, images, containers and burrow's records agree"})
	}
	return out
}
