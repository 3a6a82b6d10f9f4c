package authclient

import (
	"encoding/base64"
	"net/http"
	"slices"
	"testing"

	"github.com/m3keys/m3keys/authclient/m3tertest"
)

// TestRequestsAreTheDocumentedOnes compares each request with the one in
// DESIGN.md, header by header: nothing missing, nothing extra.
func TestRequestsAreTheDocumentedOnes(t *testing.T) {
	s := newFake(t)
	r := check(t, newClient(t, Options{}), keyFor(s), true)
	if r.Class != Valid {
		t.Fatalf("check: %v", r)
	}
	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("fake saw %d requests, want 2", len(reqs))
	}

	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testKeyID+":"+testSecret))
	assertRequest(t, reqs[0], "POST", "/oauth/token", `{"grant_type":"client_credentials"}`, map[string]string{
		"Authorization":  basic,
		"Content-Type":   "application/json",
		"Accept":         "application/json",
		"User-Agent":     testUserAgent,
		"Content-Length": "35",
	})
	assertRequest(t, reqs[1], "GET", "/organizations/"+testOrg+"/users/me", "", map[string]string{
		"Authorization": "Bearer " + r.BearerToken(),
		"Accept":        "application/json",
		"User-Agent":    testUserAgent,
	})
}

func assertRequest(t *testing.T, got m3tertest.Request, method, path, body string, header map[string]string) {
	t.Helper()
	if got.Method != method || got.Path != path {
		t.Errorf("request %s %s, want %s %s", got.Method, got.Path, method, path)
	}
	if string(got.Body) != body {
		t.Errorf("%s body %q, want %q", path, got.Body, body)
	}
	for name, want := range header {
		if v := got.Header.Values(name); len(v) != 1 || v[0] != want {
			t.Errorf("%s header %s = %q, want %q", path, name, v, want)
		}
	}
	for name := range got.Header {
		if _, ok := header[http.CanonicalHeaderKey(name)]; !ok {
			t.Errorf("%s has an undocumented header %s: %q", path, name, got.Header[name])
		}
	}
}

func TestUserAgentDefault(t *testing.T) {
	s := newFake(t)
	c := New(Options{})
	defer c.CloseIdleConnections()
	check(t, c, keyFor(s), false)
	if ua := s.Requests()[0].Header.Get("User-Agent"); ua != "m3keys/dev" {
		t.Errorf("User-Agent %q, want m3keys/dev", ua)
	}
}

func TestUsersMePathEscapesOrgID(t *testing.T) {
	s := newFake(t)
	k := keyFor(s)
	k.OrgID = "a/../b?c"
	s.AddKey(m3tertest.Key{AccessKeyID: testKeyID, Secret: testSecret, OrgID: k.OrgID, Admin: true})
	check(t, newClient(t, Options{}), k, true)
	paths := []string{}
	for _, r := range s.Requests() {
		paths = append(paths, r.Path)
	}
	if !slices.Contains(paths, "/organizations/a/../b?c/users/me") {
		t.Errorf("paths %q: the org ID was not sent as one escaped segment", paths)
	}
}
