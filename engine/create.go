package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/stringid"
	"go.podman.io/storage/types"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/timing"
)

// Create makes a container from c: its root filesystem (a new layer on the
// image, or the given directory), its /etc files, its runtime spec and its
// record, in state created. pull is called when the image is not in the
// store; nil means fail. A failed Create leaves nothing behind, and so does
// one cut off (reconcile.go).
func (e *Engine) Create(ctx context.Context, c Config, pull PullFunc) (*Container, error) {
	ctr, img, err := e.prepare(ctx, newID(), c, pull)
	if err != nil {
		return nil, err
	}
	l, err := e.reserve(ctr, launchCreate)
	if err != nil {
		return nil, err
	}
	defer l.release()
	if err := e.materialize(ctx, ctr, img); err != nil {
		e.discard(ctr)
		return nil, err
	}
	if err := e.endLaunch(ctr); err != nil {
		e.discard(ctr)
		return nil, err
	}
	e.recordContainerEvents(ctr, "create")
	return ctr, nil
}

// prepare checks c and settles what it leaves to defaults, and finds (or
// pulls) the image: all that a create does before it makes anything.
func (e *Engine) prepare(ctx context.Context, id string, c Config, pull PullFunc) (*Container, *cstorage.Image, error) {
	if c.Image == "" && c.Rootfs == "" {
		return nil, nil, errdefs.Invalid(errors.New("no image given: burrow run [OPTIONS] IMAGE [COMMAND [ARG...]]"))
	}
	if c.Name != "" && !validName(c.Name) {
		return nil, nil, errdefs.Invalid(fmt.Errorf("invalid container name %q: use letters, digits and _.- (starting with a letter or digit)", c.Name))
	}
	if err := e.preparePodMember(&c); err != nil {
		return nil, nil, err
	}
	if err := e.resolveNetworks(&c); err != nil {
		return nil, nil, err
	}
	if err := CheckHealthConfig(c.Healthcheck); err != nil {
		return nil, nil, err
	}
	if c.StopSignal != "" {
		if _, err := ParseSignal(c.StopSignal); err != nil {
			return nil, nil, fmt.Errorf("stop signal: %w", err)
		}
	}
	if err := CheckRuntime(c.Runtime); err != nil {
		return nil, nil, err
	}
	if err := e.settleInit(&c); err != nil {
		return nil, nil, err
	}
	if err := dedupeMounts(&c); err != nil {
		return nil, nil, err
	}
	if err := checkSysctlsNetwork(&c); err != nil {
		return nil, nil, err
	}
	if _, err := deviceMounts(&c); err != nil { // refused before anything is made
		return nil, nil, err
	}
	if err := e.settleIPC(&c); err != nil {
		return nil, nil, err
	}
	if err := e.settleNamespaceModes(&c); err != nil {
		return nil, nil, err
	}
	if err := e.settleShmSize(&c); err != nil {
		return nil, nil, err
	}
	if err := CheckUlimits(c.Ulimits); err != nil {
		return nil, nil, err
	}
	if c.NoHosts && len(c.AddHosts) > 0 {
		return nil, nil, errdefs.Invalid(errors.New("--no-hosts and --add-host cannot be set together"))
	}
	if err := e.settleUmask(&c); err != nil {
		return nil, nil, err
	}
	if err := CheckGroupAdd(c.GroupAdd); err != nil {
		return nil, nil, err
	}
	if err := e.settleSecrets(&c); err != nil {
		return nil, nil, err
	}
	notes := discardPorts(&c)
	warnings, err := e.applyCgroupsSetting(&c)
	if err != nil {
		return nil, nil, err
	}
	ctr := &Container{Warnings: warnings, Notes: notes, Record: Record{ID: id, Name: c.Name, Config: c, Created: time.Now()}, engine: e}
	ctr.State.Status = StatusCreated
	if ctr.idmaps, err = userMappings(&c); err != nil {
		return nil, nil, err
	}
	if c.Rootfs != "" {
		if ctr.Config.Rootfs, err = filepath.Abs(c.Rootfs); err != nil {
			return nil, nil, err
		}
		if st, err := os.Stat(ctr.Config.Rootfs); err != nil || !st.IsDir() {
			return nil, nil, errdefs.Invalid(fmt.Errorf("--rootfs %s: not a directory", ctr.Config.Rootfs))
		}
		return ctr, nil, nil
	}
	img, err := e.LookupImage(c.Image)
	if errdefs.Is(err, errdefs.ClassNotFound) && pull != nil {
		if err = pull(ctx, c.Image); err == nil {
			img, err = e.LookupImage(c.Image)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	ctr.ImageID, ctr.ImageDigest = img.ID, img.Digest.String()
	ctr.Image = imageName(c.Image, img.Names)
	return ctr, img, nil
}

// claimName gives the container its name, as podman does: the one asked
// for if it is free, else a generated one. The caller holds the lock.
func (e *Engine) claimName(ctr *Container) error {
	if !e.namesValid() {
		if err := e.rebuildNames(); err != nil {
			return err
		}
	}
	if ctr.Name == "" {
		// As podman: a generated name that is taken is drawn again.
		ctr.generatedName = true
		for i := 0; ; i++ {
			ctr.Name = generateName()
			if i >= 50 {
				ctr.Name += "_" + ctr.ID[:6]
			}
			if e.named(ctr.Name) == nil {
				return nil
			}
		}
	}
	if r := e.named(ctr.Name); r != nil {
		return errdefs.Conflict(fmt.Errorf("creating container %q: the name is already in use by %s: choose another with --name or remove that container (burrow rm %s)", ctr.Name, stringid.TruncateID(r.ID), ctr.Name))
	}
	return nil
}

// materialize makes a reserved container: its storage layer (mounted, and
// left mounted for a start that follows), its spec and its complete record.
func (e *Engine) materialize(ctx context.Context, ctr *Container, img *cstorage.Image) error {
	c := &ctr.Config
	// Run's head start (headstart.go) may have made and mounted it.
	if img != nil && !ctr.Stored {
		if err := e.createStorage(ctr, img); err != nil {
			return err
		}
		timing.Mark("storage: container and its layer created")
	}
	rootfs := ctr.rootfs
	var err error
	if rootfs == "" {
		if rootfs, err = e.mountRoot(&ctr.Record); err != nil {
			return err
		}
		timing.Mark("storage: root mounted")
	}
	// The root stays mounted for a Start that follows at once (run);
	// Release unmounts it otherwise (create).
	ctr.rootfs = rootfs
	ctr.madeEtcPoints = missingEtcMountPoints(rootfs)
	if img != nil && ensureMtab(rootfs) {
		ctr.madeEtcPoints = append(ctr.madeEtcPoints, "etc/mtab")
	}
	var imgConfig *v1.ImageConfig
	var imgHealth *dockerspec.HealthcheckConfig
	if img != nil {
		cfg, err := e.ImageConfig(ctx, img)
		if err != nil {
			return err
		}
		imgConfig, imgHealth = &cfg.Config.ImageConfig, cfg.Config.Healthcheck
		ctr.StopSignal = cfg.Config.StopSignal
		c.Expose = addExposed(c.Expose, cfg.Config.ExposedPorts)
	}
	if c.PublishAll {
		c.Ports = PublishExposed(c.Ports, c.Expose)
	}
	if c.StopSignal != "" {
		ctr.StopSignal = c.StopSignal
	}
	if c.Healthcheck, err = mergeHealth(c.Healthcheck, imgHealth); err != nil {
		return err
	}
	ctr.applySystemdMode(processArgs(c, imgConfig))
	ctr.applyReadOnlyTmpfs()
	if ctr.Spec, err = ctr.buildSpec(rootfs, imgConfig); err != nil {
		return err
	}
	if err := e.podSpec(ctr.ID, c, ctr.Spec); err != nil {
		return err
	}
	if err := ctr.addSecrets(ctr.Spec); err != nil {
		return err
	}
	if err := e.addVolumesFrom(c); err != nil {
		return err
	}
	var imgVolumes []string
	if imgConfig != nil {
		for v := range imgConfig.Volumes {
			imgVolumes = append(imgVolumes, v)
		}
	}
	userMounts, err := e.resolveMounts(ctr, rootfs, imgVolumes)
	if err != nil {
		return err
	}
	ctr.Spec.Mounts = append(ctr.Spec.Mounts, userMounts...)
	devices, err := deviceMounts(c)
	if err != nil {
		return err
	}
	ctr.Spec.Mounts = append(ctr.Spec.Mounts, devices...)
	// Parents before children, as podman: a volume on /etc must not hide
	// the /etc/hosts bind made for the container.
	sort.SliceStable(ctr.Spec.Mounts, func(i, j int) bool {
		return mountDepth(ctr.Spec.Mounts[i].Destination) < mountDepth(ctr.Spec.Mounts[j].Destination)
	})
	ctr.Args = commandArgs(c, ctr.Spec.Process.Args)
	if err := writeJSON(filepath.Join(e.ctrDir(ctr.ID), "spec.json"), ctr.Spec); err != nil {
		return err
	}
	// Complete, but still launching: what a reader adopts if this command
	// is cut off after the process starts.
	return e.updateRecord(&ctr.Record)
}

// updateRecord writes r under the engine lock.
func (e *Engine) updateRecord(r *Record) error {
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return e.writeRecord(r)
}

// changeRecord lets change alter the container's record as it stands on
// disk, read and written back under the engine lock, so that a change made
// by another burrow process since this one read the record is kept.
func (e *Engine) changeRecord(id string, change func(*Record)) error {
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	r, err := e.readRecord(id)
	if err != nil {
		return err
	}
	change(r)
	return e.writeRecord(r)
}

// createStorage makes the container's layer on img in the store.
func (e *Engine) createStorage(ctr *Container, img *cstorage.Image) error {
	store, err := e.store()
	if err != nil {
		return err
	}
	// A --rm container is volatile, as podman makes it: its records in
	// the store are written without fsync and its overlay mount skips
	// syncs, since it is gone at its exit anyway (and a crash leaves
	// nothing worth keeping).
	opts := &cstorage.ContainerOptions{Volatile: ctr.Config.Remove}
	if m := ctr.idmaps; m != nil && m.Auto {
		// As podman's userns=auto: storage picks a range of IDs no
		// container of the store (podman's either) maps, under its lock.
		opts.IDMappingOptions = types.IDMappingOptions{AutoUserNs: true, AutoUserNsOpts: types.AutoUserNsOptions{Size: m.AutoSize}}
	} else if m != nil {
		// The container's layers with the image's files owned by the IDs
		// its users are in burrow's namespace.
		opts.IDMappingOptions = types.IDMappingOptions{
			UIDMap: storageIDMappings(m), GIDMap: storageGIDMappings(m),
		}
	}
	sc, err := store.CreateContainer(ctr.ID, []string{ctr.Name}, img.ID, "", storageMetadata(storageKindContainer), opts)
	// A generated name may be taken by another tool's container.
	for i := 0; ctr.generatedName && errors.Is(err, cstorage.ErrDuplicateName) && i < 20; i++ {
		ctr.Name = generateName() + "_" + ctr.ID[:6]
		sc, err = store.CreateContainer(ctr.ID, []string{ctr.Name}, img.ID, "", storageMetadata(storageKindContainer), opts)
	}
	if err != nil {
		if errors.Is(err, cstorage.ErrDuplicateName) {
			return errdefs.Conflict(fmt.Errorf("creating container %q: the name is already in use in the store (by another tool: see podman ps -a): choose another with --name", ctr.Name))
		}
		return fmt.Errorf("creating container storage: %w", err)
	}
	ctr.Stored = true
	if m := ctr.idmaps; m != nil && m.Auto {
		settleAutoMappings(m, &ctr.Config, sc.UIDMap, sc.GIDMap)
	}
	crashPoint("storage")
	return nil
}

// Release unmounts the root Create left mounted, for a container that is
// not started now.
func (e *Engine) Release(ctr *Container) error {
	if ctr.rootfs == "" {
		return nil
	}
	ctr.rootfs = ""
	return e.unmountRoot(&ctr.Record)
}

// validName is podman's rule for container names.
func validName(n string) bool {
	for i, r := range n {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || (r != '_' && r != '.' && r != '-')) {
			return false
		}
	}
	return n != ""
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	return os.Rename(tmp, path)
}

// mountRoot returns the container's root: its storage layer mounted, or
// the --rootfs directory.
func (e *Engine) mountRoot(r *Record) (string, error) {
	if !r.Stored {
		return r.Config.Rootfs, nil
	}
	s, err := e.store()
	if err != nil {
		return "", err
	}
	p, err := s.Mount(r.ID, "")
	if err != nil {
		return "", fmt.Errorf("mounting the root of container %s: %w", stringid.TruncateID(r.ID), err)
	}
	return p, nil
}

func (e *Engine) unmountRoot(r *Record) error {
	if !r.Stored {
		return nil
	}
	s, err := e.store()
	if err != nil {
		return err
	}
	if _, err := s.Unmount(r.ID, true); err != nil && !errors.Is(err, cstorage.ErrLayerUnknown) && !errors.Is(err, cstorage.ErrContainerUnknown) {
		return fmt.Errorf("unmounting the root of container %s: %w", stringid.TruncateID(r.ID), err)
	}
	return nil
}

// removeFiles deletes a container's storage, record and run files.
func (e *Engine) removeFiles(r *Record) error {
	var errs []error
	if r.Stored {
		e.unmountRoot(r)
		s, err := e.store()
		if err != nil {
			return err
		}
		if err := s.DeleteContainer(r.ID); err != nil && !errors.Is(err, cstorage.ErrContainerUnknown) {
			errs = append(errs, fmt.Errorf("removing the storage of container %s: %w", stringid.TruncateID(r.ID), err))
		}
		timing.Mark("storage: root unmounted, container and its layer deleted")
	}
	e.teardownNetwork(r.ID)
	os.RemoveAll(e.runDir(r.ID))
	if err := e.removeRecordDir(r); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
