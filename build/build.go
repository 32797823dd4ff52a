package build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
)

// Options are `burrow build`'s (podman's) flags.
type Options struct {
	ContextDir string            // the build context
	File       string            // -f; empty: Containerfile, else Dockerfile, in the context
	Tags       []string          // -t
	BuildArgs  map[string]string // --build-arg
	Target     string            // --target: the last stage built
	NoCache    bool              // --no-cache: run every step
	Pull       string            // --pull: missing (default), always or never
	Labels     []string          // --label K=V on the final image
	// Layers keeps each step's image for the cache (podman's default);
	// without it the steps still run one by one but only the final image
	// stays.
	Layers  bool
	Squash  bool   // --squash: the stages' new layers as one
	Format  string // oci (default) or docker
	Network string // for RUN: "" (slirp4netns), none or host
	// Run is the rest of the containers of RUN steps (--add-host, --dns,
	// --ulimit, --shm-size, --cap-add, -v, ...): the step sets the image,
	// command, environment, working directory, user and network over it.
	Run engine.Config
	// Env are K=V variables added to the final image (--env); UnsetEnv
	// are variables taken from it (--unsetenv).
	Env, UnsetEnv []string
	// Out receives the steps and the output of RUN; nil discards it.
	Out io.Writer
	// Registry is how FROM pulls (TLS, credentials); its Out is ignored.
	Registry images.PullOptions
}

// StepError is a RUN that failed: the build exits with its code, as
// podman's does.
type StepError struct {
	Step string
	Code int
}

func (e *StepError) Error() string {
	return fmt.Sprintf("building at STEP %q: exit status %d", e.Step, e.Code)
}

// ExitCode is the failed step's exit code.
func (e *StepError) ExitCode() int { return e.Code }

// Result is the image a build made.
type Result struct {
	ID    string
	Names []string
}

