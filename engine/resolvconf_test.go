package engine

import "testing"

func TestWithDNSSearchOptions(t *testing.T) {
	host := "nameserver 10.0.2.3\nsearch old.example\noptions ndots:1\n"
	for _, tc := range []struct {
		name            string
		search, options []string
		want            string
	}{
		{"none", nil, nil, host},
		{"both", []string{"a.abc", "b.abc"}, []string{"ndots:3"}, "search a.abc b.abc\nnameserver 10.0.2.3\noptions ndots:3\n"},
		{"search only keeps options", []string{"a.abc"}, nil, "search a.abc\nnameserver 10.0.2.3\noptions ndots:1\n"},
		{"options only keeps search", nil, []string{"edns0"}, "search old.example\nnameserver 10.0.2.3\noptions edns0\n"},
		{"dot clears search", []string{"."}, nil, "nameserver 10.0.2.3\noptions ndots:1\n"},
	} {
		if got := withDNSSearchOptions(host, tc.search, tc.options); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
