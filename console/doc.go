// Package console connects a user's terminal to a container's pty: raw mode
// for the duration, the window size kept in step (SIGWINCH), and the bytes
// copied both ways.
package console
