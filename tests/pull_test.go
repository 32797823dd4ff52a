package tests

import (
	"strings"
	"testing"
)

// pullID pulls ref (optionally quietly) and returns the image ID printed on
// the last line of stdout.
func pullID(t testing.TB, ref string, quiet bool) string {
	t.Helper()
	args := []string{"pull", "--tls-verify=false"}
	if quiet {
		args = append(args, "-q")
	}
	r := burrow(t, append(args, ref)...)
	if r.ExitCode != 0 {
		t.Fatalf("burrow %s:\n%s", strings.Join(append(args, ref), " "), describe(r))
	}
	lines := nonEmptyLines(r.Stdout)
	if len(lines) == 0 || !hex64.MatchString(lines[len(lines)-1]) {
		t.Fatalf("burrow %s: last line of stdout is not a 64-hex image ID:\n%s", strings.Join(args, " "), r.Stdout)
	}
	if quiet && len(lines) != 1 {
		t.Errorf("burrow pull -q printed more than the image ID:\n%s", r.Stdout)
	}
	return lines[len(lines)-1]
}

func TestPullPrintsImageID(t *testing.T) {
	t.Parallel()
	img := testImage(t)
	id := pullID(t, img, false)
	if again := pullID(t, img, true); again != id {
		t.Errorf("pulling %s again gives ID %s, first pull gave %s", img, again, id)
	}
	if other := pullID(t, configuredImage(t), true); other == id {
		t.Errorf("two different images have the same ID %s", id)
	}
}

func TestPullMalformedReference(t *testing.T) {
	t.Parallel()
	requireBurrowError(t, burrow(t, "pull", "UPPER:bad::ref"), true)
}

func TestPullUnknownImage(t *testing.T) {
	t.Parallel()
	ref := testRegistry(t) + "/no-such-image-" + randHex() + ":latest"
	requireBurrowError(t, burrow(t, "pull", "--tls-verify=false", "-q", ref), false)
}
