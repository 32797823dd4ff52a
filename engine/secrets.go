package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/common/pkg/secrets"

	"github.com/burrow-containers/burrow/errdefs"
)

// Secrets are podman's: kept by go.podman.io/common/pkg/secrets in
// GRAPHROOT/secrets (secrets.json, and the file driver's data in
// secrets/filedriver), so that podman and burrow see the same ones. A
// container's --secret is read when it is created: a mount secret is
// copied to the container's run directory and bound read-only at
// /run/secrets/NAME, an env secret becomes a variable of its process.

// SecretOptions are secret create's settings.
type SecretOptions struct {
	Driver     string            // "" or file, the only driver burrow takes
	DriverOpts map[string]string // the file driver's path=
	Labels     map[string]string
	Replace    bool
}

// Secret is a secret as secret inspect shows it, as podman's.
type Secret struct {
	ID        string     `json:"ID"`
	CreatedAt time.Time  `json:"CreatedAt"`
	UpdatedAt time.Time  `json:"UpdatedAt"`
	Spec      SecretSpec `json:"Spec"`
}

// SecretSpec is a secret's name, driver and labels.
type SecretSpec struct {
	Name   string            `json:"Name"`
	Driver SecretDriver      `json:"Driver"`
	Labels map[string]string `json:"Labels"`
}

// SecretDriver is the driver that holds a secret's data.
type SecretDriver struct {
	Name    string            `json:"Name"`
	Options map[string]string `json:"Options"`
}

// secretsDir is where podman keeps its secrets.
func (e *Engine) secretsDir() string { return filepath.Join(e.opts.GraphRoot, "secrets") }

func (e *Engine) secretsManager() (*secrets.SecretsManager, error) {
	m, err := secrets.NewManager(e.secretsDir())
	if err != nil {
		return nil, fmt.Errorf("opening the secrets store: %w", err)
	}
	return m, nil
}

// CreateSecret stores a secret's data under name and returns its ID.
func (e *Engine) CreateSecret(name string, data []byte, o SecretOptions) (string, error) {
	if o.Driver == "" {
		o.Driver = "file"
	}
	if o.Driver != "file" {
		return "", errdefs.Invalid(fmt.Errorf("secret driver %q: burrow keeps secrets with the file driver only", o.Driver))
	}
	opts := map[string]string{}
	for k, v := range o.DriverOpts {
		opts[k] = v
	}
	if opts["path"] == "" {
		opts["path"] = filepath.Join(e.secretsDir(), "filedriver")
	}
	m, err := e.secretsManager()
	if err != nil {
		return "", err
	}
	id, err := m.Store(name, data, o.Driver, secrets.StoreOptions{DriverOpts: opts, Labels: o.Labels, Replace: o.Replace})
	if err != nil {
		if strings.Contains(err.Error(), "secret name in use") {
			return "", errdefs.Conflict(fmt.Errorf("%w: choose another name, or give --replace", err))
		}
		return "", errdefs.Invalid(err)
	}
	return id, nil
}

// Secrets are every secret of the store.
func (e *Engine) Secrets() ([]Secret, error) {
	m, err := e.secretsManager()
	if err != nil {
		return nil, err
	}
	list, err := m.List()
	if err != nil {
		return nil, err
	}
	out := make([]Secret, 0, len(list))
	for _, s := range list {
		out = append(out, secretView(s))
	}
	return out, nil
}

// GetSecret finds a secret by name, ID or ID prefix.
func (e *Engine) GetSecret(nameOrID string) (*Secret, error) {
	m, err := e.secretsManager()
	if err != nil {
		return nil, err
	}
	s, err := m.Lookup(nameOrID)
	if err != nil {
		return nil, secretError(nameOrID, err)
	}
	v := secretView(*s)
	return &v, nil
}

// RemoveSecret deletes a secret and its data, and returns its ID.
func (e *Engine) RemoveSecret(nameOrID string) (string, error) {
	m, err := e.secretsManager()
	if err != nil {
		return "", err
	}
	id, err := m.Delete(nameOrID)
	if err != nil {
		return "", secretError(nameOrID, err)
	}
	return id, nil
}

func secretView(s secrets.Secret) Secret {
	labels := s.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	return Secret{ID: s.ID, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
		Spec: SecretSpec{Name: s.Name, Driver: SecretDriver{Name: s.Driver, Options: s.DriverOptions}, Labels: labels}}
}

// secretError classes a lookup's error: a missing secret is not found.
func secretError(nameOrID string, err error) error {
	if errors.Is(err, secrets.ErrNoSuchSecret) {
		return errdefs.NotFound(fmt.Errorf("%s: no such secret", nameOrID))
	}
	return err
}

