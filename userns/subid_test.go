package userns

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSubIDs(t *testing.T) {
	file := "# comment\nalice:100000:65536\nbob:165536:65536\n1001:300000:1000\nalice:400000:10\n"
	got, err := ParseSubIDs(strings.NewReader(file), "alice", 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := []SubIDRange{{100000, 65536}, {400000, 10}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("alice: got %v want %v", got, want)
	}
	got, _ = ParseSubIDs(strings.NewReader(file), "carol", 1001)
	if !reflect.DeepEqual(got, []SubIDRange{{300000, 1000}}) {
		t.Fatalf("by numeric id: got %v", got)
	}
	got, _ = ParseSubIDs(strings.NewReader(file), "nobody", 4)
	if len(got) != 0 {
		t.Fatalf("unknown user got %v", got)
	}
	if _, err := ParseSubIDs(strings.NewReader("alice:x:1\n"), "alice", 1); err == nil {
		t.Fatal("malformed line accepted")
	}
}

func TestMappingAndHelperArgs(t *testing.T) {
	m := Mapping(1000, []SubIDRange{{100000, 65536}, {400000, 10}})
	want := []IDMap{{0, 1000, 1}, {1, 100000, 65536}, {65537, 400000, 10}}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("got %v want %v", m, want)
	}
	args := strings.Join(helperArgs(42, m), " ")
	if args != "42 0 1000 1 1 100000 65536 65537 400000 10" {
		t.Fatalf("helper args %q", args)
	}
}

func TestParseIDMap(t *testing.T) {
	m, err := ParseIDMap("         0       1000          1\n         1     200000      65536\n")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, []IDMap{{0, 1000, 1}, {1, 200000, 65536}}) {
		t.Fatalf("got %v", m)
	}
}
