package authclient

import (
	"net/http"
	"net/url"

	"github.com/m3keys/m3keys/internal/validate"
)

// proxyFunc is the type of http.Transport.Proxy.
type proxyFunc func(*http.Request) (*url.URL, error)

// directForLoopback wraps the proxy decision next (usually the
// environment's) so that a request to a loopback host never goes through a
// proxy: plain http is allowed only for loopback, and a proxy would see its
// Basic credentials in clear. Go's own bypass matches only a lower-case
// "localhost", so "LOCALHOST" would otherwise be proxied. Other hosts get
// whatever next decides, so https:// through a corporate proxy still works.
func directForLoopback(next proxyFunc) proxyFunc {
	if next == nil {
		return nil
	}
	return func(req *http.Request) (*url.URL, error) {
		if req.URL != nil && validate.IsLoopback(req.URL.Hostname()) {
			return nil, nil
		}
		return next(req)
	}
}

// hostOf is the host (and port) of a canonical API URL, for messages.
func hostOf(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Host
}
