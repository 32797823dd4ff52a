package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/moby/moby/api/types/volume"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// volumeResponse is a volume in dockerd's shape.
func volumeResponse(v *engine.Volume) volume.Volume {
	return volume.Volume{
		Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, Labels: orEmpty(v.Labels),
		CreatedAt: v.CreatedAt.Format(time.RFC3339), Scope: "local", Options: orEmpty(v.Options),
	}
}

func (s *Server) volumeList(w http.ResponseWriter, r *http.Request) {
	specs, err := filterSpecs(r)
	if err != nil {
		writeError(w, err)
		return
	}
	filters, err := s.Engine.ParseVolumeFilters(specs)
	if err != nil {
		writeError(w, err)
		return
	}
	vols, err := s.Engine.Volumes()
	if err != nil {
		writeError(w, err)
		return
	}
	out := volume.ListResponse{Volumes: []volume.Volume{}, Warnings: []string{}}
	for _, v := range vols {
		if v.Matches(filters) {
			out.Volumes = append(out.Volumes, volumeResponse(v))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) volumeCreate(w http.ResponseWriter, r *http.Request) {
	var req volume.CreateRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, errdefs.Invalid(fmt.Errorf("reading the volume create request: %w", err)))
		return
	}
	switch {
	case req.Driver != "" && req.Driver != "local":
		writeError(w, errdefs.Invalid(fmt.Errorf("volume create: Driver %q: burrow's volumes are local", req.Driver)))
		return
	case req.ClusterVolumeSpec != nil:
		writeError(w, errdefs.Invalid(errors.New("volume create: ClusterVolumeSpec: burrow has no swarm")))
		return
	}
	// As dockerd: creating a volume that exists returns it.
	// DriverOpts are the local driver's: type (none with o=bind, bind,
	// tmpfs), device, o, as volume create -o.
	v, err := s.Engine.CreateVolume(req.Name, engine.VolumeOptions{Labels: req.Labels, Options: req.DriverOpts, IgnoreExisting: true})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, volumeResponse(v))
}

func (s *Server) volumeInspect(w http.ResponseWriter, r *http.Request) {
	v, err := s.Engine.GetVolume(r.PathValue("name"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, volumeResponse(v))
}

// volumeRemove deletes a volume no container uses; force only makes a
// missing volume no error, as dockerd's.
func (s *Server) volumeRemove(w http.ResponseWriter, r *http.Request) {
	err := s.Engine.RemoveVolume(r.PathValue("name"), false, nil)
	if err != nil && !(boolParam(r, "force") && errdefs.Is(err, errdefs.ClassNotFound)) {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// volumePrune removes the unused volumes the filters select: only
// anonymous ones unless all=true, as dockerd since API 1.42.
func (s *Server) volumePrune(w http.ResponseWriter, r *http.Request) {
	args, err := filterArgs(r)
	if err != nil {
		writeError(w, err)
		return
	}
	all := false
	var specs []string
	for k, vs := range args {
		for _, v := range vs {
			switch k {
			case "all":
				all = v == "true" || v == "1"
			case "label", "label!":
				specs = append(specs, k+"="+v)
			default:
				writeError(w, errdefs.Invalid(fmt.Errorf("unsupported volume prune filter %q: burrow knows all, label! and label", k)))
				return
			}
		}
	}
	filters, err := s.Engine.ParseVolumeFilters(append(specs, "dangling=true"))
	if err != nil {
		writeError(w, err)
		return
	}
	vols, err := s.Engine.Volumes()
	if err != nil {
		writeError(w, err)
		return
	}
	report := volume.PruneReport{VolumesDeleted: []string{}}
	for _, v := range vols {
		if (!all && !v.Anonymous) || !v.Matches(filters) {
			continue
		}
		size := engine.VolumeSize(v)
		if err := s.Engine.RemoveVolume(v.Name, false, nil); err != nil {
			continue // taken meanwhile
		}
		report.VolumesDeleted = append(report.VolumesDeleted, v.Name)
		report.SpaceReclaimed += uint64(size)
	}
	writeJSON(w, http.StatusOK, report)
}
