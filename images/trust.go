package images

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.podman.io/storage/pkg/homedir"
	"sigs.k8s.io/yaml"

	"github.com/burrow-containers/burrow/errdefs"
)

// systemPolicyPath and systemRegistriesDir are the system's trust files,
// which a user's own under ~/.config/containers replace (as podman).
const (
	systemPolicyPath    = "/etc/containers/policy.json"
	systemRegistriesDir = "/etc/containers/registries.d"
)

// trustTypes are the --type values `image trust set` takes, as podman
// lists them.
var trustTypes = []string{"accept", "insecureAcceptAnything", "reject", "signedBy", "sigstoreSigned"}

// scopePattern is what podman takes for a scope: a registry host, a port,
// a repository path.
var scopePattern = regexp.MustCompile(`^[a-zA-Z0-9-_.]+(:[0-9]+)?(/[a-z0-9-_./:]*)?$`)

// DefaultPolicyPath is the policy.json pulls obey: the user's
// ~/.config/containers/policy.json when there is one, else the system's.
func DefaultPolicyPath() string {
	return userOrSystem(filepath.Join(homedir.Get(), ".config/containers/policy.json"), systemPolicyPath)
}

// RegistriesDirPath is the registries.d that says where signatures are
// kept: the user's ~/.config/containers/registries.d when there is one,
// else the system's.
func RegistriesDirPath() string {
	return userOrSystem(filepath.Join(homedir.Get(), ".config/containers/registries.d"), systemRegistriesDir)
}

func userOrSystem(user, system string) string {
	if _, err := os.Stat(user); err == nil {
		return user
	}
	return system
}

// policyFile is policy.json with each scope's requirements kept as
// written, so that a change to one scope leaves the others (and fields
// burrow does not know) as they were.
type policyFile struct {
	Default    json.RawMessage                       `json:"default"`
	Transports map[string]map[string]json.RawMessage `json:"transports,omitempty"`
}

// requirement is one requirement of a scope, with the fields `trust set`
// writes and `trust show` reads.
type requirement struct {
	Type     string   `json:"type"`
	KeyType  string   `json:"keyType,omitempty"`
	KeyPath  string   `json:"keyPath,omitempty"`
	KeyPaths []string `json:"keyPaths,omitempty"`
	KeyData  string   `json:"keyData,omitempty"`
}

// TrustSetOptions are `image trust set`'s flags.
type TrustSetOptions struct {
	// PolicyPath is the policy.json to change ("": DefaultPolicyPath).
	PolicyPath string
	// Type is one of trustTypes.
	Type string
	// PubKeysFiles are the keys a signedBy or sigstoreSigned scope
	// needs: one requirement each.
	PubKeysFiles []string
}

