package infra

// #cgo CFLAGS: -Wall -Wextra
import "C"
