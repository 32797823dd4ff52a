package sandbox

import (
	"strings"

	"golang.org/x/sys/unix"
)

// mountOptions is the parsed form of an OCI mount's option list.
type mountOptions struct {
	flags       uintptr  // MS_* flags for mount(2)
	propagation uintptr  // MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE (with MS_REC)
	data        []string // filesystem-specific options (mode=, size=, newinstance...)
	bind        bool
	recursive   bool
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

func (m mountOptions) dataString() string { return strings.Join(m.data, ",") }
