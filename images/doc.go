// Package images moves images between registries and the user's
// containers/storage store with containers/image, and finds images in the
// store by the names users type.
//
// Names follow podman: a fully qualified reference is used as is; a short
// name ("busybox") is resolved by registries.conf short-name aliases and
// unqualified-search registries when pulling, and by localhost/, aliases and
// the search registries when looking an image up locally. Registry
// credentials come from auth.json (containers-auth.json(5)); TLS and mirrors
// from registries.conf; whether an image is accepted from policy.json.
package images
