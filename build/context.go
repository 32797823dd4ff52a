package build

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/burrow-containers/burrow/errdefs"
)

// Context is a build context directory with its ignore rules.
type Context struct {
	// Dir is the context directory: absolute, symlinks resolved.
	Dir string
	// IgnoreFile is the ignore file in use, "" when there is none.
	IgnoreFile string
	// Excludes are the patterns read from IgnoreFile, "!" exceptions included.
	Excludes []string

	pm *patternmatcher.PatternMatcher
}

// OpenContext opens dir as the build context. containerfile is the path of
// the Containerfile in use ("" when there is none on disk): an ignore file
// beside it named <file>.containerignore or <file>.dockerignore wins, as
// buildah has it, else dir/.containerignore, else dir/.dockerignore. The
// patterns are docker's, "!" exceptions included. Only Copy and Digest
// filter with them: the Containerfile and the ignore file stay readable by
// whoever opens them directly.
func OpenContext(dir, containerfile string) (*Context, error) {
	if dir == "" {
		return nil, errdefs.Invalid(errors.New("build context: no directory given"))
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("build context %s: %w", dir, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errdefs.NotFound(fmt.Errorf("build context %s: no such directory", dir))
		}
		return nil, fmt.Errorf("build context %s: %w", dir, err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("build context %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, errdefs.Invalid(fmt.Errorf("build context %s: not a directory", dir))
	}
	c := &Context{Dir: real}

	var candidates []string
	if containerfile != "" && containerfile != "-" {
		candidates = append(candidates, containerfile+".containerignore", containerfile+".dockerignore")
	}
	candidates = append(candidates, filepath.Join(real, ".containerignore"), filepath.Join(real, ".dockerignore"))
	for _, p := range candidates {
		patterns, found, err := readIgnoreFile(p)
		if err != nil {
			return nil, err
		}
		if !found {
			continue
		}
		pm, err := patternmatcher.New(patterns)
		if err != nil {
			return nil, errdefs.Invalid(fmt.Errorf("ignore file %s: %w", p, err))
		}
		c.IgnoreFile, c.Excludes, c.pm = p, patterns, pm
		break
	}
	return c, nil
}

// readIgnoreFile reads the patterns of one candidate ignore file; found is
// false when there is no such file.
func readIgnoreFile(p string) (patterns []string, found bool, err error) {
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("reading ignore file: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, false, fmt.Errorf("reading ignore file: %w", err)
	} else if fi.IsDir() {
		return nil, false, nil
	}
	patterns, err = ignorefile.ReadAll(f)
	if err != nil {
		return nil, false, fmt.Errorf("reading ignore file %s: %w", p, err)
	}
	return patterns, true, nil
}

// Ignored tells whether a context-relative path (slash separated) is
// excluded by the ignore rules. The context directory itself never is.
func (c *Context) Ignored(rel string) (bool, error) {
	if c == nil || c.pm == nil {
		return false, nil
	}
	rel = strings.TrimPrefix(path.Clean("/"+rel), "/")
	if rel == "" {
		return false, nil
	}
	return c.pm.MatchesOrParentMatches(rel)
}

// dirSkippable tells whether an ignored directory can be left out with
// everything below it: only when no "!" exception could re-include a path
// under it. It errs on the side of walking the directory; the entries
// found there are then checked one by one.
func (c *Context) dirSkippable(rel string) bool {
	if c == nil || c.pm == nil || !c.pm.Exclusions() {
		return true
	}
	dir := strings.Split(rel, "/")
	for _, p := range c.pm.Patterns() {
		if p.Exclusion() && exceptionReaches(filepath.ToSlash(p.String()), dir) {
			return false
		}
	}
	return true
}

// exceptionReaches tells whether an exception pattern may match dir or a
// path below it, comparing component by component.
func exceptionReaches(pattern string, dir []string) bool {
	parts := strings.Split(pattern, "/")
	for i, d := range dir {
		if i >= len(parts) {
			// The pattern names an ancestor of dir, whose whole tree it
			// re-includes.
			return true
		}
		if strings.Contains(parts[i], "**") {
			return true
		}
		ok, err := path.Match(parts[i], d)
		if err != nil {
			return true
		}
		if !ok {
			return false
		}
	}
	return true
}

// srcTree is the tree COPY and ADD read from: the build context or another
// stage's root filesystem, with the ignore rules that apply to it.
type srcTree struct {
	root      string   // absolute and clean
	ctx       *Context // nil: nothing is ignored
	op        string   // "COPY" or "ADD", for messages
	inContext bool     // root is the build context, for messages
}

// srcItem is one source after wildcard expansion and symlink resolution.
type srcItem struct {
	name string      // as the user named it, relative to the root, slash separated
	rel  string      // the resolved path relative to the root, "" for the root
	path string      // the resolved absolute path
	info fs.FileInfo // lstat of path: never a symlink
}

func newSrcTree(srcRoot string, ctx *Context, ignore bool, op string) (*srcTree, error) {
	if srcRoot == "" {
		return nil, errdefs.Invalid(fmt.Errorf("%s: no source directory given", op))
	}
	root, err := filepath.Abs(srcRoot)
	if err != nil {
		return nil, err
	}
	t := &srcTree{root: root, op: op}
	if ctx != nil {
		t.inContext = filepath.Clean(ctx.Dir) == root
		if ignore {
			t.ctx = ctx
		}
	}
	return t, nil
}

func (t *srcTree) notFound(src string) error {
	if t.inContext {
		return errdefs.NotFound(fmt.Errorf("%s %s: no such file or directory in the build context", t.op, src))
	}
	return errdefs.NotFound(fmt.Errorf("%s %s: no such file or directory", t.op, src))
}

func (t *srcTree) outside(src string) error {
	if t.inContext {
		return errdefs.Invalid(fmt.Errorf("%s %s: the path is outside the build context", t.op, src))
	}
	return errdefs.Invalid(fmt.Errorf("%s %s: the path is outside the source root", t.op, src))
}

// relInRoot is p relative to root, slash separated, "" for root itself.
func relInRoot(root, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil || r == "." {
		return ""
	}
	return filepath.ToSlash(r)
}

// errIgnoredLink stops a resolution at a symlink the ignore rules leave out.
var errIgnoredLink = errors.New("symbolic link excluded by the ignore file")

// ignoringVFS is the filesystem as SecureJoinVFS sees it: a symlink that is
// ignored does not exist in the build context, so it cannot be followed.
type ignoringVFS struct{ t *srcTree }

func (v ignoringVFS) Lstat(name string) (os.FileInfo, error) { return os.Lstat(name) }

func (v ignoringVFS) Readlink(name string) (string, error) {
	if ign, err := v.t.ignored(relInRoot(v.t.root, name)); err != nil {
		return "", err
	} else if ign {
		return "", errIgnoredLink
	}
	return os.Readlink(name)
}

// join resolves name inside the root as if the root were "/": no symlink,
// absolute or relative, leads out of it.
func (t *srcTree) join(name string) (string, error) {
	if t.ctx == nil {
		return securejoin.SecureJoin(t.root, name)
	}
	return securejoin.SecureJoinVFS(t.root, name, ignoringVFS{t})
}

func (t *srcTree) ignored(rel string) (bool, error) {
	if t.ctx == nil || rel == "" {
		return false, nil
	}
	return t.ctx.Ignored(rel)
}

// present tells whether the resolved path rel is part of the tree after
// the ignore rules: not ignored, or a directory that an exception may
// re-enter.
func (t *srcTree) present(rel string, fi fs.FileInfo) (bool, error) {
	ign, err := t.ignored(rel)
	if err != nil || !ign {
		return !ign, err
	}
	return fi.IsDir() && !t.ctx.dirSkippable(rel), nil
}

func notExist(err error) bool {
	return securejoin.IsNotExist(err) || errors.Is(err, errIgnoredLink)
}

// resolve finds one named source; ok is false when it is not there (or
// ignored).
func (t *srcTree) resolve(name string) (item srcItem, ok bool, err error) {
	p, err := t.join(name)
	if err != nil {
		if notExist(err) {
			return item, false, nil
		}
		return item, false, err
	}
	fi, err := os.Lstat(p)
	if err != nil {
		if notExist(err) {
			return item, false, nil
		}
		return item, false, err
	}
	rel := relInRoot(t.root, p)
	if ok, err := t.present(rel, fi); err != nil || !ok {
		return item, false, err
	}
	return srcItem{name: name, rel: rel, path: p, info: fi}, true, nil
}

// cleanSource turns a source as written into a name relative to the root:
// an absolute path is taken relative to the root, one whose lexical form
// leaves the root is refused.
func (t *srcTree) cleanSource(src string) (string, error) {
	if src == "" {
		return "", errdefs.Invalid(fmt.Errorf("%s: empty source path", t.op))
	}
	p := path.Clean(filepath.ToSlash(src))
	if path.IsAbs(p) {
		p = strings.TrimPrefix(p, "/")
	} else if p == ".." || strings.HasPrefix(p, "../") {
		return "", t.outside(src)
	}
	if p == "." {
		p = ""
	}
	return p, nil
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?[") }

// isRemoteSource tells whether a source is a URL rather than a path.
func isRemoteSource(src string) bool {
	for _, scheme := range []string{"http://", "https://", "git://", "git@"} {
		if strings.HasPrefix(src, scheme) {
			return true
		}
	}
	return false
}

func (t *srcTree) remote(src string) error {
	return errdefs.Invalid(fmt.Errorf("%s %s: remote sources are not supported; download the file into the build context", t.op, src))
}

// expand finds the sources src names: itself, or what its wildcards match
// (filepath.Match per component), in name order. Nothing found is a
// not-found error.
func (t *srcTree) expand(src string) ([]srcItem, error) {
	if isRemoteSource(src) {
		return nil, t.remote(src)
	}
	name, err := t.cleanSource(src)
	if err != nil {
		return nil, err
	}
	// "dir/" names a directory only, as in a shell.
	mustBeDir := strings.HasSuffix(src, "/") && name != ""
	if !hasWildcard(name) {
		item, ok, err := t.resolve(name)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", t.op, src, err)
		}
		if !ok {
			return nil, t.notFound(src)
		}
		if mustBeDir && !item.info.IsDir() {
			return nil, errdefs.NotFound(fmt.Errorf("%s %s: not a directory", t.op, src))
		}
		return []srcItem{item}, nil
	}
	cands := []string{""}
	for _, part := range strings.Split(name, "/") {
		var next []string
		if !hasWildcard(part) {
			for _, c := range cands {
				next = append(next, path.Join(c, part))
			}
			cands = next
			continue
		}
		if _, err := path.Match(part, ""); err != nil {
			return nil, errdefs.Invalid(fmt.Errorf("%s %s: bad pattern: %w", t.op, src, err))
		}
		for _, c := range cands {
			dir, err := t.join(c)
			if err != nil {
				if notExist(err) {
					continue
				}
				return nil, fmt.Errorf("%s %s: %w", t.op, src, err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				if notExist(err) {
					continue
				}
				return nil, fmt.Errorf("%s %s: %w", t.op, src, err)
			}
			for _, e := range entries {
				if ok, _ := path.Match(part, e.Name()); ok {
					next = append(next, path.Join(c, e.Name()))
				}
			}
		}
		cands = next
	}
	var items []srcItem
	for _, c := range cands {
		item, ok, err := t.resolve(c)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", t.op, src, err)
		}
		if ok && (!mustBeDir || item.info.IsDir()) {
			items = append(items, item)
		}
	}
	if len(items) == 0 {
		return nil, t.notFound(src)
	}
	return items, nil
}

// walk calls fn for everything under the directory item, parents before
// children, in name order, with paths relative to item (slash separated).
// Symlinks are reported, never followed. Ignored files are left out, and
// so are ignored directories, except that one an exception may re-enter is
// walked without being reported itself.
func (t *srcTree) walk(item srcItem, fn func(rel, p string, fi fs.FileInfo) error) error {
	return t.walkDir(item.path, item.rel, "", fn)
}

func (t *srcTree) walkDir(dir, treeRel, rel string, fn func(rel, p string, fi fs.FileInfo) error) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading %q: %w", path.Join(treeRel, "."), err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		eTree, eRel := path.Join(treeRel, e.Name()), path.Join(rel, e.Name())
		fi, err := os.Lstat(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // gone meanwhile
			}
			return fmt.Errorf("reading %q: %w", eTree, err)
		}
		ign, err := t.ignored(eTree)
		if err != nil {
			return err
		}
		if fi.IsDir() {
			if ign && t.ctx.dirSkippable(eTree) {
				continue
			}
			if !ign {
				if err := fn(eRel, p, fi); err != nil {
					return err
				}
			}
			if err := t.walkDir(p, eTree, eRel, fn); err != nil {
				return err
			}
			continue
		}
		if ign {
			continue
		}
		if err := fn(eRel, p, fi); err != nil {
			return err
		}
	}
	return nil
}

