package authclient

import (
	"net"
	"net/http"
	"net/url"
	"strings"
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
		if req.URL != nil && isLoopbackHost(req.URL.Hostname()) {
			return nil, nil
		}
		return next(req)
	}
}

// isLoopbackHost reports whether host names this machine: localhost and
// its subdomains (RFC 6761), in any letter case and with or without a
// final dot, 127.0.0.0/8 and ::1.
func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i] // an IPv6 zone
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// canonicalBase is the API URL without a trailing slash and with its
// scheme and host in lower case, so that every later decision about the
// host (the proxy bypass above, the TLS server name) sees one spelling.
// A URL that does not parse is returned trimmed; the caller has validated it.
func canonicalBase(apiURL string) (base, host string) {
	u, err := url.Parse(apiURL)
	if err != nil {
		return strings.TrimRight(apiURL, "/"), ""
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	return strings.TrimRight(u.String(), "/"), u.Host
}
