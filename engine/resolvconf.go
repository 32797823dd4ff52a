package engine

import "strings"

// withDNSSearchOptions gives a resolv.conf the search domains and options
// of --dns-search and --dns-option in place of its own, laid out as
// podman's: search first, then the name servers, then options. A search
// of "." clears the domains, as podman's.
func withDNSSearchOptions(resolv string, search, options []string) string {
	if len(search) == 0 && len(options) == 0 {
		return resolv
	}
	var lines, servers, rest []string
	var oldSearch, oldOptions []string
	for _, line := range strings.Split(resolv, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case f[0] == "search" || f[0] == "domain":
			oldSearch = append(oldSearch, line)
		case f[0] == "options":
			oldOptions = append(oldOptions, line)
		case f[0] == "nameserver":
			servers = append(servers, line)
		default:
			rest = append(rest, line)
		}
	}
	switch {
	case len(search) == 0:
		lines = oldSearch
	case len(search) == 1 && search[0] == ".":
	default:
		lines = []string{"search " + strings.Join(search, " ")}
	}
	lines = append(append(lines, servers...), rest...)
	if len(options) > 0 {
		lines = append(lines, "options "+strings.Join(options, " "))
	} else {
		lines = append(lines, oldOptions...)
	}
	return strings.Join(lines, "\n") + "\n"
}
