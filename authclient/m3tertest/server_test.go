package m3tertest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const org = "5c2b8c4e-1f0a-4a43-9d6b-0c1e2f3a4b5c"

func newTestServer(t *testing.T) *Server {
	t.Helper()
	s := NewServer()
	t.Cleanup(s.Close)
	s.AddKey(Key{AccessKeyID: "admin", Secret: "pw", OrgID: org, ServiceUserID: "su-1", ServiceUserName: "ci-bot", Admin: true})
	s.AddKey(Key{AccessKeyID: "plain", Secret: "pw", OrgID: org, ServiceUserID: "su-2", ServiceUserName: "reader"})
	s.SetOrgName(org, "Acme")
	return s
}

type answer struct {
	status int
	header http.Header
	body   map[string]any
}

func requestToken(t *testing.T, s *Server, id, secret, contentType, body string) answer {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+"/oauth/token", strings.NewReader(body))
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	req.Header.Set("Content-Type", contentType)
	return do(t, req)
}

func token(t *testing.T, s *Server, id string) string {
	t.Helper()
	a := requestToken(t, s, id, "pw", "application/json", `{"grant_type":"client_credentials"}`)
	if a.status != 200 {
		t.Fatalf("token for %s: %d %v", id, a.status, a.body)
	}
	return a.body["access_token"].(string)
}

func usersMe(t *testing.T, s *Server, orgID, token string) answer {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/organizations/"+orgID+"/users/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return do(t, req)
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &a.body)
	return a
}

func TestTokenIsJWTShaped(t *testing.T) {
	s := newTestServer(t)
	before := time.Now().Unix()
	a := requestToken(t, s, "admin", "pw", "application/json", `{"grant_type":"client_credentials"}`)
	if a.status != 200 || a.body["token_type"] != "Bearer" || a.body["expires_in"] != 18000.0 {
		t.Fatalf("token answer %d, token_type %v, expires_in %v", a.status, a.body["token_type"], a.body["expires_in"])
	}
	if scope, ok := a.body["scope"]; !ok || scope != nil {
		t.Errorf(`token answer has scope %v (present %t), want "scope": null as documented`, scope, ok)
	}
	parts := strings.Split(a.body["access_token"].(string), ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		OrgID    string `json:"orgId"`
		Sub      string `json:"sub"`
		Iss      string `json:"iss"`
		Iat, Exp int64
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if claims.OrgID != org || claims.Sub != "su-1" || claims.Iss != s.URL || claims.Iat < before || claims.Exp-claims.Iat != 18000 {
		t.Errorf("claims %+v", claims)
	}
	if other := token(t, s, "admin"); other == a.body["access_token"] {
		t.Errorf("two token requests got the same token")
	}
}

// TestTokenTakesTheDocumentedFormBody: m3ter's docs show curl with a form body.
func TestTokenTakesTheDocumentedFormBody(t *testing.T) {
	s := newTestServer(t)
	a := requestToken(t, s, "admin", "pw", "application/x-www-form-urlencoded", "grant_type=client_credentials")
	if a.status != 200 || a.body["access_token"] == nil {
		t.Errorf("form body: %d %v, want a token", a.status, a.body["message"])
	}
}

// TestFailOnce: a fault that fails one request, then lets the endpoint answer.
func TestFailOnce(t *testing.T) {
	s := newTestServer(t)
	s.AddFault(FailOnce(TokenEndpoint, 503))
	s.AddFault(FailOnce(UsersMeEndpoint, 502))
	good := `{"grant_type":"client_credentials"}`
	if a := requestToken(t, s, "admin", "pw", "application/json", good); a.status != 503 {
		t.Errorf("first token request: %d, want 503", a.status)
	}
	tok := token(t, s, "admin")
	if a := usersMe(t, s, org, tok); a.status != 502 {
		t.Errorf("first users/me: %d, want 502", a.status)
	}
	if a := usersMe(t, s, org, tok); a.status != 200 {
		t.Errorf("second users/me: %d, want 200", a.status)
	}
}

func TestTokenRefusals(t *testing.T) {
	s := newTestServer(t)
	good := `{"grant_type":"client_credentials"}`
	tests := []struct {
		name, id, secret, contentType, body string
		want                                int
	}{
		{"wrong secret", "admin", "nope", "application/json", good, 401},
		{"unknown key", "nobody", "pw", "application/json", good, 401},
		{"no credentials", "", "", "application/json", good, 401},
		{"form, other grant", "admin", "pw", "application/x-www-form-urlencoded", "grant_type=password", 400},
		{"text body", "admin", "pw", "text/plain", "grant_type=client_credentials", 400},
		{"other grant", "admin", "pw", "application/json", `{"grant_type":"password"}`, 400},
		{"not json", "admin", "pw", "application/json", `grant`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := requestToken(t, s, tt.id, tt.secret, tt.contentType, tt.body)
			if a.status != tt.want {
				t.Errorf("status %d, want %d (%v)", a.status, tt.want, a.body)
			}
			if tt.want == 401 && a.body["message"] != "Invalid credentials" {
				t.Errorf("body %v", a.body)
			}
		})
	}
	req, _ := http.NewRequest("GET", s.URL+"/oauth/token", nil)
	if a := do(t, req); a.status != 405 {
		t.Errorf("GET /oauth/token: %d, want 405", a.status)
	}
}

