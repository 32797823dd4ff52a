package images

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"go.podman.io/image/v5/signature"

	"github.com/burrow-containers/burrow/errdefs"
)

// gpgMechanism signs with the user's gpg program and keyring ($GNUPGHOME
// or ~/.gnupg), as podman's gpgme mechanism does through the same gpg and
// agent. burrow is built with containers_image_openpgp, whose own
// mechanism cannot sign, and without cgo's gpgme: running gpg keeps the
// build as it is and asks the agent (and pinentry) for a passphrase as
// gpgme would.
type gpgMechanism struct {
	gpg string
}

// newGPGMechanism finds gpg (or gpg2).
func newGPGMechanism() (*gpgMechanism, error) {
	for _, name := range []string{"gpg", "gpg2"} {
		if p, err := exec.LookPath(name); err == nil {
			return &gpgMechanism{gpg: p}, nil
		}
	}
	return nil, errdefs.Unavailable(errors.New("signing needs gpg, which is not in $PATH: install gnupg"))
}

func (m *gpgMechanism) Close() error { return nil }

func (m *gpgMechanism) SupportsSigning() error { return nil }

// Sign makes an attached (not detached), binary OpenPGP signature of
// input with the key keyIdentity names (a fingerprint, key ID or e-mail
// address), the form simple signing stores.
func (m *gpgMechanism) Sign(input []byte, keyIdentity string) ([]byte, error) {
	cmd := exec.Command(m.gpg, "--sign", "--local-user", keyIdentity, "--output", "-")
	cmd.Stdin = bytes.NewReader(input)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("signing with key %q: gpg: %s", keyIdentity, lastLine(msg))
	}
	return out.Bytes(), nil
}

// lastLine is gpg's final complaint, the one that says what failed.
func lastLine(s string) string {
	lines := strings.Split(s, "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// Verify is not used to sign; verifying pulls use containers/image's own
// mechanism.
func (m *gpgMechanism) Verify([]byte) ([]byte, string, error) {
	return nil, "", signature.SigningNotSupportedError("burrow's gpg signer does not verify")
}

// UntrustedSignatureContents is not used to sign either.
func (m *gpgMechanism) UntrustedSignatureContents([]byte) ([]byte, string, error) {
	return nil, "", signature.SigningNotSupportedError("burrow's gpg signer does not read signatures")
}
