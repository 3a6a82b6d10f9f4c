package authclient

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient/m3tertest"
)

// TestRedirectIsNotFollowed: the Authorization header must never reach
// another host, even one on the same IP (Go's redirect policy would copy it
// there), nor with a caller's client whose policy follows redirects.
func TestRedirectIsNotFollowed(t *testing.T) {
	clients := map[string]Options{
		"own client":      {},
		"caller's client": {HTTPClient: &http.Client{}},
	}
	for name, opts := range clients {
		for _, endpoint := range []m3tertest.Endpoint{m3tertest.TokenEndpoint, m3tertest.UsersMeEndpoint} {
			t.Run(name+" "+string(endpoint), func(t *testing.T) {
				rec := &recorder{}
				other := newHTTPTestServer(t, rec)
				s := newFake(t)
				s.AddFault(m3tertest.Fault{Endpoint: endpoint, RedirectTo: other + "/oauth/token"})

				r := check(t, newClient(t, opts), keyFor(s), true)
				if r.Class != Undetermined || r.HTTPStatus != http.StatusTemporaryRedirect || !strings.Contains(r.Message, "redirect") {
					t.Errorf("got %v, want undetermined 307 about a redirect", r)
				}
				if got := rec.requests(); len(got) != 0 {
					t.Errorf("the other host got %d requests, first with Authorization %q", len(got), got[0].Header.Get("Authorization"))
				}
			})
		}
	}
}

// TestRedirectHTTPSToHTTP: a redirect from https to plain http on the same
// host is not followed either.
func TestRedirectHTTPSToHTTP(t *testing.T) {
	s := newTLSFake(t)
	rec := &recorder{}
	plain := newHTTPTestServer(t, rec) // http://127.0.0.1:another-port

	c := newClient(t, Options{RootCAs: poolOf(s.Certificate())})
	if r := check(t, c, keyFor(s), true); r.Class != Valid {
		t.Fatalf("over TLS before the redirect: %v", r)
	}
	s.AddFault(m3tertest.Fault{RedirectTo: plain + "/oauth/token"})
	if r := check(t, c, keyFor(s), true); r.Class != Undetermined || r.HTTPStatus != http.StatusTemporaryRedirect {
		t.Errorf("got %v, want undetermined 307", r)
	}
	if n := len(rec.requests()); n != 0 {
		t.Errorf("the plain-http server got %d requests", n)
	}
}

func TestTLSUntrustedCertificate(t *testing.T) {
	s := newTLSFake(t)
	r := check(t, newClient(t, Options{}), keyFor(s), true)
	if r.Class != Undetermined || !strings.Contains(r.Message, "TLS error talking to 127.0.0.1") {
		t.Errorf("got %v, want undetermined TLS error", r)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("fake saw %d requests over an untrusted connection", n)
	}
}

