package engine

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/burrow-containers/burrow/errdefs"
	securejoin "github.com/cyphar/filepath-securejoin"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/archive"
	"go.podman.io/storage/pkg/stringid"
	"golang.org/x/sys/unix"
)

// The steps of an image build (package build) run on these: a RUN is a
// container run in the foreground, a COPY a change to a mounted working
// layer, COPY --from a read of another image's root. Each hands the
// changes it made, as a layer, to a keep function, and leaves no
// container behind.

// RunStep runs c in the foreground with its output to out. When the
// process exits 0 the container's changes (an uncompressed tar) go to
// keep. The container is removed in every case; the exit code is returned.
func (e *Engine) RunStep(ctx context.Context, c Config, out io.Writer, keep func(changes io.Reader) error) (code int, err error) {
	c.Remove, c.Interactive, c.TTY = false, false, false
	c.BuildBy = &Launch{Kind: "build", Pid: os.Getpid(), Start: procStart(os.Getpid())}
	ctr, conn, err := e.Run(ctx, c, nil, StartOptions{Attach: true})
	if ctr != nil {
		defer func() {
			if rerr := e.Remove(context.WithoutCancel(ctx), ctr, RemoveOptions{Force: true, Timeout: new(time.Duration)}); rerr != nil && err == nil {
				err = rerr
			}
		}()
	}
	if err != nil {
		return 0, err
	}
	// A build cancelled (killed by SIGTERM or SIGINT, as podman's) stops
	// its step at once: the deferred removal then leaves nothing behind.
	stop := context.AfterFunc(ctx, func() { signalInit(&ctr.State, unix.SIGKILL) })
	defer stop()
	code, err = (&attachedContainer{e: e, ctx: ctx, ctr: ctr, conn: conn, a: Attach{Stdout: out, Stderr: out}}).Wait()
	if ctx.Err() != nil {
		return code, fmt.Errorf("running a build step: %w", ctx.Err())
	}
	if err != nil || code != 0 {
		return code, err
	}
	// The mount points made for /etc/hosts, /etc/resolv.conf and
	// /etc/hostname must not end up in the layer.
	return 0, e.layerChanges(ctr.ID, ctr.madeEtcPoints, keep)
}

// etcMountPoints are the files a container gets bound from its run
// directory (as the tar names them).
var etcMountPoints = []string{"etc/hosts", "etc/resolv.conf", "etc/hostname", "run/.containerenv", "etc/localtime"}

// missingEtcMountPoints lists those of etcMountPoints a root filesystem
// lacks (resolved inside it).
func missingEtcMountPoints(rootfs string) []string {
	var missing []string
	for _, p := range etcMountPoints {
		inside, err := securejoin.SecureJoin(rootfs, p)
		if err != nil {
			continue
		}
		if _, err := os.Lstat(inside); err != nil {
			missing = append(missing, p)
		}
	}
	return missing
}

// layerChanges hands the changes of a storage container's layer to keep.
// Empty files named in drop (mount points made for the run) are left out.
func (e *Engine) layerChanges(id string, drop []string, keep func(io.Reader) error) error {
	s, err := e.store()
	if err != nil {
		return err
	}
	sc, err := s.Container(id)
	if err != nil {
		return err
	}
	return spooledDiff(s, "", sc.LayerID, drop, keep)
}