// SetTrust makes scope ("default", a registry or a repository) accept,
// reject or require signatures, as `podman image trust set`: the scope's
// requirements are replaced, the rest of the file is kept.
func SetTrust(scope string, o TrustSetOptions) error {
	if scope != "default" && !scopePattern.MatchString(scope) {
		return errdefs.Invalid(fmt.Errorf("invalid image uri: %s: give default, REGISTRY[:PORT] or REGISTRY[:PORT]/REPOSITORY", scope))
	}
	if !slices.Contains(trustTypes, o.Type) {
		return errdefs.Invalid(fmt.Errorf("invalid choice: %s (choose from 'accept', 'reject', 'signedBy', 'sigstoreSigned')", o.Type))
	}
	reqs, err := newRequirements(o.Type, o.PubKeysFiles)
	if err != nil {
		return err
	}
	path := o.PolicyPath
	if path == "" {
		path = DefaultPolicyPath()
	}
	var p policyFile
	switch b, err := os.ReadFile(path); {
	case err == nil:
		if err := json.Unmarshal(b, &p); err != nil {
			return errdefs.Invalid(fmt.Errorf("could not read trust policies from %s: %w", path, err))
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("reading the trust policy: %w", err)
	}
	if scope == "default" {
		p.Default = reqs
	} else if err := p.setScope(scope, reqs); err != nil {
		return err
	}
	out, err := json.MarshalIndent(p, "", "    ")
	if err != nil {
		return fmt.Errorf("setting trust policy: %w", err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		return fmt.Errorf("writing the trust policy: %w", err)
	}
	return nil
}

// newRequirements are the requirements a scope of type t gets.
func newRequirements(t string, keys []string) (json.RawMessage, error) {
	var reqs []requirement
	switch t {
	case "accept", "insecureAcceptAnything", "reject":
		if len(keys) != 0 {
			return nil, errdefs.Invalid(fmt.Errorf("%d public keys unexpectedly provided for trust type %v", len(keys), t))
		}
		if t == "accept" {
			t = "insecureAcceptAnything"
		}
		reqs = []requirement{{Type: t}}
	case "signedBy", "sigstoreSigned":
		if len(keys) == 0 {
			return nil, errdefs.Invalid(fmt.Errorf("at least one public key must be defined for type '%s'", t))
		}
		for _, k := range keys {
			r := requirement{Type: t, KeyPath: k}
			if t == "signedBy" {
				r.KeyType = "GPGKeys"
			}
			reqs = append(reqs, r)
		}
	}
	return json.Marshal(reqs)
}

// setScope replaces scope's requirements in the transport that has it,
// else adds it to docker's; the default must be set first (podman's rule:
// a policy without one is invalid).
func (p *policyFile) setScope(scope string, reqs json.RawMessage) error {
	if len(p.Default) == 0 {
		return errdefs.Invalid(errors.New("default trust policy must be set"))
	}
	for _, scopes := range p.Transports {
		if _, ok := scopes[scope]; ok {
			scopes[scope] = reqs
			return nil
		}
	}
	if p.Transports == nil {
		p.Transports = map[string]map[string]json.RawMessage{}
	}
	if p.Transports["docker"] == nil {
		p.Transports["docker"] = map[string]json.RawMessage{}
	}
	p.Transports["docker"][scope] = reqs
	return nil
}

// TrustPolicy is one requirement as `image trust show` lists it, with
// podman's JSON names.
type TrustPolicy struct {
	Transport      string   `json:"transport"`
	Name           string   `json:"name,omitempty"`
	RepoName       string   `json:"repo_name,omitempty"`
	Keys           []string `json:"keys,omitempty"`
	SignatureStore string   `json:"sigstore,omitempty"`
	Type           string   `json:"type"`
	GPGId          string   `json:"gpg_id,omitempty"`
}

// trustTypeNames are the words `trust show` uses for the types.
var trustTypeNames = map[string]string{"insecureAcceptAnything": "accept", "signedBy": "signed", "sigstoreSigned": "sigstoreSigned", "reject": "reject"}

// ShowTrust describes the policy in policyPath ("": DefaultPolicyPath)
// and where registriesDir ("": RegistriesDirPath) keeps each scope's
// signatures: the default first, then each transport's scopes in order.
// It returns the file as it is too, for --raw.
func ShowTrust(policyPath, registriesDir string) ([]TrustPolicy, []byte, error) {
	if policyPath == "" {
		policyPath = DefaultPolicyPath()
	}
	if registriesDir == "" {
		registriesDir = RegistriesDirPath()
	}
	raw, err := os.ReadFile(policyPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, errdefs.NotFound(fmt.Errorf("no trust policy: %w: write one with `image trust set` or name another with --policypath", err))
		}
		return nil, nil, fmt.Errorf("reading the trust policy: %w", err)
	}
	var p struct {
		Default    []requirement                       `json:"default"`
		Transports map[string]map[string][]requirement `json:"transports"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, nil, errdefs.Invalid(fmt.Errorf("could not read trust policies: could not parse trust policies from %s: %w", policyPath, err))
	}
	stores, err := loadLookasides(registriesDir)
	if err != nil {
		return nil, nil, fmt.Errorf("could not show trust policies: %w", err)
	}
	out := describe(p.Default, TrustPolicy{Transport: "all", Name: "* (default)", RepoName: "default"}, stores.forScope(""))
	for _, transport := range sortedKeys(p.Transports) {
		shown := transport
		if shown == "docker" {
			shown = "repository"
		}
		for _, scope := range sortedKeys(p.Transports[transport]) {
			out = append(out, describe(p.Transports[transport][scope], TrustPolicy{Transport: shown, Name: scope, RepoName: scope}, stores.forScope(scope))...)
		}
	}
	return out, raw, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// describe is one line per requirement, from template.
func describe(reqs []requirement, template TrustPolicy, store string) []TrustPolicy {
	out := make([]TrustPolicy, 0, len(reqs))
	for _, r := range reqs {
		e := template
		e.Type, e.SignatureStore = trustTypeNames[r.Type], store
		switch r.Type {
		case "signedBy":
			var ids []string
			for _, k := range append([]string{r.KeyPath}, r.KeyPaths...) {
				if k != "" {
					ids = append(ids, keyFileIdentities(k)...)
				}
			}
			if r.KeyData != "" {
				ids = append(ids, keyDataIdentities(r.KeyData)...)
			}
			e.GPGId = strings.Join(ids, ", ")
		case "sigstoreSigned":
			// Sigstore keys have no GPG identity to show.
			e.GPGId = "N/A"
		}
		out = append(out, e)
	}
	return out
}

// lookasides is registries.d merged: where each namespace's signatures
// are kept.
type lookasides struct {
	DefaultDocker *lookaside           `json:"default-docker"`
	Docker        map[string]lookaside `json:"docker"`
}

type lookaside struct {
	Lookaside string `json:"lookaside"`
	SigStore  string `json:"sigstore"`
}

// url is where signatures are read from (sigstore is lookaside's old name).
func (l *lookaside) url() string {
	if l.Lookaside != "" {
		return l.Lookaside
	}
	return l.SigStore
}

// loadLookasides merges the YAML files of dir; a namespace (or the
// default) set in two files is an error, as containers/image has it.
func loadLookasides(dir string) (*lookasides, error) {
	merged := &lookasides{Docker: map[string]lookaside{}}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return merged, nil
	}
	if err != nil {
		return nil, err
	}
	from := map[string]string{}
	for _, ent := range entries {
		if !strings.HasSuffix(ent.Name(), ".yaml") {
			continue
		}
		path := filepath.Join(dir, ent.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var c lookasides
		if err := yaml.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("parsing %s: %w", path, err)
		}
		if c.DefaultDocker != nil {
			if merged.DefaultDocker != nil {
				return nil, fmt.Errorf(`parsing signature storage configuration: "default-docker" defined both in %q and %q`, from[""], path)
			}
			merged.DefaultDocker, from[""] = c.DefaultDocker, path
		}
		for ns, l := range c.Docker {
			if _, ok := merged.Docker[ns]; ok {
				return nil, fmt.Errorf(`parsing signature storage configuration: "docker" namespace %q defined both in %q and %q`, ns, from[ns], path)
			}
			merged.Docker[ns], from[ns] = l, path
		}
	}
	return merged, nil
}

// forScope is the lookaside of scope's nearest configured namespace (the
// scope, then its parents), else the default's; "" asks for the default.
func (c *lookasides) forScope(scope string) string {
	for s := scope; s != ""; {
		if l, ok := c.Docker[s]; ok {
			return l.url()
		}
		i := strings.LastIndex(s, "/")
		if i < 0 {
			break
		}
		s = s[:i]
	}
	if c.DefaultDocker != nil {
		return c.DefaultDocker.url()
	}
	return ""
}
