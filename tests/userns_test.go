package tests

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Containers with a user namespace of their own, nested in burrow's:
// --userns=keep-id, --userns=nomap, --uidmap/--gidmap (docs/userns.md).

// hostOwner is the owner of path on the host.
func hostOwner(t testing.TB, path string) (uid, gid int) {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	return int(st.Uid), int(st.Gid)
}

// subIDCount is the number of subordinate IDs in burrow's namespace (the
// user's ranges of file, one after the other).
func subIDCount(t testing.TB, file string) int {
	n := 0
	for _, r := range subIDRanges(t, file) {
		n += r.Size
	}
	return n
}

func TestUsernsKeepID(t *testing.T) {
	t.Parallel()
	firstSubIDRange(t, "/etc/subuid")
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	uid, gid := os.Getuid(), os.Getgid()
	dir := t.TempDir()
	t.Cleanup(func() { burrow(t, "unshare", "chown", "-R", "0:0", dir) })
	out := shOut(t, "id -u; id -g; id -un; grep '^"+me.Username+":' /etc/passwd | cut -d: -f3,4,6; echo $HOME; "+
		"stat -c '%u:%g' /bin/busybox /d; touch /d/f; echo --; cat /proc/self/uid_map; echo --; cat /proc/self/gid_map",
		"--userns=keep-id", "-v", dir+":/d")
	sec := sections(out)
	if len(sec) != 3 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	// The home is the image's working directory (/ here), as podman's,
	// unless a mount puts the host account's home in (below).
	want := []string{
		strconv.Itoa(uid), strconv.Itoa(gid), me.Username,
		fmt.Sprintf("%d:%d:/", uid, gid), "/",
		"0:0", fmt.Sprintf("%d:%d", uid, gid),
	}
	if got := nonEmptyLines(sec[0]); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("under --userns=keep-id: id -u, id -g, id -un, the passwd entry, $HOME, owners of /bin/busybox and of the bind mount =\n%q\nwant\n%q", got, want)
	}
	if got := shOut(t, "echo $HOME; grep '^"+me.Username+":' /etc/passwd | cut -d: -f6", "--userns=keep-id", "-v", dir+":"+me.HomeDir); got != me.HomeDir+"\n"+me.HomeDir+"\n" {
		t.Errorf("under --userns=keep-id with the home mounted: $HOME and the passwd home %q, want %s", got, me.HomeDir)
	}
	// The user is itself inside, the container's root the first
	// subordinate ID (1 in burrow's namespace), as podman's keep-id.
	nsub := subIDCount(t, "/etc/subuid")
	wantMap := []string{fmt.Sprintf("0 1 %d", min(uid, nsub)), fmt.Sprintf("%d 0 1", uid)}
	if nsub > uid {
		wantMap = append(wantMap, fmt.Sprintf("%d %d %d", uid+1, uid+1, nsub-uid))
	}
	if got := normalizeIDMap(sec[1]); strings.Join(got, "|") != strings.Join(wantMap, "|") {
		t.Errorf("uid_map under --userns=keep-id = %q, want %q", got, wantMap)
	}
	if got := normalizeIDMap(sec[2]); len(got) < 2 || got[1] != fmt.Sprintf("%d 0 1", gid) {
		t.Errorf("gid_map under --userns=keep-id = %q, want the user's group %d mapped to itself", got, gid)
	}
	if u, g := hostOwner(t, filepath.Join(dir, "f")); u != uid || g != gid {
		t.Errorf("a file the keep-id user made in a bind mount belongs to %d:%d on the host, want the user's %d:%d", u, g, uid, gid)
	}
	// --user still wins; root inside is a subordinate ID, not the user.
	out = shOut(t, "id -u; touch /d/r; stat -c %u /d/r", "--userns=keep-id", "--user", "0", "-v", dir+":/d")
	if got := nonEmptyLines(out); len(got) != 2 || got[0] != "0" || got[1] != "0" {
		t.Errorf("--userns=keep-id --user 0: id -u and the owner of a new file = %q, want [0 0]", got)
	}
	if u, _ := hostOwner(t, filepath.Join(dir, "r")); u != firstSubIDRange(t, "/etc/subuid").Start {
		t.Errorf("a file the container's root made belongs to %d on the host, want the first subordinate ID %d", u, firstSubIDRange(t, "/etc/subuid").Start)
	}
}

func TestUsernsKeepIDOptions(t *testing.T) {
	t.Parallel()
	firstSubIDRange(t, "/etc/subuid")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mine"), []byte("x"), 0o644)
	out := shOut(t, "id -u; id -g; stat -c '%u:%g' /d/mine /bin/busybox; touch /d/new",
		"--userns=keep-id:uid=200,gid=200", "-v", dir+":/d")
	if got := nonEmptyLines(out); strings.Join(got, "|") != "200|200|200:200|0:0" {
		t.Errorf("--userns=keep-id:uid=200,gid=200: id -u, id -g, owners of the user's file and of /bin/busybox = %q, want [200 200 200:200 0:0]", got)
	}
	if u, g := hostOwner(t, filepath.Join(dir, "new")); u != os.Getuid() || g != os.Getgid() {
		t.Errorf("a file uid 200 made belongs to %d:%d on the host, want the user's %d:%d", u, g, os.Getuid(), os.Getgid())
	}
}

