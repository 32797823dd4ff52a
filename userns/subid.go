package userns

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// IDMap is one line of a uid_map or gid_map: Size IDs from HostID outside
// the namespace appear from ContainerID inside. JSON names follow podman's
// `info` output.
type IDMap struct {
	ContainerID int `json:"container_id"`
	HostID      int `json:"host_id"`
	Size        int `json:"size"`
}

// SubIDRange is a subordinate ID range of /etc/subuid or /etc/subgid.
type SubIDRange struct {
	Start, Count int
}

// ParseSubIDs returns the ranges that a subid file (/etc/subuid format,
// "name:start:count" per line) grants to the user known by name or by
// numeric ID, in file order.
func ParseSubIDs(r io.Reader, name string, id int) ([]SubIDRange, error) {
	var out []SubIDRange
	idStr := strconv.Itoa(id)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) != 3 || (f[0] != name && f[0] != idStr) {
			continue
		}
		start, err1 := strconv.Atoi(f[1])
		count, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil || start < 0 || count <= 0 {
			return nil, fmt.Errorf("malformed subordinate ID line %q", line)
		}
		out = append(out, SubIDRange{Start: start, Count: count})
	}
	return out, sc.Err()
}

// readSubIDs reads the ranges of the user from path; a missing file means
// no ranges.
func readSubIDs(path, name string, id int) ([]SubIDRange, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := ParseSubIDs(f, name, id)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return r, nil
}

// Mapping returns podman's rootless mapping: 0 to the user's own ID, then the
// subordinate ranges one after the other from 1.
func Mapping(own int, ranges []SubIDRange) []IDMap {
	m := []IDMap{{ContainerID: 0, HostID: own, Size: 1}}
	next := 1
	for _, r := range ranges {
		m = append(m, IDMap{ContainerID: next, HostID: r.Start, Size: r.Count})
		next += r.Count
	}
	return m
}

// helperArgs formats a mapping as newuidmap/newgidmap arguments.
func helperArgs(pid int, m []IDMap) []string {
	args := []string{strconv.Itoa(pid)}
	for _, e := range m {
		args = append(args, strconv.Itoa(e.ContainerID), strconv.Itoa(e.HostID), strconv.Itoa(e.Size))
	}
	return args
}

// ParseIDMap parses the text of /proc/PID/uid_map or gid_map.
func ParseIDMap(text string) ([]IDMap, error) {
	var out []IDMap
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("malformed ID map line %q", line)
		}
		var v [3]int
		for i := range f {
			n, err := strconv.Atoi(f[i])
			if err != nil {
				return nil, fmt.Errorf("malformed ID map line %q", line)
			}
			v[i] = n
		}
		out = append(out, IDMap{ContainerID: v[0], HostID: v[1], Size: v[2]})
	}
	return out, nil
}