// unsupported refuses the kinds of file COPY cannot reproduce.
func (t *srcTree) unsupported(name string, fi fs.FileInfo) error {
	m := fi.Mode()
	switch {
	case m&os.ModeDevice != 0:
		return errdefs.Invalid(fmt.Errorf("%s: %q is a device node; device nodes cannot be copied", t.op, name))
	case m&os.ModeIrregular != 0:
		return errdefs.Invalid(fmt.Errorf("%s: %q is not a regular file, directory, symlink or pipe", t.op, name))
	}
	return nil
}

// Digest returns a content digest ("sha256:...") of what Copy would read
// for srcs from srcRoot: names relative to the sources, file modes, symlink
// targets and file contents, but neither mtimes nor owners, after the
// context's ignore rules when ignore is set. It is the cache key of a COPY
// or ADD step. Missing sources give Copy's not-found error, naming op
// (COPY or ADD).
func Digest(srcRoot string, srcs []string, ctx *Context, ignore bool, op string) (string, error) {
	t, err := newSrcTree(srcRoot, ctx, ignore, op)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, src := range srcs {
		items, err := t.expand(src)
		if err != nil {
			return "", err
		}
		for _, it := range items {
			fmt.Fprintf(h, "source %q\n", it.name)
			if !it.info.IsDir() {
				if err := t.digestEntry(h, it.name, ".", it.path, it.info); err != nil {
					return "", err
				}
				continue
			}
			err := t.walk(it, func(rel, p string, fi fs.FileInfo) error {
				return t.digestEntry(h, path.Join(it.name, rel), rel, p, fi)
			})
			if err != nil {
				return "", err
			}
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// digestEntry adds one file to h: name, type and mode, then the symlink
// target or the content's own digest.
func (t *srcTree) digestEntry(h hash.Hash, name, rel, p string, fi fs.FileInfo) error {
	if err := t.unsupported(name, fi); err != nil {
		return err
	}
	m := fi.Mode()
	if m&os.ModeSocket != 0 {
		return nil // Copy skips sockets
	}
	var extra string
	switch {
	case m&os.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			return fmt.Errorf("reading %q: %w", name, err)
		}
		extra = target
	case m.IsRegular():
		f, err := openNoFollow(p)
		if err != nil {
			return fmt.Errorf("reading %q: %w", name, err)
		}
		fh := sha256.New()
		_, err = io.Copy(fh, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("reading %q: %w", name, err)
		}
		extra = hex.EncodeToString(fh.Sum(nil))
	}
	fmt.Fprintf(h, "%q %d %q\n", rel, uint32(m), extra)
	return nil
}

// openNoFollow opens a regular file for reading, refusing a symlink put in
// its place meanwhile (and never opening a pipe, which would block).
func openNoFollow(p string) (*os.File, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file", p)
	}
	return f, nil
}
