// Package authclient proves, live, that an m3ter access key gets a Bearer
// token and that the token works for its organization. Check tests one key;
// Batch tests many, within a concurrency cap and a per-organization rate.
package authclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"time"
)

const (
	DefaultTimeout   = 10 * time.Second
	DefaultUserAgent = "m3keys/dev"
)

// Options configures a Client. The zero value is ready to use.
type Options struct {
	// HTTPClient, when set, supplies the transport (for a proxy or a test
	// server's certificate). Redirects are never followed whatever its
	// CheckRedirect says, and an *http.Transport still gets TLS 1.2 or later
	// and never sends a loopback request through its proxy.
	HTTPClient *http.Client
	// RootCAs, when set, replaces the system's trusted roots.
	RootCAs *x509.CertPool
	// Timeout bounds each HTTP request, from dialling to the end of the
	// body. Default 10s.
	Timeout time.Duration
	// UserAgent is sent with every request. Default "m3keys/dev".
	UserAgent string
	// Now is the clock for Retry-After dates and the batch rate limiter.
	// Default time.Now.
	Now func() time.Time
}

// Client talks to m3ter's token and users/me endpoints. It is safe for
// concurrent use.
type Client struct {
	http      *http.Client
	timeout   time.Duration
	userAgent string
	now       func() time.Time
}

// New returns a Client with opts' defaults filled in.
func New(opts Options) *Client {
	c := &Client{
		timeout:   opts.Timeout,
		userAgent: opts.UserAgent,
		now:       opts.Now,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.http = c.hardenedHTTPClient(opts.HTTPClient, opts.RootCAs)
	return c
}

// CloseIdleConnections closes kept-alive connections, for a caller that is
// done checking.
func (c *Client) CloseIdleConnections() {
	c.http.CloseIdleConnections()
}

func (c *Client) hardenedHTTPClient(base *http.Client, roots *x509.CertPool) *http.Client {
	hc := &http.Client{}
	if base != nil {
		copied := *base
		hc = &copied
	}
	// A credential-bearing POST must never leave its host: a 3xx is
	// reported, not followed.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	switch t := hc.Transport.(type) {
	case nil:
		hc.Transport = c.newTransport(roots)
	case *http.Transport:
		hc.Transport = hardenTransport(t.Clone(), roots)
	}
	return hc
}

func (c *Client) newTransport(roots *x509.CertPool) *http.Transport {
	dialer := &net.Dialer{Timeout: min(c.timeout, 5*time.Second), KeepAlive: 30 * time.Second}
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   min(c.timeout, 5*time.Second),
		ResponseHeaderTimeout: c.timeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   16,
		// Without compression the 1 MiB limit counts bytes on the wire, and
		// no Accept-Encoding header is added to the documented request.
		DisableCompression: true,
	}
	return hardenTransport(t, roots)
}

func hardenTransport(t *http.Transport, roots *x509.CertPool) *http.Transport {
	cfg := &tls.Config{}
	if t.TLSClientConfig != nil {
		cfg = t.TLSClientConfig.Clone()
	}
	cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS12)
	if roots != nil {
		cfg.RootCAs = roots
	}
	t.TLSClientConfig = cfg
	t.Proxy = directForLoopback(t.Proxy)
	return t
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
