// Package m3tertest is an in-process fake of m3ter's token and users/me
// endpoints, in the manner of net/http/httptest. Register keys with AddKey,
// inject faults with AddFault, and inspect what it saw with Requests.
// Tests and `m3keys demo` use it; it listens on loopback only.
package m3tertest

import (
	"bytes"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"
)

// TokenLifetime is what the fake puts in expires_in, as m3ter does.
const TokenLifetime = 5 * time.Hour

// maxRecordedBody and maxRecorded bound what Requests keeps, for a fake
// that runs for a whole demo session.
const (
	maxRecordedBody = 64 << 10
	maxRecorded     = 10000
)

// Key is a service user's access key as the fake knows it.
type Key struct {
	AccessKeyID     string
	Secret          string
	OrgID           string
	ServiceUserID   string
	ServiceUserName string
	// Admin false makes users/me answer 403, as for a service user without
	// Administrator permission.
	Admin bool
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	Time   time.Time
}

// Server is a fake m3ter. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to use as an organization's API URL, set once the
	// server has started.
	URL string

	ts      *httptest.Server
	closing chan struct{}
	once    sync.Once

	mu          sync.Mutex
	keys        map[string]Key    // by access key ID
	tokens      map[string]issued // by access token
	orgNames    map[string]string // by org ID
	faults      []*Fault
	requests    []Request
	inFlight    int
	maxInFlight int
	bytesSent   int64
}

type issued struct {
	key     Key
	expires time.Time
}

// NewServer starts a fake m3ter on 127.0.0.1 over plain HTTP.
func NewServer() *Server {
	s := NewUnstartedServer()
	s.Start()
	return s
}

// NewUnstartedServer returns a fake that is not listening yet: call Start
// or StartTLS.
func NewUnstartedServer() *Server {
	s := &Server{
		closing:  make(chan struct{}),
		keys:     map[string]Key{},
		tokens:   map[string]issued{},
		orgNames: map[string]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", s.serveToken)
	mux.HandleFunc("GET /organizations/{orgId}/users/me", s.serveUsersMe)
	s.ts = httptest.NewUnstartedServer(s.handle(mux))
	// Handshake failures are expected in tests, and in demo mode a log line
	// would scribble over the TUI.
	s.ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	return s
}

// Start starts a server made by NewUnstartedServer over plain HTTP.
func (s *Server) Start() {
	s.ts.Start()
	s.URL = s.ts.URL
}

// StartTLS starts a server made by NewUnstartedServer over HTTPS, with a
// certificate that Certificate returns.
func (s *Server) StartTLS() {
	s.ts.StartTLS()
	s.URL = s.ts.URL
}

// Certificate is the TLS certificate of a server started with StartTLS, for
// a client's trusted roots.
func (s *Server) Certificate() *x509.Certificate {
	return s.ts.Certificate()
}

// Close shuts the server down, ending hanging and streaming responses.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.ts.CloseClientConnections()
		s.ts.Close()
	})
}

// AddKey registers a key, replacing one with the same access key ID.
func (s *Server) AddKey(k Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[k.AccessKeyID] = k
}

// RemoveKey forgets a key, so that later token requests with it get 401,
// as after inactivating it in the m3ter Console. Tokens already issued keep
// working until they expire.
func (s *Server) RemoveKey(accessKeyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, accessKeyID)
}

// SetOrgName sets the organizationName users/me reports for an org.
func (s *Server) SetOrgName(orgID, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgNames[orgID] = name
}

// Requests returns the requests received so far (the last 10,000), in
// arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// MaxInFlight is the largest number of requests handled at once so far.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// BytesSent is how many body bytes the fault bodies have written so far,
// to tell whether a client stopped reading an oversized body.
func (s *Server) BytesSent() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytesSent
}

// handle records each request, counts requests in flight, and applies a
// fault before the normal handler gets a chance.
func (s *Server) handle(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxRecordedBody))
		r.Body = io.NopCloser(bytes.NewReader(body))

		s.mu.Lock()
		s.requests = append(s.requests, Request{
			Method: r.Method,
			Path:   r.URL.Path,
			Header: r.Header.Clone(),
			Body:   body,
			Time:   time.Now(),
		})
		if len(s.requests) > maxRecorded {
			s.requests = slices.Delete(s.requests, 0, len(s.requests)-maxRecorded)
		}
		s.inFlight++
		s.maxInFlight = max(s.maxInFlight, s.inFlight)
		f := s.takeFault(r)
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			s.inFlight--
			s.mu.Unlock()
		}()

		if f != nil && s.serveFault(w, r, f) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// wait blocks for d, or until the client goes away or the server closes;
// it reports whether the full time passed.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.closing:
	}
	return false
}
