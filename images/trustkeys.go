package images

import (
	"bytes"
	"encoding/base64"
	"os"
	"sort"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// keyFileIdentities are the user IDs of the public keys in a key file
// (armored or binary), as `trust show` lists them: the e-mail address of
// each, or the whole ID when it has none. An unreadable file has none:
// the listing still shows the scope.
func keyFileIdentities(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return keyIdentities(b)
}

// keyDataIdentities is keyFileIdentities of a policy's base64 keyData.
func keyDataIdentities(data string) []string {
	b, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil
	}
	return keyIdentities(b)
}

func keyIdentities(b []byte) []string {
	read := openpgp.ReadKeyRing
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("-----BEGIN")) {
		read = openpgp.ReadArmoredKeyRing
	}
	keys, err := read(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	var ids []string
	for _, k := range keys {
		// A key's identities come as a map: sorted, for a stable listing.
		var names []string
		for name := range k.Identities {
			names = append(names, uidEmail(name))
		}
		sort.Strings(names)
		ids = append(ids, names...)
	}
	return ids
}

// uidEmail is the address between < and > of a user ID, else the ID.
func uidEmail(uid string) string {
	if _, rest, ok := strings.Cut(uid, "<"); ok {
		if addr, _, ok := strings.Cut(rest, ">"); ok {
			return addr
		}
	}
	return uid
}