func TestUsernsUIDMap(t *testing.T) {
	t.Parallel()
	firstSubIDRange(t, "/etc/subuid")
	out := shOut(t, "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; id -u; stat -c '%u:%g' /bin/busybox /etc/passwd",
		"--uidmap", "0:1:1000", "--gidmap", "0:1:1000")
	sec := sections(out)
	if len(sec) != 3 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	if got := normalizeIDMap(sec[0]); len(got) != 1 || got[0] != "0 1 1000" {
		t.Errorf("uid_map under --uidmap 0:1:1000 = %q", got)
	}
	if got := normalizeIDMap(sec[1]); len(got) != 1 || got[0] != "0 1 1000" {
		t.Errorf("gid_map under --gidmap 0:1:1000 = %q", got)
	}
	if got := nonEmptyLines(sec[2]); strings.Join(got, "|") != "0|0:0|0:0" {
		t.Errorf("id -u and owners of the image's files = %q, want [0 0:0 0:0]", got)
	}
	// --uidmap alone serves for the groups too, as podman's.
	out = shOut(t, "cat /proc/self/gid_map", "--uidmap", "0:1:2000")
	if got := normalizeIDMap(out); len(got) != 1 || got[0] != "0 1 2000" {
		t.Errorf("gid_map under --uidmap 0:1:2000 alone = %q", got)
	}
	// A range over the user and the subordinate IDs is cut where they
	// meet (the kernel wants each line within one of burrow's); the
	// container's root is then the user.
	dir := t.TempDir()
	out = shOut(t, "cat /proc/self/uid_map; touch /d/f", "--uidmap", "0:0:2000", "-v", dir+":/d")
	if got := normalizeIDMap(out); strings.Join(got, "|") != "0 0 1|1 1 1999" {
		t.Errorf("uid_map under --uidmap 0:0:2000 = %q, want [0 0 1, 1 1 1999]", got)
	}
	if u, _ := hostOwner(t, filepath.Join(dir, "f")); u != os.Getuid() {
		t.Errorf("under --uidmap 0:0:2000 a file of the container's root belongs to %d on the host, want the user's %d", u, os.Getuid())
	}
}

func TestUsernsNoMap(t *testing.T) {
	t.Parallel()
	nsub := subIDCount(t, "/etc/subuid")
	if nsub == 0 {
		firstSubIDRange(t, "/etc/subuid")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "mine"), []byte("x"), 0o644)
	out := shOut(t, "cat /proc/self/uid_map; echo --; id -u; stat -c '%u:%g' /d/mine /bin/busybox; touch /d/new 2>/dev/null && echo wrote; true",
		"--userns=nomap", "-v", dir+":/d")
	sec := sections(out)
	if len(sec) != 2 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	if got := normalizeIDMap(sec[0]); len(got) != 1 || got[0] != fmt.Sprintf("0 1 %d", nsub) {
		t.Errorf("uid_map under --userns=nomap = %q, want [0 1 %d]", got, nsub)
	}
	// The user's own files are nobody's inside, and not the container's
	// root's to write.
	if got := nonEmptyLines(sec[1]); strings.Join(got, "|") != "0|65534:65534|0:0" {
		t.Errorf("--userns=nomap: id -u, owners of the user's file and of /bin/busybox, write = %q, want [0 65534:65534 0:0]", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); err == nil {
		t.Errorf("under --userns=nomap the container wrote into the user's directory")
	}
	// :U hands a volume to the container's user through the container's
	// map: user 5 inside is ID 6 of burrow's namespace, the sixth
	// subordinate ID.
	udir := t.TempDir()
	t.Cleanup(func() { burrow(t, "unshare", "chown", "-R", "0:0", udir) })
	out = shOut(t, "stat -c '%u:%g' /u; touch /u/f && echo ok", "--userns=nomap", "--user", "5:5", "-v", udir+":/u:U")
	if got := nonEmptyLines(out); strings.Join(got, "|") != "5:5|ok" {
		t.Errorf("--userns=nomap --user 5:5 -v DIR:/u:U: owner inside and a write = %q, want [5:5 ok]", got)
	}
	if u, _ := hostOwner(t, filepath.Join(udir, "f")); u != firstSubIDRange(t, "/etc/subuid").Start+5 {
		t.Errorf("the file user 5 wrote belongs to %d on the host, want %d", u, firstSubIDRange(t, "/etc/subuid").Start+5)
	}
}

