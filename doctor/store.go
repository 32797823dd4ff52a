package doctor

import (
	"fmt"
	"strings"

	"github.com/burrow-containers/burrow/engine"
	"github.com/docker/go-units"
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
	out = append(out, tempCheck(e, repair))
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

// tempCheck reports what copies killed half-way (a pull, a load) left in
// the store's temporary directory, and removes it with repair.
func tempCheck(e *engine.Engine, repair bool) Result {
	dirs, size := e.StaleTemp()
	switch {
	case len(dirs) == 0:
		return Result{Check: "temporary files", Status: OK, Message: "none left by interrupted pulls or loads"}
	case repair:
		e.RepairTemp()
		return Result{Check: "temporary files", Status: Warn, Message: fmt.Sprintf("repaired: removed %d directories (%s) left by interrupted pulls or loads", len(dirs), units.HumanSize(float64(size)))}
	}
	return Result{Check: "temporary files", Status: Warn, Message: fmt.Sprintf("%d directories (%s) left by interrupted pulls or loads", len(dirs), units.HumanSize(float64(size))), Fix: "burrow system doctor --repair (the next pull removes them too)"}
}
