// Package build makes images from a Containerfile (or Dockerfile), as
// `podman build` does, on burrow's own runtime and store.
//
// The file is parsed by BuildKit's Dockerfile parser
// (github.com/moby/buildkit/frontend/dockerfile); the steps run here:
//
//   - FROM finds (or pulls) the base image, an earlier stage, or scratch;
//   - RUN runs a container of the current image in the foreground
//     (engine.RunStep) and stores its changes as a new layer;
//   - COPY and ADD change a working layer on the current image
//     (engine.ChangeImage) with files of the build context (context.go:
//     ignore files, no symlink leaves the context; copy.go: Docker's COPY
//     rules, no symlink leaves the image's root; copytar.go: ADD's archive
//     unpacking, by package extract; chown.go: --chown names) or of
//     another stage
//     (engine.WithImageRoot);
//   - the other instructions change the image configuration only, which
//     is written with the next layer or at the end of the stage.
//
// Every step that stores an image records it in the build cache under a
// key chained from the base image, the steps so far and, for COPY and ADD,
// the digest of the files read (cache.go); a later build with the same
// key takes the image from the cache.
package build