// SecretRef is a container's --secret: the secret (by ID once created),
// and how the container gets it.
type SecretRef struct {
	Name   string
	ID     string `json:",omitempty"`
	Env    bool   `json:",omitempty"` // type=env: a variable, not a file
	Target string `json:",omitempty"` // the file (under /run/secrets) or the variable
	UID    uint32 `json:",omitempty"`
	GID    uint32 `json:",omitempty"`
	Mode   uint32 `json:",omitempty"` // 0: 0444
}

// ParseSecret reads --secret NAME[,type=mount|env][,target=T][,uid=U]
// [,gid=G][,mode=M], as podman's.
func ParseSecret(s string) (SecretRef, error) {
	fields := strings.Split(s, ",")
	ref := SecretRef{Name: fields[0]}
	bad := func(why string) (SecretRef, error) {
		return SecretRef{}, errdefs.Invalid(fmt.Errorf("invalid --secret %q: %s: use NAME[,type=mount|env,target=TARGET,uid=UID,gid=GID,mode=MODE]", s, why))
	}
	if ref.Name == "" || strings.Contains(ref.Name, "=") {
		return bad("the secret's name comes first")
	}
	idSet := false
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return bad(f + " is not KEY=VALUE")
		}
		switch k {
		case "type":
			if v != "mount" && v != "env" {
				return bad("type is mount or env")
			}
			ref.Env = v == "env"
		case "target":
			ref.Target = v
		case "uid", "gid":
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return bad(k + " is a number")
			}
			if k == "uid" {
				ref.UID = uint32(n)
			} else {
				ref.GID = uint32(n)
			}
			idSet = true
		case "mode":
			n, err := strconv.ParseUint(v, 8, 32)
			if err != nil || n > 0o777 {
				return bad("mode is an octal permission")
			}
			ref.Mode = uint32(n)
			idSet = true
		default:
			return bad("unknown option " + k)
		}
	}
	if ref.Env && idSet {
		return bad("uid, gid and mode are for type=mount")
	}
	if ref.Target == "" {
		ref.Target = ref.Name
	}
	if !ref.Env && !filepath.IsAbs(ref.Target) {
		ref.Target = filepath.Join("/run/secrets", ref.Target)
	}
	return ref, nil
}

// settleSecrets finds c's secrets at create, kept by ID.
func (e *Engine) settleSecrets(c *Config) error {
	for i, ref := range c.Secrets {
		s, err := e.GetSecret(ref.Name)
		if err != nil {
			return errdefs.Invalid(fmt.Errorf("--secret %s: %w", ref.Name, err))
		}
		c.Secrets[i].ID = s.ID
	}
	return nil
}

// addSecrets gives the container of ctr its secrets in spec: each mount
// secret's data in a file of the container's run directory, owned by the
// UID and GID asked for (as the container sees them), bound read-only at
// its target; each env secret as a variable.
func (ctr *Container) addSecrets(spec *specs.Spec) error {
	if len(ctr.Config.Secrets) == 0 {
		return nil
	}
	m, err := ctr.engine.secretsManager()
	if err != nil {
		return err
	}
	dir := filepath.Join(ctr.engine.ctrDir(ctr.ID), "secrets")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for i, ref := range ctr.Config.Secrets {
		_, data, err := m.LookupSecretData(ref.ID)
		if err != nil {
			return fmt.Errorf("--secret %s: %w", ref.Name, secretError(ref.Name, err))
		}
		if ref.Env {
			spec.Process.Env = append(spec.Process.Env, ref.Target+"="+string(data))
			continue
		}
		// A file per --secret: one secret may be given twice, with
		// different owners or modes.
		path := filepath.Join(dir, fmt.Sprintf("%d-%s", i, ref.ID))
		if err := ctr.writeSecretFile(path, data, ref, spec); err != nil {
			return fmt.Errorf("--secret %s: %w", ref.Name, err)
		}
		spec.Mounts = append(spec.Mounts, specs.Mount{Destination: ref.Target, Type: "bind", Source: path, Options: []string{"bind", "ro", "nosuid", "nodev", "noexec"}})
	}
	return nil
}

// writeSecretFile writes a mount secret's file with its owner and mode.
func (ctr *Container) writeSecretFile(path string, data []byte, ref SecretRef, spec *specs.Spec) error {
	mode := os.FileMode(ref.Mode)
	if mode == 0 {
		mode = 0o444
	}
	os.Remove(path)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	uid, gid, err := specIDs(spec, ref.UID, ref.GID)
	if err != nil {
		return err
	}
	if err := os.Chown(path, uid, gid); err != nil {
		return fmt.Errorf("handing the secret to UID %d in the container: %w", ref.UID, err)
	}
	return os.Chmod(path, mode)
}
