package main

import (
	"fmt"

	"github.com/burrow-containers/burrow/errdefs"
)

func invalidf(format string, a ...any) error {
	return errdefs.Invalid(fmt.Errorf(format, a...))
}