func TestUsersMe(t *testing.T) {
	s := newTestServer(t)
	admin, plain := token(t, s, "admin"), token(t, s, "plain")

	a := usersMe(t, s, org, admin)
	su, _ := a.body["serviceUser"].(map[string]any)
	o, _ := a.body["organization"].(map[string]any)
	if a.status != 200 || su["id"] != "su-1" || su["name"] != "ci-bot" || o["orgId"] != org || o["id"] != org || o["organizationName"] != "Acme" {
		t.Errorf("users/me %d %v", a.status, a.body)
	}
	if _, ok := a.body["permissionPolicy"]; ok {
		t.Errorf("users/me sends permissionPolicy, which m3ter's UserMeResponse does not have: %v", a.body)
	}
	if a := usersMe(t, s, org, plain); a.status != 403 {
		t.Errorf("users/me without Admin: %d, want 403", a.status)
	}
	if a := usersMe(t, s, "another-org", admin); a.status != 403 {
		t.Errorf("users/me for another org: %d, want 403", a.status)
	}
	if a := usersMe(t, s, org, "made.up.token"); a.status != 403 {
		t.Errorf("users/me with a token never issued: %d, want 403 as m3ter answers", a.status)
	}
}

func TestRemoveKey(t *testing.T) {
	s := newTestServer(t)
	issued := token(t, s, "admin")
	s.RemoveKey("admin")
	if a := requestToken(t, s, "admin", "pw", "application/json", `{"grant_type":"client_credentials"}`); a.status != 401 {
		t.Errorf("token after RemoveKey: %d, want 401", a.status)
	}
	if a := usersMe(t, s, org, issued); a.status != 200 {
		t.Errorf("a token issued before RemoveKey: %d, want 200 until it expires", a.status)
	}
}

func TestFaultsMatchAndWearOut(t *testing.T) {
	s := newTestServer(t)
	s.AddFault(Fault{KeyID: "plain", Status: 500})
	s.AddFault(Fault{Endpoint: UsersMeEndpoint, Status: 503})
	s.AddFault(Fault{Endpoint: TokenEndpoint, Status: 429, RetryAfter: "7", Times: 2})

	good := `{"grant_type":"client_credentials"}`
	for i := range 2 {
		a := requestToken(t, s, "admin", "pw", "application/json", good)
		if a.status != 429 || a.header.Get("Retry-After") != "7" || a.body["message"] != "Too Many Requests" {
			t.Errorf("request %d: %d %v %v, want 429 with Retry-After 7", i, a.status, a.header, a.body)
		}
	}
	tok := token(t, s, "admin") // the 429 has worn out
	if a := usersMe(t, s, org, tok); a.status != 503 {
		t.Errorf("users/me: %d, want the endpoint's fault 503", a.status)
	}
	if a := requestToken(t, s, "plain", "pw", "application/json", good); a.status != 500 {
		t.Errorf("token for plain: %d, want the key's fault 500", a.status)
	}
	s.ClearFaults()
	if a := usersMe(t, s, org, tok); a.status != 200 {
		t.Errorf("after ClearFaults: %d, want 200", a.status)
	}
}

func TestBrokenBodies(t *testing.T) {
	s := newTestServer(t)
	for _, f := range []BodyFault{NotJSON, TruncatedJSON} {
		s.AddFault(Fault{Body: f, Times: 1})
		a := requestToken(t, s, "admin", "pw", "application/json", `{}`)
		if a.status != 200 || a.body != nil {
			t.Errorf("%s: %d %v, want 200 with a body that is not JSON", f, a.status, a.body)
		}
	}
}

func TestRequestsAreRecorded(t *testing.T) {
	s := newTestServer(t)
	token(t, s, "admin")
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests recorded", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/oauth/token" || string(r.Body) != `{"grant_type":"client_credentials"}` ||
		r.Header.Get("Content-Type") != "application/json" || r.Time.IsZero() {
		t.Errorf("recorded %+v", r)
	}
}

// TestCloseEndsHangingRequests: Close must not wait for a client that
// never gives up.
func TestCloseEndsHangingRequests(t *testing.T) {
	s := newTestServer(t)
	s.AddFault(Fault{Hang: true})
	errs := make(chan error, 1)
	go func() {
		resp, err := http.Post(s.URL+"/oauth/token", "application/json", nil)
		if err == nil {
			resp.Body.Close()
		}
		errs <- err
	}()
	for deadline := time.Now().Add(5 * time.Second); s.MaxInFlight() < 1 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs while a request hangs")
	}
	<-errs
}

func TestOversizedBodyIsStreamed(t *testing.T) {
	s := newTestServer(t)
	s.AddFault(Fault{Body: OversizedBody})
	resp, err := http.Post(s.URL+"/oauth/token", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n != OversizedBodySize {
		t.Errorf("read %d bytes, want %d", n, OversizedBodySize)
	}
}