// spooledDiff hands what layer to changes against from ("": its parent),
// an uncompressed tar, to keep from a temporary file: the store holds its
// layers locked while a diff is open, and keep writes into it. Empty
// regular files named in drop are left out, and the /etc/mtab link made
// for the run.
func spooledDiff(s cstorage.Store, from, to string, drop []string, keep func(io.Reader) error) error {
	diff, err := s.Diff(from, to, &cstorage.DiffOptions{Compression: &[]archive.Compression{archive.Uncompressed}[0]})
	if err != nil {
		return fmt.Errorf("reading the changes of layer %s: %w", shortImageID(to), err)
	}
	f, err := os.CreateTemp(s.RunRoot(), "burrow-layer-")
	if err != nil {
		diff.Close()
		return fmt.Errorf("spooling the changes of layer %s: %w", shortImageID(to), err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if len(drop) == 0 {
		_, err = io.Copy(f, diff)
	} else {
		err = copyTarWithout(f, diff, drop)
	}
	if cerr := diff.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("spooling the changes of layer %s: %w", shortImageID(to), err)
	}
	return keep(f)
}

// ChangeImage makes a working layer on the image imageID ("" for an empty
// one), mounts it for change to alter, hands the changes to keep, and
// removes the working layer.
func (e *Engine) ChangeImage(imageID string, change func(rootfs string) error, keep func(changes io.Reader) error) (err error) {
	s, err := e.store()
	if err != nil {
		return err
	}
	sc, err := s.CreateContainer("", nil, imageID, "", storageMetadata(storageKindBuild), nil)
	if err != nil {
		return fmt.Errorf("making a working layer on %s: %w", shortImageID(imageID), err)
	}
	defer func() {
		if derr := s.DeleteContainer(sc.ID); derr != nil && err == nil {
			err = fmt.Errorf("removing the working layer: %w", derr)
		}
	}()
	rootfs, err := s.Mount(sc.ID, "")
	if err != nil {
		return fmt.Errorf("mounting a working layer on %s: %w", shortImageID(imageID), err)
	}
	cerr := change(rootfs)
	if _, uerr := s.Unmount(sc.ID, true); uerr != nil && cerr == nil {
		cerr = fmt.Errorf("unmounting the working layer: %w", uerr)
	}
	if cerr != nil {
		return cerr
	}
	return e.layerChanges(sc.ID, nil, keep)
}

// WithImageRoot mounts the image's root filesystem read-only for fn.
func (e *Engine) WithImageRoot(imageID string, fn func(root string) error) error {
	s, err := e.store()
	if err != nil {
		return err
	}
	root, err := s.MountImage(imageID, []string{"ro"}, "")
	if err != nil {
		return fmt.Errorf("mounting image %s: %w", shortImageID(imageID), err)
	}
	ferr := fn(root)
	if _, err := s.UnmountImage(imageID, false); err != nil && ferr == nil {
		ferr = fmt.Errorf("unmounting image %s: %w", shortImageID(imageID), err)
	}
	return ferr
}

// shortImageID is how messages name an image: 12 digits, or "scratch".
func shortImageID(id string) string {
	if id == "" {
		return "scratch"
	}
	return stringid.TruncateID(id)
}

// ImageChanges hands what the image toID changes against fromID (one of
// its ancestors; "" for all of it) to keep, as one uncompressed layer.
func (e *Engine) ImageChanges(fromID, toID string, keep func(changes io.Reader) error) error {
	s, err := e.store()
	if err != nil {
		return err
	}
	to, err := s.Image(toID)
	if err != nil {
		return err
	}
	fromLayer := ""
	if fromID != "" {
		from, err := s.Image(fromID)
		if err != nil {
			return err
		}
		fromLayer = from.TopLayer
		if fromLayer == to.TopLayer {
			return keep(emptyTar())
		}
	}
	return spooledDiff(s, fromLayer, to.TopLayer, nil, keep)
}

// emptyTar is a tar stream with no entries.
func emptyTar() io.Reader { return bytes.NewReader(make([]byte, 1024)) }

// copyTarWithout copies a tar stream, leaving out the empty regular files
// named in drop.
func copyTarWithout(w io.Writer, r io.Reader, drop []string) error {
	tr, tw := tar.NewReader(r), tar.NewWriter(w)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return tw.Close()
		}
		if err != nil {
			return err
		}
		made := h.Typeflag == tar.TypeReg && h.Size == 0 || h.Typeflag == tar.TypeSymlink && h.Linkname == "/proc/mounts"
		if made && slices.Contains(drop, strings.TrimPrefix(path.Clean(h.Name), "/")) {
			continue
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return err
		}
	}
}

// orphanedStep tells whether r is the container of a build's RUN step
// whose build command is gone.
func orphanedStep(r *Record) bool {
	return r.Config.BuildBy != nil && !r.Config.BuildBy.ownerAlive()
}

// removeOrphanedStep removes the exited container of a RUN step whose
// build was killed after the step ended, before it read the changes and
// removed the container. It tells whether the container is gone.
func (e *Engine) removeOrphanedStep(id string) bool {
	unlock, err := e.lock()
	if err != nil {
		return false
	}
	defer unlock()
	r, err := e.readRecord(id)
	if err != nil {
		return errdefs.Is(err, errdefs.ClassNotFound)
	}
	if !orphanedStep(r) || r.State.Status == StatusRunning || r.State.Launch != nil {
		return false
	}
	e.teardownNetwork(r.ID)
	return e.discardLocked(r) == nil
}
