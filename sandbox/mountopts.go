package sandbox

import (
	"golang.org/x/sys/unix"
)

// mountOptions is the parsed form of an OCI mount's option list.
type mountOptions struct {
	flags       uintptr  // MS_* flags for mount(2)
	propagation uintptr  // MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE (with MS_REC)
	data        []string // filesystem-specific options (mode=, size=, newinstance...)
	bind        bool
	recursive   bool
	// copyUp: the tmpfs starts with what the root has at its destination
	// (the OCI option tmpcopyup, which runc and crun read; never the
	// kernel's).
	copyUp bool
}

var flagOptions = map[string]struct {
	clear bool
	flag  uintptr
}{
	"ro":          {false, unix.MS_RDONLY},
	"rw":          {true, unix.MS_RDONLY},
	"nosuid":      {false, unix.MS_NOSUID},
	"suid":        {true, unix.MS_NOSUID},
	"nodev":       {false, unix.MS_NODEV},
	"dev":         {true, unix.MS_NODEV},
	"noexec":      {false, unix.MS_NOEXEC},
	"exec":        {true, unix.MS_NOEXEC},
	"sync":        {false, unix.MS_SYNCHRONOUS},
	"async":       {true, unix.MS_SYNCHRONOUS},
	"dirsync":     {false, unix.MS_DIRSYNC},
	"remount":     {false, unix.MS_REMOUNT},
	"mand":        {false, unix.MS_MANDLOCK},
	"nomand":      {true, unix.MS_MANDLOCK},
	"atime":       {true, unix.MS_NOATIME},
	"noatime":     {false, unix.MS_NOATIME},
	"diratime":    {true, unix.MS_NODIRATIME},
	"nodiratime":  {false, unix.MS_NODIRATIME},
	"relatime":    {false, unix.MS_RELATIME},
	"norelatime":  {true, unix.MS_RELATIME},
	"strictatime": {false, unix.MS_STRICTATIME},
}

var propagationOptions = map[string]uintptr{
	"private":     unix.MS_PRIVATE,
	"rprivate":    unix.MS_PRIVATE | unix.MS_REC,
	"shared":      unix.MS_SHARED,
	"rshared":     unix.MS_SHARED | unix.MS_REC,
	"slave":       unix.MS_SLAVE,
	"rslave":      unix.MS_SLAVE | unix.MS_REC,
	"unbindable":  unix.MS_UNBINDABLE,
	"runbindable": unix.MS_UNBINDABLE | unix.MS_REC,
}

// parseMountOptions splits OCI mount options into mount(2) flags,
// propagation and data. Options that are not flags are passed to the
// filesystem as data, as runc does.
func parseMountOptions(opts []string) mountOptions {
	var m mountOptions
	for _, o := range opts {
		switch o {
		case "bind":
			m.bind = true
			continue
		case "rbind":
			m.bind, m.recursive = true, true
			continue
		case "tmpcopyup":
			m.copyUp = true
			continue
		case "notmpcopyup":
			// podman's spelling of its absence: no tmpfs knows it.
			m.copyUp = false
			continue
		}
		if f, ok := flagOptions[o]; ok {
			if f.clear {
				m.flags &^= f.flag
			} else {
				m.flags |= f.flag
			}
			continue
		}
		if p, ok := propagationOptions[o]; ok {
			m.propagation = p
			continue
		}
		m.data = append(m.data, o)
	}
	return m
}

// superFlags are the options of o's flags that belong to the filesystem,
// not the mount, as fsconfig(2) names them.
func (m mountOptions) superFlags() []string {
	var keys []string
	if m.flags&unix.MS_SYNCHRONOUS != 0 {
		keys = append(keys, "sync")
	}
	if m.flags&unix.MS_DIRSYNC != 0 {
		keys = append(keys, "dirsync")
	}
	return keys
}

// mountAttrs maps MS_ flags to the mount attributes of mount_setattr(2)
// and fsmount(2).
var mountAttrs = []struct {
	flag uintptr
	attr uint64
}{
	{unix.MS_RDONLY, unix.MOUNT_ATTR_RDONLY},
	{unix.MS_NOSUID, unix.MOUNT_ATTR_NOSUID},
	{unix.MS_NODEV, unix.MOUNT_ATTR_NODEV},
	{unix.MS_NOEXEC, unix.MOUNT_ATTR_NOEXEC},
	{unix.MS_NODIRATIME, unix.MOUNT_ATTR_NODIRATIME},
}

// attr is the mount attributes o's flags set: the flags a mount can have
// on its own, the access-time rule replacing the mount's when given.
func (m mountOptions) attr() unix.MountAttr {
	var a unix.MountAttr
	for _, f := range mountAttrs {
		if m.flags&f.flag != 0 {
			a.Attr_set |= f.attr
		}
	}
	switch {
	case m.flags&unix.MS_NOATIME != 0:
		a.Attr_set |= unix.MOUNT_ATTR_NOATIME
		a.Attr_clr |= unix.MOUNT_ATTR__ATIME
	case m.flags&unix.MS_STRICTATIME != 0:
		a.Attr_set |= unix.MOUNT_ATTR_STRICTATIME
		a.Attr_clr |= unix.MOUNT_ATTR__ATIME
	case m.flags&unix.MS_RELATIME != 0:
		a.Attr_set |= unix.MOUNT_ATTR_RELATIME
		a.Attr_clr |= unix.MOUNT_ATTR__ATIME
	}
	return a
}
