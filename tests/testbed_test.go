// Package tests holds burrow's end-to-end tests. They drive the real burrow
// binary as an unprivileged user against a real kernel, the real setuid
// helpers and a real registry; `make test` prepares all three (see
// hack/testbed.sh) and passes their locations in the environment:
//
//	BURROW_BIN                    the burrow binary under test
//	BURROW_TEST_REGISTRY          host:port of a plain-HTTP registry on 127.0.0.1
//	BURROW_TEST_IMAGE             a busybox image in it (Cmd ["sh"])
//	BURROW_TEST_IMAGE_CONFIGURED  an image with Entrypoint, Cmd, WorkingDir and Env set
//	BURROW_TEST_COMPOSE           docker compose v5, built from its Go module
//	BURROW_TEST_EXPECT_NOSUBUID   1 in the pass run as a user without a subuid range
//	BURROW_TEST_STRICT            1: a missing variable fails the test instead of skipping it
package tests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// result is what a burrow invocation left behind.
type result struct {
	Stdout, Stderr string
	ExitCode       int
}

// testbedVar returns the test bed variable name, skipping (or, under
// BURROW_TEST_STRICT=1, failing) the test when it is unset.
func testbedVar(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if testbedStrict() {
			t.Fatalf("%s is not set: the test bed (hack/testbed.sh) did not provide it", name)
		}
		t.Skipf("%s is not set: run the end-to-end tests with `make test`", name)
	}
	return v
}

// testbedStrict tells whether a missing part of the test bed fails tests.
func testbedStrict() bool { return os.Getenv("BURROW_TEST_STRICT") == "1" }

func burrowBin(t testing.TB) string       { return testbedVar(t, "BURROW_BIN") }
func testRegistry(t testing.TB) string    { return testbedVar(t, "BURROW_TEST_REGISTRY") }
func testImage(t testing.TB) string       { return testbedVar(t, "BURROW_TEST_IMAGE") }
func configuredImage(t testing.TB) string { return testbedVar(t, "BURROW_TEST_IMAGE_CONFIGURED") }

// burrow runs the binary with args and no stdin.
func burrow(t testing.TB, args ...string) result {
	t.Helper()
	return burrowStdin(t, "", args...)
}

// burrowStdin runs the binary with args, feeding it stdin.
func burrowStdin(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, burrowBin(t), args...)
	cmd.Stdin = bytes.NewBufferString(stdin)
	r := runCommand(t, cmd)
	if ctx.Err() != nil {
		t.Fatalf("burrow %v did not finish within 3 minutes\nstdout: %s\nstderr: %s", args, r.Stdout, r.Stderr)
	}
	return r
}

// runCommand runs cmd and returns its output and exit code; a command
// that cannot be run at all fails the test.
func runCommand(t testing.TB, cmd *exec.Cmd) result {
	t.Helper()
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %v: %v", cmd.Args, err)
	}
	return result{Stdout: stdout.String(), Stderr: stderr.String(), ExitCode: code}
}
