package authclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// isConnectionError tells a failure worth one retry (refused, reset, closed
// early) from one that would fail the same way again or was asked for.
func isConnectionError(ctx context.Context, err error) bool {
	return ctx.Err() == nil && !isTimeout(err) && !isTLSError(err) && !errors.Is(err, errTooLarge)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

func isTLSError(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	if errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) ||
		errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) {
		return true
	}
	// crypto/tls reports an alert from the server as a "remote error" and
	// most handshake failures as plain errors prefixed "tls: ".
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" {
		return true
	}
	return strings.HasPrefix(innermost(err), "tls: ")
}

// describeFailure says in a sentence why a request to host got no usable
// answer. ctx is the caller's context, to tell cancellation from timeout.
func describeFailure(ctx context.Context, host, endpoint string, timeout time.Duration, err error) string {
	switch {
	case ctx.Err() != nil:
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "stopped: the deadline for the checks passed"
		}
		return "cancelled"
	case errors.Is(err, errTooLarge):
		return fmt.Sprintf("%s response larger than 1 MiB — refused without reading the rest", endpoint)
	case isTimeout(err):
		return fmt.Sprintf("no answer from %s within %s — the network or m3ter may be slow; try again", host, timeout)
	case isTLSError(err):
		return fmt.Sprintf("TLS error talking to %s: %s", host, clean(innermost(err)))
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return fmt.Sprintf("could not resolve %s — check the API URL and your network", host)
	}
	return fmt.Sprintf("could not connect to %s: %s", host, clean(innermost(err)))
}

// innermost drops the url.Error wrapping, which repeats method and URL.
func innermost(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}
