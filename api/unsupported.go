package api

import (
	"fmt"

	"github.com/moby/moby/api/types/container"

	"github.com/burrow-containers/burrow/errdefs"
)

// refuseUnsupported names the first field of a create request that asks
// for something burrow does not do. The zero values, and the defaults the
// docker CLI, compose and the SDKs send, pass.
func refuseUnsupported(req *createRequest) error {
	cfg, hc := req.Config, req.HostConfig
	for _, u := range []struct {
		asked bool
		field string
	}{
		{cfg.ArgsEscaped, "Config.ArgsEscaped"},
		{len(cfg.OnBuild) > 0, "Config.OnBuild"},
		{len(cfg.Shell) > 0, "Config.Shell"},
		{hc.VolumeDriver != "" && hc.VolumeDriver != "local", "HostConfig.VolumeDriver"},
		{hc.CgroupnsMode != "" && !hc.CgroupnsMode.IsPrivate(), "HostConfig.CgroupnsMode"},
		{hc.Cgroup != "", "HostConfig.Cgroup"},
		{len(hc.Links) > 0, "HostConfig.Links"},
		{len(hc.StorageOpt) > 0, "HostConfig.StorageOpt"},
		{hc.ShmSize < 0, "HostConfig.ShmSize below 0"},
		{hc.Runtime != "", "HostConfig.Runtime"},
		{hc.Umask != nil, "HostConfig.Umask"},
		{!hc.Isolation.IsDefault(), "HostConfig.Isolation"},
	} {
		if u.asked {
			return errdefs.Invalid(fmt.Errorf("%s: burrow does not support it; leave it out", u.field))
		}
	}
	r := hc.Resources
	r.Ulimits = nil // a create's are the container's --ulimit
	return refuseResources(&r)
}

// refuseResources names the first of the limits (of a create or an
// update) that burrow cannot set.
func refuseResources(r *container.Resources) error {
	for _, u := range []struct {
		asked bool
		field string
	}{
		{r.CgroupParent != "", "HostConfig.CgroupParent"},
		{len(r.BlkioWeightDevice) > 0, "HostConfig.BlkioWeightDevice"},
		{r.CPURealtimePeriod != 0 || r.CPURealtimeRuntime != 0, "HostConfig.CpuRealtimePeriod and CpuRealtimeRuntime"},
		{len(r.DeviceCgroupRules) > 0, "HostConfig.DeviceCgroupRules"},
		{len(r.DeviceRequests) > 0, "HostConfig.DeviceRequests"},
		{r.MemorySwappiness != nil && *r.MemorySwappiness != -1, "HostConfig.MemorySwappiness"},
		{r.OomKillDisable != nil && *r.OomKillDisable, "HostConfig.OomKillDisable"},
		{len(r.Ulimits) > 0, "HostConfig.Ulimits (of an update: they are set at create)"},
		{r.CPUCount != 0 || r.CPUPercent != 0, "HostConfig.CpuCount and CpuPercent (Windows)"},
		{r.IOMaximumIOps != 0 || r.IOMaximumBandwidth != 0, "HostConfig.IOMaximumIOps and IOMaximumBandwidth (Windows)"},
	} {
		if u.asked {
			return errdefs.Invalid(fmt.Errorf("%s: burrow does not support it; leave it out", u.field))
		}
	}
	return nil
}
