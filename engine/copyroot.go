package engine

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// copyRoot is a container's filesystem as a copy sees it. A running
// container's root is its process's view (/proc/PID/root), with its
// volumes and bind mounts in place. A container that does not run has its
// layer mounted alone: a path under one of its volumes or bind mounts is
// read and written in that mount's source on the host, as podman cp and
// docker cp do, the deepest mount winning (a volume mounted inside another
// volume gets what is copied under it).
type copyRoot struct {
	rootfs string
	binds  []specs.Mount // a stopped container's bind mounts of directories
}

// withCopyRoot runs fn with ctr's filesystem as a copy sees it; spec is
// the container's, for its mounts.
func (e *Engine) withCopyRoot(ctr *Container, spec *specs.Spec, fn func(*copyRoot) error) error {
	return e.withRootView(ctr, func(rootfs string, live bool) error {
		c := &copyRoot{rootfs: rootfs}
		if !live && spec != nil {
			c.binds = directoryBinds(spec.Mounts)
		}
		return fn(c)
	})
}

// directoryBinds are the bind mounts of mounts whose source is a
// directory: volumes and directories of the host. Files bound over the
// image's (/etc/hosts and the like) and device nodes stay out: a copy
// reaches those in the container's own layer, as podman's does.
func directoryBinds(mounts []specs.Mount) []specs.Mount {
	var out []specs.Mount
	for _, m := range mounts {
		if m.Type != "bind" || !path.IsAbs(m.Destination) {
			continue
		}
		if st, err := os.Stat(m.Source); err != nil || !st.IsDir() {
			continue
		}
		m.Destination = path.Clean(m.Destination)
		out = append(out, m)
	}
	return out
}

// resolve finds abs, an absolute path in the container, on the host: the
// root it lies in (the container's, or the source of the deepest bind
// mount it is under) and its path there. Links are resolved inside the
// container's root first, then, past a mount point, inside the mount's
// source: no link leads out of either.
func (c *copyRoot) resolve(abs string) (root, inside string, err error) {
	inside, err = securejoin.SecureJoin(c.rootfs, abs)
	if err != nil || len(c.binds) == 0 {
		return c.rootfs, inside, err
	}
	rel, err := filepath.Rel(c.rootfs, inside)
	if err != nil {
		return "", "", err
	}
	p := path.Join("/", filepath.ToSlash(rel))
	m := deepestBind(c.binds, p)
	if m == nil {
		return c.rootfs, inside, nil
	}
	inside, err = securejoin.SecureJoin(m.Source, strings.TrimPrefix(p, m.Destination))
	return m.Source, inside, err
}

// deepestBind is the mount of binds whose destination holds p, the
// deepest one; nil when p is under none.
func deepestBind(binds []specs.Mount, p string) *specs.Mount {
	var best *specs.Mount
	for i := range binds {
		d := binds[i].Destination
		if p != d && !strings.HasPrefix(p, strings.TrimSuffix(d, "/")+"/") {
			continue
		}
		if best == nil || len(d) > len(best.Destination) {
			best = &binds[i]
		}
	}
	return best
}

// locate is resolve for a caller that resolves the last component itself
// (the API's archive, which docker does not follow when it is a link):
// the root p lies in and p's path in that root, "/" and "/." suffixes
// kept. With asEntry (a read), the mount point itself, asked for as
// itself, is its source's name in the source's parent, so that it is
// packed as one entry, which the caller names as the container path's
// last component; a write always gets the source itself as its root.
func (c *copyRoot) locate(p string, asEntry bool) (root, rel string, err error) {
	abs := path.Clean("/" + p)
	if len(c.binds) == 0 || abs == "/" {
		return c.rootfs, p, nil
	}
	dir, err := securejoin.SecureJoin(c.rootfs, path.Dir(abs))
	if err != nil {
		return "", "", err
	}
	d, err := filepath.Rel(c.rootfs, dir)
	if err != nil {
		return "", "", err
	}
	cpath := path.Join("/", filepath.ToSlash(d), path.Base(abs))
	m := deepestBind(c.binds, cpath)
	if m == nil {
		return c.rootfs, p, nil
	}
	suffix := ""
	switch {
	case strings.HasSuffix(p, "/."):
		suffix = "/."
	case strings.HasSuffix(p, "/"):
		suffix = "/"
	}
	if asEntry && cpath == m.Destination && suffix != "/." {
		return filepath.Dir(m.Source), "/" + filepath.Base(m.Source) + suffix, nil
	}
	rel = path.Join("/", strings.TrimPrefix(cpath, m.Destination))
	if rel == "/" && suffix != "" {
		return m.Source, suffix, nil
	}
	return m.Source, rel + suffix, nil
}
