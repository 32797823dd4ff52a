package slirp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/burrow-containers/burrow/errdefs"
)

// ParseRate reads a tc-style rate: a number with bit, kbit, mbit, gbit
// (bits per second, powers of 1000) or bps, kbps, mbps (bytes). It returns
// bytes per second.
func ParseRate(s string) (uint64, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	units := []struct {
		suffix string
		mult   float64
	}{
		{"gbit", 1e9 / 8}, {"mbit", 1e6 / 8}, {"kbit", 1e3 / 8}, {"bit", 1.0 / 8},
		{"gbps", 1e9}, {"mbps", 1e6}, {"kbps", 1e3}, {"bps", 1},
	}
	for _, u := range units {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			f, err := strconv.ParseFloat(num, 64)
			if err == nil && f > 0 {
				if r := uint64(f * u.mult); r > 0 {
					return r, nil
				}
			}
			break
		}
	}
	return 0, errdefs.Invalid(fmt.Errorf("invalid rate %q: use a number with bit, kbit, mbit or gbit (e.g. 10mbit)", s))
}

// LimitRate shapes what the container sends on its interface to
// rate bytes per second with a token-bucket qdisc, inside the namespace at
// path: the user namespace owns it, so no privilege is needed.
func LimitRate(path string, rate uint64) error {
	ns, err := netns.GetFromPath(path)
	if err != nil {
		return fmt.Errorf("opening the network namespace %s: %w", path, err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("entering the network namespace %s: %w", path, err)
	}
	defer h.Close()
	// The one interface besides lo: tap0 of slirp4netns, or pasta's copy
	// of the host's.
	links, err := h.LinkList()
	if err != nil {
		return fmt.Errorf("listing the container's interfaces: %w", err)
	}
	var link netlink.Link
	for _, l := range links {
		if l.Attrs().Name != "lo" {
			link = l
			break
		}
	}
	if link == nil {
		return errors.New("limiting the network rate: the container has no interface besides lo")
	}
	// Burst: a tenth of a second of traffic, at least two full frames of
	// the 65520-byte MTU, so a slow rate still passes whole packets.
	burst := max(rate/10, 2*65536)
	q := &netlink.Tbf{
		QdiscAttrs: netlink.QdiscAttrs{LinkIndex: link.Attrs().Index, Handle: netlink.MakeHandle(1, 0), Parent: netlink.HANDLE_ROOT},
		Rate:       rate,
		Buffer:     uint32(min(burst, 1<<31)),
		Limit:      uint32(min(burst*2, 1<<31)),
	}
	// netlink computes the buffer in ticks from the rate and burst size.
	q.Buffer = uint32(netlink.Xmittime(rate, uint32(min(burst, 1<<31))))
	if err := h.QdiscAdd(q); err != nil {
		return fmt.Errorf("limiting the network rate (tbf qdisc on %s): %w", link.Attrs().Name, err)
	}
	return nil
}
