package errdefs

import (
	"errors"
	"fmt"
	"testing"
)

func TestClassSurvivesWrapping(t *testing.T) {
	base := NotFound(errors.New("no such image"))
	wrapped := fmt.Errorf("running %q: %w", "busybox", base)
	if !Is(wrapped, ClassNotFound) {
		t.Fatalf("class lost through wrapping: %v", ClassOf(wrapped))
	}
	if ExitCode(wrapped) != 125 {
		t.Fatalf("exit code %d, want 125", ExitCode(wrapped))
	}
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("plain"), 125},
		{WithClass(ClassCannotInvoke, errors.New("x")), 126},
		{WithClass(ClassCommandNotFound, errors.New("x")), 127},
		{Invalid(errors.New("x")), 125},
	} {
		if got := ExitCode(tc.err); got != tc.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
