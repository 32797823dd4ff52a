package api

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/burrow-containers/burrow/errdefs"
)

// TLSConfig is the server side of mutual TLS for a TCP listener: the
// service's certificate and key, and the CA whose client certificates it
// accepts (a client without one is refused in the handshake). HTTP/1.1
// only: the attach and exec endpoints hijack the connection.
func TLSConfig(certFile, keyFile, clientCAFile string) (*tls.Config, error) {
	if certFile == "" || keyFile == "" || clientCAFile == "" {
		return nil, errdefs.Invalid(errors.New("a TCP listener needs --tls-cert, --tls-key and --tls-client-ca (clients then need a certificate of that CA); or use a unix socket through ssh"))
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("loading the TLS certificate %s and key %s: %w", certFile, keyFile, err))
	}
	pem, err := os.ReadFile(clientCAFile)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("reading the client CA %s: %w", clientCAFile, err))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errdefs.Invalid(fmt.Errorf("the client CA %s holds no PEM certificate", clientCAFile))
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	}, nil
}