func TestUsernsExecAndStart(t *testing.T) {
	t.Parallel()
	firstSubIDRange(t, "/etc/subuid")
	uid := strconv.Itoa(os.Getuid())
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	must(t, "create", "--name", name, "--userns=keep-id", busyboxImage(t), "sleep", "1000")
	must(t, "start", name)
	if got := strings.TrimSpace(must(t, "exec", name, "id", "-u")); got != uid {
		t.Errorf("exec in a keep-id container: id -u = %q, want %s", got, uid)
	}
	if got := strings.TrimSpace(must(t, "exec", "-u", "0", name, "id", "-u")); got != "0" {
		t.Errorf("exec -u 0 in a keep-id container: id -u = %q, want 0", got)
	}
	inside := normalizeIDMap(must(t, "exec", name, "cat", "/proc/self/uid_map"))
	if len(inside) < 2 || inside[1] != uid+" 0 1" {
		t.Errorf("exec joins the container's user namespace: uid_map = %q", inside)
	}
	// Network modes: none makes the network namespace in the new user
	// namespace; the default joins one made in burrow's beforehand.
	for _, net := range []string{"none", "slirp4netns", "host"} {
		if got := strings.TrimSpace(shOut(t, "id -u", "--userns=keep-id", "--network", net)); got != uid {
			t.Errorf("--userns=keep-id --network %s: id -u = %q", net, got)
		}
	}
}

func TestUsernsCannotEscape(t *testing.T) {
	t.Parallel()
	firstSubIDRange(t, "/etc/subuid")
	img := busyboxImage(t)
	dir := t.TempDir()
	// A read-only bind stays read-only, for the user and for the
	// container's root, who lacks CAP_SYS_ADMIN to remount it.
	for _, who := range []string{"", "0"} {
		opts := []string{"--userns=keep-id", "-v", dir + ":/d:ro"}
		if who != "" {
			opts = append(opts, "--user", who)
		}
		r := runRm(t, img, opts, "sh", "-c", "touch /d/x; mount -o remount,rw /d; touch /d/y")
		if r.ExitCode == 0 {
			t.Errorf("writing a read-only bind under keep-id (user %q) succeeded:\n%s", who, describe(r))
		}
	}
	for _, f := range []string{"x", "y"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("a read-only bind mount was written under keep-id: %s", f)
		}
	}
	// A host directory the user cannot write stays unwritable, as root
	// of the container too: its owner (the host's root) is unmapped.
	for _, who := range []string{"", "0"} {
		opts := []string{"--userns=keep-id", "-v", "/etc:/hostetc"}
		if who != "" {
			opts = append(opts, "--user", who)
		}
		r := runRm(t, img, opts, "sh", "-c", "stat -c %u /hostetc/passwd; touch /hostetc/burrow-escape")
		if r.ExitCode == 0 || !strings.HasPrefix(r.Stdout, "65534") {
			t.Errorf("the host's /etc under keep-id (user %q): want it nobody's and unwritable, got:\n%s", who, describe(r))
		}
	}
	if _, err := os.Stat("/etc/burrow-escape"); err == nil {
		t.Errorf("a keep-id container wrote the host's /etc")
	}
	// The host's /sys, bound in because the nested namespace may not mount
	// sysfs for a network namespace of burrow's, is read-only all through,
	// the host's cgroup hierarchies below it too.
	out := shOut(t, `awk '$5 ~ "^/sys" && $6 !~ "^ro" { print $5 }' /proc/self/mountinfo`, "--userns=keep-id", "--user", "0")
	if strings.TrimSpace(out) != "" {
		t.Errorf("mounts under /sys writable under keep-id:\n%s", out)
	}
}

func TestUsernsErrors(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	for _, args := range [][]string{
		{"--userns=bogus"},
		{"--userns=keep-id:size=10"},
		{"--userns=keep-id:uid=x"},
		{"--userns=nomap:x"},
		{"--uidmap", "0:1"},
		{"--uidmap", "a:1:10"},
		{"--uidmap", "0:1:0"},
		{"--gidmap", "0:1:-5"},
		{"--userns=keep-id", "--uidmap", "0:1:10"},
		{"--uidmap", "1:1:10"},
		{"--uidmap", "0:1:10", "--uidmap", "5:100:10"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := runRm(t, img, args, "true")
			requireBurrowError(t, r, true)
			requireBurrowError(t, burrow(t, append(append([]string{"create"}, args...), img, "true")...), true)
		})
	}
	// Host IDs outside burrow's namespace: the message names the fix.
	r := runRm(t, img, []string{"--uidmap", "0:1:4000000000"}, "true")
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, "not mapped in burrow's user namespace") || !strings.Contains(r.Stderr, "/etc/subuid") {
		t.Errorf("--uidmap beyond burrow's namespace: the message should say so and name /etc/subuid:\n%s", r.Stderr)
	}
}