// TestTLSMinimumVersionWithCallersClient: a caller's transport that allows
// TLS 1.0 still gets TLS 1.2 or later.
func TestTLSMinimumVersionWithCallersClient(t *testing.T) {
	old := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{}`))
	}))
	old.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	old.StartTLS()
	defer old.Close()
	lax := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS10, RootCAs: poolOf(old.Certificate())}}
	defer lax.CloseIdleConnections()

	// The control: without our hardening, this transport does talk TLS 1.1.
	if resp, err := (&http.Client{Transport: lax}).Get(old.URL); err != nil {
		t.Skipf("this Go cannot talk TLS 1.1 at all, nothing to prove: %v", err)
	} else {
		resp.Body.Close()
	}

	c := newClient(t, Options{HTTPClient: &http.Client{Transport: lax}})
	r := check(t, c, Key{OrgID: testOrg, APIURL: old.URL, AccessKeyID: testKeyID, Secret: testSecret}, true)
	if r.Class != Undetermined || !strings.Contains(r.Message, "TLS error") {
		t.Errorf("got %v, want a TLS error", r)
	}
}

func TestOversizedBodyIsNotReadToTheEnd(t *testing.T) {
	s := newFake(t)
	s.AddFault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Body: m3tertest.OversizedBody})
	r := check(t, newClient(t, Options{}), keyFor(s), true)
	if r.Class != Undetermined || !strings.Contains(r.Message, "larger than 1 MiB") {
		t.Fatalf("got %v, want undetermined larger than 1 MiB", r)
	}
	// Close waits for the handler, so the count is final; what the client
	// left unread may sit in socket buffers, hence the margin.
	s.Close()
	if sent := s.BytesSent(); sent > 16<<20 || sent < 1<<20 {
		t.Errorf("the fake sent %d bytes of a %d-byte body; want between 1 MiB and 16 MiB", sent, m3tertest.OversizedBodySize)
	}
}

func TestServerThatNeverAnswers(t *testing.T) {
	for _, endpoint := range []m3tertest.Endpoint{m3tertest.TokenEndpoint, m3tertest.UsersMeEndpoint} {
		t.Run(string(endpoint), func(t *testing.T) {
			s := newFake(t)
			s.AddFault(m3tertest.Fault{Endpoint: endpoint, Hang: true})
			start := time.Now()
			r := check(t, newClient(t, Options{Timeout: 200 * time.Millisecond}), keyFor(s), true)
			if r.Class != Undetermined || !strings.Contains(r.Message, "no answer from 127.0.0.1") || !strings.Contains(r.Message, "within 200ms") {
				t.Errorf("got %v, want undetermined no answer within 200ms", r)
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("took %s with a 200ms timeout", elapsed)
			}
		})
	}
}

func TestSlowBodyTimesOut(t *testing.T) {
	srv := newHTTPTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		w.Write([]byte(`{"token_type":`))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	k := Key{OrgID: testOrg, APIURL: srv, AccessKeyID: testKeyID, Secret: testSecret}
	r := check(t, newClient(t, Options{Timeout: 200 * time.Millisecond}), k, true)
	if r.Class != Undetermined || !strings.Contains(r.Message, "no answer") {
		t.Errorf("got %v, want undetermined no answer", r)
	}
}

func TestServerTextIsSanitized(t *testing.T) {
	const evil = "\x1b]0;pwned\x07Invalid \x1b[31mcredentials\x1b[0m\u202e\x9b"
	tests := []struct {
		name  string
		setup func(s *m3tertest.Server)
		want  string
	}{
		{"token error message", fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 401, Message: evil}), "Invalid credentials"},
		{"oauth error description", fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 400, OAuthError: true, Message: evil}), "Invalid credentials"},
		{"users/me error message", fault(m3tertest.Fault{Endpoint: m3tertest.UsersMeEndpoint, Status: 403, Message: evil}), "Invalid credentials"},
		{"server error message", fault(m3tertest.Fault{Status: 503, Message: evil}), "Invalid credentials"},
		{"redirect location", fault(m3tertest.Fault{RedirectTo: "/x\x1b[2J"}), "/x"},
		{"service user name", func(s *m3tertest.Server) {
			s.AddKey(m3tertest.Key{AccessKeyID: testKeyID, Secret: testSecret, OrgID: testOrg, ServiceUserID: "su\x1b[1m", ServiceUserName: evil, Admin: true})
			s.SetOrgName(testOrg, evil)
		}, "service user Invalid credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFake(t)
			tt.setup(s)
			r := check(t, newClient(t, Options{}), keyFor(s), true)
			if !strings.Contains(r.Message, tt.want) {
				t.Errorf("message %q, want it to contain %q", r.Message, tt.want)
			}
			for _, field := range []string{r.Message, r.ServiceUserID, r.ServiceUserName, r.OrganizationName, r.TokenOrgID} {
				if strings.ContainsAny(field, "\x1b\x07\u202e\u009b") {
					t.Errorf("a field keeps an escape or bidi character: %q", field)
				}
			}
		})
	}
}

// TestSecretsNeverShow: not even a server that echoes them gets the secret
// or the token into a Result's message or formatting.
func TestSecretsNeverShow(t *testing.T) {
	s := newFake(t)
	c := newClient(t, Options{})
	valid := check(t, c, keyFor(s), true)
	token := valid.BearerToken()
	if valid.Class != Valid || token == "" {
		t.Fatalf("check: %v", valid)
	}
	assertNoSecrets(t, valid, testSecret, token)

	s.AddFault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 401, Message: "bad secret " + testSecret, Times: 1})
	echoed := check(t, c, keyFor(s), true)
	if !strings.Contains(echoed.Message, "bad secret [redacted]") {
		t.Errorf("message %q, want the echoed secret redacted", hide(echoed.Message, testSecret))
	}
	assertNoSecrets(t, echoed, testSecret)

	s.AddFault(m3tertest.Fault{Endpoint: m3tertest.UsersMeEndpoint, Status: 403, Message: "bad secret " + testSecret, Times: 1})
	forbidden := check(t, c, keyFor(s), true)
	assertNoSecrets(t, forbidden, testSecret)
}

func newTLSFake(t *testing.T) *m3tertest.Server {
	t.Helper()
	s := m3tertest.NewUnstartedServer()
	s.StartTLS()
	t.Cleanup(s.Close)
	s.AddKey(m3tertest.Key{AccessKeyID: testKeyID, Secret: testSecret, OrgID: testOrg, ServiceUserID: "su-1", ServiceUserName: "ci-bot", Admin: true})
	return s
}

func poolOf(cert *x509.Certificate) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// TestServerMessageCapNeverCutsASecret: a message is capped after the
// secret is redacted, so the cap cannot leave the secret's first characters.
func TestServerMessageCapNeverCutsASecret(t *testing.T) {
	for _, pad := range []int{150, 170, 185, 4080, 4090} {
		s := newFake(t)
		s.AddFault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 401, Message: strings.Repeat("x", pad) + testSecret})
		r := check(t, newClient(t, Options{}), keyFor(s), true)
		if strings.Contains(r.Message, testSecret[:6]) {
			t.Errorf("padding %d: message %q ends in the secret's first characters", pad, hide(r.Message, testSecret[:6]))
		}
	}
}
