package authclient

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func newHTTPTestServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// recorder is a server that should never be reached; it remembers what
// reached it anyway.
type recorder struct {
	mu   sync.Mutex
	seen []*http.Request
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.seen = append(rec.seen, r.Clone(r.Context()))
	w.Write([]byte(`{"token_type":"Bearer","access_token":"x.e30.y","expires_in":60}`))
}

func (rec *recorder) requests() []*http.Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.seen
}
