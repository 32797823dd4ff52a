package api

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
)

// sample is a value that is not the zero value of t, for the fields test.
func sample(t reflect.Type) reflect.Value {
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if t == reflect.TypeOf(time.Duration(0)) {
			v.SetInt(int64(time.Second))
		} else {
			v.SetInt(1)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1)
	case reflect.Pointer:
		v.Set(reflect.New(t.Elem()))
		v.Elem().Set(sample(t.Elem()))
	case reflect.Slice:
		v.Set(reflect.Append(reflect.MakeSlice(t, 0, 1), sample(t.Elem())))
	case reflect.Map:
		v.Set(reflect.MakeMap(t))
		v.SetMapIndex(sample(t.Key()), sample(t.Elem()))
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				v.Field(i).Set(sample(t.Field(i).Type))
			}
		}
	}
	return v
}

// Every field of the SDK's create request does something or is refused
// with a 400 that names it: none is silently ignored.
func TestCreateFieldsMappedOrRefused(t *testing.T) {
	base, err := planFrom(t, "", `{"Image":"i"}`)
	if err != nil {
		t.Fatal(err)
	}
	// What the request carries that is no setting of the container: the
	// image, the attach a client will make (dockerd ignores these at
	// create too), the CLI's own --cidfile, and the terminal's first size,
	// which the client's resize after attaching sets.
	informative := map[string]bool{
		"Config.Image": true, "Config.AttachStdin": true, "Config.AttachStdout": true, "Config.AttachStderr": true,
		"Config.StdinOnce": true, "HostConfig.ContainerIDFile": true, "HostConfig.ConsoleSize": true,
	}
	try := func(field string, set func(req *container.CreateRequest)) {
		if informative[field] {
			return
		}
		req := container.CreateRequest{Config: &container.Config{Image: "i"}, HostConfig: &container.HostConfig{}}
		set(&req)
		b, _ := json.Marshal(req)
		p, err := planFrom(t, "", string(b))
		short := strings.ToLower(field[strings.LastIndex(field, ".")+1:])
		switch {
		case err != nil && !strings.Contains(strings.ToLower(err.Error()), short):
			t.Errorf("%s: refused without naming it: %v", field, err)
		case err == nil && reflect.DeepEqual(p, base):
			t.Errorf("%s: accepted and ignored", field)
		}
	}
	ct := reflect.TypeOf(container.Config{})
	for i := range ct.NumField() {
		f := ct.Field(i)
		try("Config."+f.Name, func(req *container.CreateRequest) {
			reflect.ValueOf(req.Config).Elem().Field(i).Set(sample(f.Type))
			if f.Name == "Env" {
				req.Config.Env = []string{"x=y"} // a name alone is never taken from the service's
			}
		})
	}
	ht := reflect.TypeOf(container.HostConfig{})
	for i := range ht.NumField() {
		f := ht.Field(i)
		if f.Anonymous {
			for j := range f.Type.NumField() {
				g := f.Type.Field(j)
				try("HostConfig."+g.Name, func(req *container.CreateRequest) {
					reflect.ValueOf(req.HostConfig).Elem().Field(i).Field(j).Set(sample(g.Type))
				})
			}
			continue
		}
		try("HostConfig."+f.Name, func(req *container.CreateRequest) {
			reflect.ValueOf(req.HostConfig).Elem().Field(i).Set(sample(f.Type))
		})
	}
}

// The same of a network endpoint's settings at create; what dockerd itself
// fills in (addresses, IDs, DNS names) is output and ignored as by dockerd.
func TestCreateEndpointFieldsMappedOrRefused(t *testing.T) {
	body := func(ep *network.EndpointSettings) string {
		b, _ := json.Marshal(container.CreateRequest{
			Config: &container.Config{Image: "i"}, HostConfig: &container.HostConfig{NetworkMode: "app"},
			NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{"app": ep}},
		})
		return string(b)
	}
	base, err := planFrom(t, "", body(&network.EndpointSettings{}))
	if err != nil {
		t.Fatal(err)
	}
	output := map[string]bool{
		"NetworkID": true, "EndpointID": true, "Gateway": true, "IPAddress": true, "IPPrefixLen": true,
		"IPv6Gateway": true, "GlobalIPv6Address": true, "GlobalIPv6PrefixLen": true, "DNSNames": true,
	}
	et := reflect.TypeOf(network.EndpointSettings{})
	for i := range et.NumField() {
		f := et.Field(i)
		if output[f.Name] {
			continue
		}
		ep := &network.EndpointSettings{}
		reflect.ValueOf(ep).Elem().Field(i).Set(sample(f.Type))
		if f.Name == "MacAddress" {
			ep.MacAddress = network.HardwareAddr{0x02, 0x42, 0xac, 0x11, 0, 2} // six bytes, or the types' own decoding refuses it
		}
		p, err := planFrom(t, "", body(ep))
		switch {
		case err != nil && !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(f.Name)):
			t.Errorf("EndpointSettings.%s: refused without naming it: %v", f.Name, err)
		case err == nil && reflect.DeepEqual(p, base):
			t.Errorf("EndpointSettings.%s: accepted and ignored", f.Name)
		}
	}
}
