// Package engine is burrow's container engine: containers as objects with a
// configuration, a root filesystem in containers/storage and a life cycle.
// The CLI and the API service both call it; neither shells out to the other.
package engine