// DefaultFile finds the Containerfile of a context: Containerfile is
// preferred over Dockerfile, as podman does.
func DefaultFile(contextDir string) (string, error) {
	for _, n := range []string{"Containerfile", "Dockerfile"} {
		p := filepath.Join(contextDir, n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", errdefs.NotFound(fmt.Errorf("no Containerfile or Dockerfile in %s: name one with -f", contextDir))
}

// Build runs the Containerfile's stages up to the target and returns the
// final image, tagged with o.Tags.
func Build(ctx context.Context, eng *engine.Engine, o Options) (*Result, error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	switch o.Pull {
	case "", "missing", "always", "never":
	default:
		return nil, errdefs.Invalid(fmt.Errorf("invalid --pull %q: use missing, always or never", o.Pull))
	}
	switch o.Format {
	case "", "oci", "docker":
	default:
		return nil, errdefs.Invalid(fmt.Errorf("invalid --format %q: use oci or docker", o.Format))
	}
	dir, err := filepath.Abs(o.ContextDir)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, errdefs.NotFound(fmt.Errorf("the build context %s is not a directory", o.ContextDir))
	}
	file := o.File
	if file == "" {
		if file, err = DefaultFile(dir); err != nil {
			return nil, err
		}
	}
	content, err := os.ReadFile(file)
	if err != nil {
		return nil, errdefs.NotFound(fmt.Errorf("reading the Containerfile: %w", err))
	}
	f, err := Parse(filepath.Base(file), content)
	if err != nil {
		return nil, err
	}
	last := len(f.Stages) - 1
	if o.Target != "" {
		if last = f.stageIndex(o.Target, len(f.Stages)); last < 0 {
			return nil, errdefs.Invalid(fmt.Errorf("--target %s: no stage of that name in %s", o.Target, f.Name))
		}
	}
	for _, t := range o.Tags {
		if _, err := images.NormalizeName(t); err != nil {
			return nil, errdefs.Invalid(fmt.Errorf("invalid tag %q: %w", t, err))
		}
	}
	bctx, err := OpenContext(dir, file)
	if err != nil {
		return nil, err
	}
	b := &builder{
		ctx: ctx, eng: eng, o: o, file: f, bctx: bctx,
		cache: openCache(eng), lex: shell.NewLex(f.Escape),
		results: make([]stageResult, len(f.Stages)),
	}
	b.reg = o.Registry
	b.reg.Out, b.reg.Quiet = o.Out, false
	b.reg.ManifestType = o.Format
	b.quiet = o.Registry
	b.quiet.Out, b.quiet.Quiet = nil, true
	b.quiet.ManifestType = o.Format
	if err := b.metaArgs(); err != nil {
		return nil, err
	}
	for i := 0; i <= last; i++ {
		if err := b.runStage(i, last); err != nil {
			return nil, err
		}
	}
	final := b.results[last].img
	if final == nil {
		return nil, errdefs.Invalid(fmt.Errorf("%s: the final stage has no content: an image from scratch needs COPY or ADD", f.Name))
	}
	if !o.Layers {
		for _, id := range b.made {
			if id != final.ID {
				eng.DeleteImage(id)
			}
		}
	}
	res := &Result{ID: final.ID}
	if len(o.Tags) > 0 {
		if err := eng.TagImage(final, o.Tags...); err != nil {
			return nil, err
		}
		for _, t := range o.Tags {
			n, _ := images.NormalizeName(t)
			res.Names = append(res.Names, n.String())
		}
	}
	for _, n := range res.Names {
		fmt.Fprintf(o.Out, "Successfully tagged %s\n", n)
	}
	return res, nil
}

type stageResult struct {
	img *cstorage.Image
	cfg dockerspec.DockerOCIImage
}

type builder struct {
	ctx     context.Context
	eng     *engine.Engine
	o       Options
	reg     images.PullOptions // pulls, with progress
	quiet   images.PullOptions // storing images, without
	file    *File
	bctx    *Context
	cache   *cache
	lex     *shell.Lex
	meta    map[string]string // ARGs before FROM with a value
	results []stageResult
	made    []string // images stored by this build
}

// stage is the state of the stage being built.
type stage struct {
	index   int
	name    string // for messages: [i/n] when several
	img     *cstorage.Image
	base    *cstorage.Image // what FROM gave (squash keeps its layers)
	cfg     dockerspec.DockerOCIImage
	key     string
	dirty   bool              // cfg has changes img lacks
	args    map[string]string // ARGs declared in the stage, with a value
	cmdSet  bool              // CMD given in this stage
	history []imgspecv1.History
}

func (b *builder) expander(env []string) instructions.SingleWordExpander {
	getter := shell.EnvsFromSlice(env)
	return func(word string) (string, error) {
		s, _, err := b.lex.ProcessWord(word, getter)
		return s, err
	}
}

// metaArgs reads the ARGs before the first FROM: build args override
// their defaults.
func (b *builder) metaArgs() error {
	b.meta = map[string]string{}
	for _, a := range b.file.MetaArgs {
		for _, kv := range a.Args {
			if v, ok := b.o.BuildArgs[kv.Key]; ok {
				b.meta[kv.Key] = v
				continue
			}
			if kv.Value != nil {
				v, err := b.expander(envOf(b.meta))(*kv.Value)
				if err != nil {
					return b.lineErr(a.Location(), err)
				}
				b.meta[kv.Key] = v
			}
		}
	}
	return nil
}

func envOf(m map[string]string) []string {
	var env []string
	for k, v := range m {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

func (b *builder) lineErr(loc any, err error) error {
	line := 0
	switch l := loc.(type) {
	case instructions.Command:
		line = startLine(l)
	}
	if line > 0 {
		return errdefs.Invalid(fmt.Errorf("%s:%d: %w", b.file.Name, line, err))
	}
	return errdefs.Invalid(fmt.Errorf("%s: %w", b.file.Name, err))
}

// env is what variables expand against in the stage: the image's
// environment, then the stage's ARGs that the environment does not set.
func (st *stage) env() []string {
	env := append([]string{}, st.cfg.Config.Env...)
	for _, kv := range envOf(st.args) {
		k, _, _ := strings.Cut(kv, "=")
		if !hasKey(env, k) {
			env = append(env, kv)
		}
	}
	return env
}

func hasKey(env []string, k string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, k+"=") {
			return true
		}
	}
	return false
}

func (b *builder) runStage(i, last int) error {
	s := b.file.Stages[i]
	st := &stage{index: i, args: map[string]string{}}
	if len(b.file.Stages) > 1 {
		st.name = fmt.Sprintf("[%d/%d] ", i+1, last+1)
	}
	total := 1 + len(s.Commands)
	step := 0
	announce := func(text string) {
		step++
		fmt.Fprintf(b.o.Out, "%sSTEP %d/%d: %s\n", st.name, step, total, text)
	}
	announce(s.SourceCode)
	if err := b.from(st, s); err != nil {
		return err
	}
	for _, c := range s.Commands {
		announce(commandText(c))
		if err := b.command(st, c); err != nil {
			return err
		}
	}
	if i == last && len(b.o.Labels) > 0 {
		for _, l := range b.o.Labels {
			k, v, _ := strings.Cut(l, "=")
			b.configStep(st, "LABEL "+k+"="+v, func(c *dockerspec.DockerOCIImageConfig) {
				if c.Labels == nil {
					c.Labels = map[string]string{}
				}
				c.Labels[k] = v
			})
		}
	}
	if i == last {
		for _, kv := range b.o.Env {
			k, v, _ := strings.Cut(kv, "=")
			b.configStep(st, "ENV "+k+"="+v, func(c *dockerspec.DockerOCIImageConfig) {
				c.Env = append(slices.DeleteFunc(c.Env, func(e string) bool { return strings.HasPrefix(e, k+"=") }), k+"="+v)
			})
		}
		for _, k := range b.o.UnsetEnv {
			b.configStep(st, "UNSETENV "+k, func(c *dockerspec.DockerOCIImageConfig) {
				c.Env = slices.DeleteFunc(c.Env, func(e string) bool { return strings.HasPrefix(e, k+"=") })
			})
		}
	}
	if st.dirty || (i == last && b.o.Squash) {
		if err := b.finish(st, i == last); err != nil {
			return err
		}
	}
	b.results[i] = stageResult{img: st.img, cfg: st.cfg}
	return nil
}

// commandText is a command as the file has it, on one line.
func commandText(c instructions.Command) string {
	if s, ok := c.(fmt.Stringer); ok {
		return strings.Join(strings.Fields(strings.ReplaceAll(s.String(), "\\\n", " ")), " ")
	}
	return c.Name()
}

func (b *builder) from(st *stage, s instructions.Stage) error {
	base, err := b.expander(envOf(b.meta))(s.BaseName)
	if err != nil {
		return b.lineErr(nil, err)
	}
	switch idx := b.file.stageIndex(base, st.index); {
	case idx >= 0:
		r := b.results[idx]
		st.img, st.cfg = r.img, r.cfg
		st.cfg.History = append([]imgspecv1.History{}, r.cfg.History...)
		st.cfg.Config.Env = append([]string{}, r.cfg.Config.Env...)
		st.cfg.Config.Labels = copyMap(r.cfg.Config.Labels)
	case strings.EqualFold(base, "scratch"):
		st.cfg = dockerspec.DockerOCIImage{}
		st.cfg.Platform = imgspecv1.Platform{OS: "linux", Architecture: runtime.GOARCH}
		st.cfg.RootFS.Type = "layers"
	default:
		img, err := b.baseImage(base, s.Platform)
		if err != nil {
			return err
		}
		cfg, err := b.eng.ImageConfig(b.ctx, img)
		if err != nil {
			return err
		}
		st.img, st.cfg = img, *cfg
	}
	st.base = st.img
	if st.img != nil {
		st.key = chain("FROM", st.img.ID)
		fmt.Fprintf(b.o.Out, "--> %s\n", stringid.TruncateID(st.img.ID))
	} else {
		st.key = chain("FROM", "scratch")
	}
	return nil
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// baseImage finds FROM's image by the --pull policy.
func (b *builder) baseImage(ref, platform string) (*cstorage.Image, error) {
	if b.o.Pull != "always" {
		img, err := b.eng.LookupImage(ref)
		if err == nil || b.o.Pull == "never" || !errdefs.Is(err, errdefs.ClassNotFound) {
			return img, err
		}
	}
	opts := b.reg
	if platform != "" {
		opts.Platform = platform
	}
	return b.eng.Pull(b.ctx, ref, opts)
}

func (b *builder) command(st *stage, c instructions.Command) error {
	if e, ok := c.(instructions.SupportsSingleWordExpansion); ok {
		if _, isRun := c.(*instructions.RunCommand); !isRun {
			if err := e.Expand(b.expander(st.env())); err != nil {
				return b.lineErr(c, err)
			}
		}
	}
	text := commandText(c)
	switch c := c.(type) {
	case *instructions.ArgCommand:
		for _, kv := range c.Args {
			v, given := b.o.BuildArgs[kv.Key]
			switch {
			case given:
			case kv.Value != nil:
				v = *kv.Value
			default:
				v, given = b.meta[kv.Key]
				if !given {
					delete(st.args, kv.Key)
					continue
				}
			}
			st.args[kv.Key] = v
			st.key = chain(st.key, "ARG", kv.Key, v)
		}
		return nil
	case *instructions.EnvCommand:
		b.configStep(st, text, func(cfg *dockerspec.DockerOCIImageConfig) {
			for _, kv := range c.Env {
				cfg.Env = images.SetEnv(cfg.Env, kv.Key, kv.Value)
			}
		})
	case *instructions.LabelCommand:
		b.configStep(st, text, func(cfg *dockerspec.DockerOCIImageConfig) {
			if cfg.Labels == nil {
				cfg.Labels = map[string]string{}
			}
			for _, kv := range c.Labels {
				cfg.Labels[kv.Key] = kv.Value
			}
		})
	case *instructions.MaintainerCommand:
		b.configStep(st, text, func(*dockerspec.DockerOCIImageConfig) { st.cfg.Author = c.Maintainer })
	case *instructions.WorkdirCommand:
		b.configStep(st, text, func(cfg *dockerspec.DockerOCIImageConfig) {
			p := c.Path
			if !path.IsAbs(p) {
				p = path.Join("/", cfg.WorkingDir, p)
			}
			cfg.WorkingDir = path.Clean(p)
		})
	case *instructions.UserCommand:
		b.configStep(st, text, func(cfg *dockerspec.DockerOCIImageConfig) { cfg.User = c.User })
	case *instructions.VolumeCommand:
		b.configStep(st, text, func(cfg *dockerspec.DockerOCIImageConfig) {
			if cfg.Volumes == nil {
				cfg.Volumes = map[string]struct{}{}
			}
			for _, v := range c.Volumes {
				cfg.Volumes[v] = struct{}{}
			}
		})
	case *instructions.StopSignalCommand:
		b.configStep(st, text, func(cfg *dockerspec.DockerOCIImageConfig) { cfg.StopSignal = c.Signal })
	case *instructions.ExposeCommand:
		var ports []string
		for _, p := range c.Ports {
			words, err := b.lex.ProcessWords(p, shell.EnvsFromSlice(st.env()))
			if err != nil {
				return b.lineErr(c, err)
			}
			ports = append(ports, words...)
		}
		b.configStep(st, text, func(cfg *dockerspec.DockerOCIImageConfig) {
			if cfg.ExposedPorts == nil {
				cfg.ExposedPorts = map[string]struct{}{}
			}
			for _, p := range ports {
				if !strings.Contains(p, "/") {
					p += "/tcp"
				}
				cfg.ExposedPorts[p] = struct{}{}
			}
		})
	case *instructions.CmdCommand:
		argv := b.commandLine(st, c.ShellDependantCmdLine)
		st.cmdSet = true
		b.configStep(st, text, func(cfg *dockerspec.DockerOCIImageConfig) { cfg.Cmd = argv })
	case *instructions.EntrypointCommand:
		argv := b.commandLine(st, c.ShellDependantCmdLine)
		b.configStep(st, text, func(cfg *dockerspec.DockerOCIImageConfig) {
			cfg.Entrypoint = argv
			if !st.cmdSet {
				cfg.Cmd = nil // an inherited CMD does not outlive a new ENTRYPOINT
			}
		})
	case *instructions.ShellCommand:
		b.configStep(st, text, func(cfg *dockerspec.DockerOCIImageConfig) { cfg.Shell = append([]string{}, c.Shell...) })
	case *instructions.HealthCheckCommand:
		b.configStep(st, text, func(cfg *dockerspec.DockerOCIImageConfig) { cfg.Healthcheck = c.Health })
	case *instructions.OnbuildCommand:
		b.configStep(st, text, func(cfg *dockerspec.DockerOCIImageConfig) {
			cfg.OnBuild = append(cfg.OnBuild, c.Expression)
		})
	case *instructions.RunCommand:
		return b.run(st, c, text)
	case *instructions.CopyCommand:
		from, err := b.expander(st.env())(c.From) // COPY --from=$STAGE
		if err != nil {
			return b.lineErr(c, err)
		}
		return b.copyStep(st, c, text, c.SourcesAndDest, from, c.Chown, c.Chmod, false, c.Parents || len(c.ExcludePatterns) > 0)
	case *instructions.AddCommand:
		return b.copyStep(st, c, text, c.SourcesAndDest, "", c.Chown, c.Chmod, true, len(c.ExcludePatterns) > 0 || c.Checksum != "")
	default:
		return b.lineErr(c, fmt.Errorf("%s is not supported by burrow build", strings.ToUpper(c.Name())))
	}
	return nil
}

// commandLine is the argv of RUN, CMD or ENTRYPOINT: the exec form as
// given, the shell form through the stage's SHELL.
func (b *builder) commandLine(st *stage, c instructions.ShellDependantCmdLine) []string {
	if !c.PrependShell {
		return append([]string{}, c.CmdLine...)
	}
	sh := st.cfg.Config.Shell
	if len(sh) == 0 {
		sh = []string{"/bin/sh", "-c"}
	}
	return append(append([]string{}, sh...), strings.Join(c.CmdLine, " "))
}

// configStep changes the configuration only: no layer, written with the
// next one or at the end of the stage.
func (b *builder) configStep(st *stage, text string, change func(*dockerspec.DockerOCIImageConfig)) {
	change(&st.cfg.Config)
	st.dirty = true
	st.key = chain(st.key, text)
	st.history = append(st.history, imgspecv1.History{CreatedBy: "/bin/sh -c #(nop) " + text, EmptyLayer: true})
}

// cached takes a step's image from the cache, when it is there.
func (b *builder) cached(st *stage, key string) (bool, error) {
	if b.o.NoCache || !b.o.Layers {
		return false, nil
	}
	img := b.cache.get(key)
	if img == nil {
		return false, nil
	}
	cfg, err := b.eng.ImageConfig(b.ctx, img)
	if err != nil {
		return false, nil
	}
	st.img, st.cfg, st.key, st.dirty, st.history = img, *cfg, key, false, nil
	fmt.Fprintf(b.o.Out, "--> Using cache %s\n", img.ID)
	fmt.Fprintf(b.o.Out, "--> %s\n", stringid.TruncateID(img.ID))
	return true, nil
}

// storeStep writes the stage's image: its current one plus layer (nil: none),
// with the configuration and the history of the steps since.
func (b *builder) storeStep(st *stage, base *cstorage.Image, layer io.Reader, key string, entry *imgspecv1.History) error {
	now := time.Now().UTC()
	cfg := st.cfg
	cfg.Created = &now
	cfg.History = append([]imgspecv1.History{}, st.cfg.History...)
	for _, h := range st.history {
		h.Created = &now
		cfg.History = append(cfg.History, h)
	}
	if entry != nil {
		entry.Created = &now
		cfg.History = append(cfg.History, *entry)
	}
	if base == nil {
		cfg.RootFS.DiffIDs = nil
	} else if base != st.img {
		bcfg, err := b.eng.ImageConfig(b.ctx, base)
		if err != nil {
			return err
		}
		cfg.RootFS.DiffIDs = bcfg.RootFS.DiffIDs
	}
	img, err := b.eng.StoreImage(b.ctx, engine.NewImage{Base: base, Layer: layer, Config: cfg}, b.quiet)
	if err != nil {
		return err
	}
	stored, err := b.eng.ImageConfig(b.ctx, img)
	if err != nil {
		return err
	}
	st.img, st.cfg, st.key, st.dirty, st.history = img, *stored, key, false, nil
	b.made = append(b.made, img.ID)
	if b.o.Layers {
		b.cache.put(key, img.ID)
	}
	fmt.Fprintf(b.o.Out, "--> %s\n", stringid.TruncateID(img.ID))
	return nil
}

// finish writes the stage's last configuration changes (or, with
// --squash, its new layers as one).
func (b *builder) finish(st *stage, last bool) error {
	if last && b.o.Squash {
		key := chain(st.key, "SQUASH")
		if ok, err := b.cached(st, key); ok || err != nil {
			return err
		}
		if st.img == nil {
			return nil
		}
		from := ""
		if st.base != nil {
			from = st.base.ID
		}
		// The squashed image's history is the base's and one entry.
		st.cfg.History = nil
		if st.base != nil {
			if bcfg, err := b.eng.ImageConfig(b.ctx, st.base); err == nil {
				st.cfg.History = bcfg.History
			}
		}
		st.history = nil
		return b.eng.ImageChanges(from, st.img.ID, func(diff io.Reader) error {
			return b.storeStep(st, st.base, diff, key, &imgspecv1.History{CreatedBy: "burrow build --squash"})
		})
	}
	key := chain(st.key, "COMMIT")
	if ok, err := b.cached(st, key); ok || err != nil {
		return err
	}
	return b.storeStep(st, st.img, nil, key, nil)
}

func (b *builder) run(st *stage, c *instructions.RunCommand, text string) error {
	for _, f := range c.FlagsUsed {
		return b.lineErr(c, fmt.Errorf("RUN --%s is not supported by burrow build", f))
	}
	if len(c.Files) > 0 {
		return b.lineErr(c, errors.New("heredocs in RUN are not supported by burrow build"))
	}
	if st.img == nil {
		return b.lineErr(c, errors.New("RUN needs a base image with the program to run: FROM scratch has none"))
	}
	argv := b.commandLine(st, c.ShellDependantCmdLine)
	env := st.env()
	key := chain(st.key, text, strings.Join(envOf(st.args), "\n"))
	if ok, err := b.cached(st, key); ok || err != nil {
		return err
	}
	// The image the container starts from may lack configuration changes
	// made since: they are given here.
	entry := ""
	cfg := b.o.Run
	cfg.Image, cfg.Command, cfg.Entrypoint, cfg.Env = st.img.ID, argv, &entry, env
	cfg.Workdir, cfg.User, cfg.Network = st.cfg.Config.WorkingDir, st.cfg.Config.User, b.o.Network
	createdBy := strings.Join(argv, " ")
	if len(st.args) > 0 {
		createdBy = fmt.Sprintf("|%d %s %s", len(st.args), strings.Join(envOf(st.args), " "), createdBy)
	}
	code, err := b.eng.RunStep(b.ctx, cfg, b.o.Out, func(diff io.Reader) error {
		return b.storeStep(st, st.img, diff, key, &imgspecv1.History{CreatedBy: createdBy})
	})
	if err != nil {
		return fmt.Errorf("building at STEP %q: %w", text, err)
	}
	if code != 0 {
		return &StepError{Step: text, Code: code}
	}
	return nil
}

func (b *builder) copyStep(st *stage, c instructions.Command, text string, sd instructions.SourcesAndDest, from, chown, chmod string, add, unsupported bool) error {
	name := strings.ToUpper(c.Name())
	if unsupported {
		return b.lineErr(c, fmt.Errorf("%s --parents, --exclude and --checksum are not supported by burrow build", name))
	}
	if len(sd.SourceContents) > 0 {
		return b.lineErr(c, fmt.Errorf("heredocs in %s are not supported by burrow build", name))
	}
	opts := CopyOptions{WorkDir: st.cfg.Config.WorkingDir, Extract: add, Ignore: from == "", KeepArchiveOwners: chown == ""}
	if chmod != "" {
		var m uint32
		if _, err := fmt.Sscanf(chmod, "%o", &m); err != nil || m > 0o7777 {
			return b.lineErr(c, fmt.Errorf("%s --chmod=%s: use an octal mode such as 0755", name, chmod))
		}
		opts.Chmod, opts.HasChmod = os.FileMode(m), true
	}
	// The source: the context, an earlier stage or an image.
	srcImage := ""
	var srcKey string
	if from != "" {
		if idx := b.file.stageIndex(from, st.index); idx >= 0 {
			if b.results[idx].img == nil {
				return b.lineErr(c, fmt.Errorf("%s --from=%s: that stage has no content", name, from))
			}
			srcImage = b.results[idx].img.ID
		} else {
			img, err := b.baseImage(from, "")
			if err != nil {
				return err
			}
			srcImage = img.ID
		}
		srcKey = "image:" + srcImage
	} else {
		d, err := Digest(b.bctx.Dir, sd.SourcePaths, b.bctx, true, name)
		if err != nil {
			return b.lineErr(c, err)
		}
		srcKey = d
	}
	key := chain(st.key, text, srcKey)
	if ok, err := b.cached(st, key); ok || err != nil {
		return err
	}
	base := ""
	if st.img != nil {
		base = st.img.ID
	}
	copyInto := func(srcRoot string) error {
		return b.eng.ChangeImage(base, func(rootfs string) error {
			o := opts
			if chown != "" {
				uid, gid, err := ResolveChown(rootfs, chown)
				if err != nil {
					return b.lineErr(c, err)
				}
				o.UID, o.GID = uid, gid
			}
			if err := Copy(srcRoot, rootfs, sd.SourcePaths, sd.DestPath, b.bctx, o); err != nil {
				return b.lineErr(c, err)
			}
			return nil
		}, func(diff io.Reader) error {
			return b.storeStep(st, st.img, diff, key, &imgspecv1.History{CreatedBy: "/bin/sh -c #(nop) " + text})
		})
	}
	if srcImage != "" {
		return b.eng.WithImageRoot(srcImage, copyInto)
	}
	return copyInto(b.bctx.Dir)
}
