package authclient

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient/m3tertest"
)

func TestCheckClasses(t *testing.T) {
	tests := []struct {
		name         string
		setup        func(s *m3tertest.Server)
		key          func(k *Key)
		noVerify     bool
		wantClass    Class
		wantStatus   int
		wantMessage  string
		wantRequests int
	}{
		{
			name:      "valid",
			wantClass: Valid, wantStatus: 200, wantRequests: 2,
			wantMessage: "token issued, expires in 5h0m; users/me ok (service user ci-bot)",
		},
		{
			name:     "valid without users/me",
			noVerify: true, wantClass: Valid, wantStatus: 200, wantRequests: 1,
			wantMessage: "token issued for organization " + testOrg + ", expires in 5h0m; users/me not checked",
		},
		{
			name:      "wrong secret",
			key:       func(k *Key) { k.Secret = "wrong-secret" },
			wantClass: Rejected, wantStatus: 401, wantRequests: 1,
			wantMessage: "m3ter refused the credentials (401): Invalid credentials",
		},
		{
			name:      "unknown key",
			key:       func(k *Key) { k.AccessKeyID = "AKID-NOBODY" },
			wantClass: Rejected, wantStatus: 401, wantRequests: 1,
		},
		{
			name:      "key inactivated in the console",
			setup:     func(s *m3tertest.Server) { s.RemoveKey(testKeyID) },
			wantClass: Rejected, wantStatus: 401, wantRequests: 1,
		},
		{
			name:      "token 400 with oauth error",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 400, OAuthError: true, Message: "Bad client credentials"}),
			wantClass: Rejected, wantStatus: 400, wantRequests: 1,
			wantMessage: "m3ter refused the credentials (400): invalid_client: Bad client credentials",
		},
		{
			name:      "token 400 with m3ter's message",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 400, Message: "Bad credentials"}),
			wantClass: Rejected, wantStatus: 400, wantRequests: 1,
			wantMessage: "m3ter refused the credentials (400): Bad credentials",
		},
		{
			name:      "token 400 html from a proxy",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 400, Body: m3tertest.NotJSON}),
			wantClass: Undetermined, wantStatus: 400, wantRequests: 1,
			wantMessage: "the token endpoint answered 400, but not with m3ter's JSON error, so it did not come from m3ter",
		},
		{
			name:      "token 400 json that is not m3ter's error",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 400, Body: m3tertest.TruncatedJSON}),
			wantClass: Undetermined, wantStatus: 400, wantRequests: 1,
			wantMessage: "did not come from m3ter",
		},
		{
			name:      "token 403",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 403}),
			wantClass: Rejected, wantStatus: 403, wantRequests: 1,
			wantMessage: "m3ter refused the credentials (403): Forbidden",
		},
		{
			name:      "token 429",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 429, RetryAfter: "1"}),
			wantClass: Undetermined, wantStatus: 429, wantRequests: 1,
			wantMessage: "m3ter is throttling requests (429 from the token endpoint)",
		},
		{
			name:      "token 500",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 500, Message: "boom"}),
			wantClass: Undetermined, wantStatus: 500, wantRequests: 1,
			wantMessage: "m3ter server error (500 from the token endpoint) — try again later: boom",
		},
		{
			name:      "token 503 not json",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 503, Body: m3tertest.NotJSON}),
			wantClass: Undetermined, wantStatus: 503, wantRequests: 1,
			wantMessage: "m3ter server error (503 from the token endpoint) — try again later",
		},
		{
			name:      "token 404",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 404}),
			wantClass: Undetermined, wantStatus: 404, wantRequests: 1,
			wantMessage: "unexpected answer 404 from the token endpoint — check the API URL",
		},
		{
			name:      "token not json",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Body: m3tertest.NotJSON}),
			wantClass: Undetermined, wantStatus: 200, wantRequests: 1,
			wantMessage: "the token endpoint answered 200 but not with the documented JSON",
		},
		{
			name:      "token truncated json",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Body: m3tertest.TruncatedJSON}),
			wantClass: Undetermined, wantStatus: 200, wantRequests: 1,
			wantMessage: "not with the documented JSON",
		},
		{
			name:      "token oversized",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Body: m3tertest.OversizedBody}),
			wantClass: Undetermined, wantStatus: 200, wantRequests: 1,
			wantMessage: "the token endpoint response larger than 1 MiB — refused without reading the rest",
		},
		{
			name:      "token redirect",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, RedirectTo: "https://elsewhere.example/oauth/token"}),
			wantClass: Undetermined, wantStatus: 307, wantRequests: 1,
			wantMessage: "the server redirected the token endpoint (307) to https://elsewhere.example/oauth/token; redirects are not followed — check the API URL",
		},
		{
			name:      "token connection dropped",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Disconnect: true}),
			wantClass: Undetermined, wantStatus: 0, wantRequests: 1,
			wantMessage: "could not connect to 127.0.0.1:",
		},
		{
			name: "not an admin",
			setup: func(s *m3tertest.Server) {
				s.AddKey(m3tertest.Key{AccessKeyID: testKeyID, Secret: testSecret, OrgID: testOrg, ServiceUserID: "su-1", ServiceUserName: "ci-bot"})
			},
			wantClass: Forbidden, wantStatus: 403, wantRequests: 2,
			wantMessage: "token issued, but users/me refused it (403) — the service user needs Administrator permission, or the key belongs to another organization: Access is denied",
		},
		{
			name: "key of another organization",
			setup: func(s *m3tertest.Server) {
				s.AddKey(m3tertest.Key{AccessKeyID: testKeyID, Secret: testSecret, OrgID: otherOrg, ServiceUserID: "su-1", Admin: true})
			},
			wantClass: Forbidden, wantStatus: 200, wantRequests: 1,
			wantMessage: "the key belongs to organization " + otherOrg + ", not " + testOrg,
		},
		{
			name: "key of another organization without users/me",
			setup: func(s *m3tertest.Server) {
				s.AddKey(m3tertest.Key{AccessKeyID: testKeyID, Secret: testSecret, OrgID: otherOrg, ServiceUserID: "su-1", Admin: true})
			},
			noVerify:  true,
			wantClass: Forbidden, wantStatus: 200, wantRequests: 1,
			wantMessage: "the key belongs to organization " + otherOrg,
		},
		{
			name:      "org id differs only in case",
			key:       func(k *Key) { k.OrgID = strings.ToUpper(testOrg) },
			noVerify:  true,
			wantClass: Valid, wantStatus: 200, wantRequests: 1,
		},
		{
			name:      "users/me 401",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.UsersMeEndpoint, Status: 401}),
			wantClass: Undetermined, wantStatus: 401, wantRequests: 2,
			wantMessage: "m3ter refused the token it had just issued (401 from users/me)",
		},
		{
			name:      "users/me 429",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.UsersMeEndpoint, Status: 429}),
			wantClass: Undetermined, wantStatus: 429, wantRequests: 2,
			wantMessage: "token issued, but m3ter is throttling requests (429 from users/me)",
		},
		{
			name:      "users/me 502",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.UsersMeEndpoint, Status: 502}),
			wantClass: Undetermined, wantStatus: 502, wantRequests: 2,
		},
		{
			name:      "users/me not json",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.UsersMeEndpoint, Body: m3tertest.NotJSON}),
			wantClass: Undetermined, wantStatus: 200, wantRequests: 2,
			wantMessage: "token issued, but users/me answered 200 without the documented JSON",
		},
		{
			name:      "users/me truncated",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.UsersMeEndpoint, Body: m3tertest.TruncatedJSON}),
			wantClass: Undetermined, wantStatus: 200, wantRequests: 2,
		},
		{
			name:      "users/me oversized",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.UsersMeEndpoint, Body: m3tertest.OversizedBody}),
			wantClass: Undetermined, wantStatus: 200, wantRequests: 2,
			wantMessage: "token issued, but users/me response larger than 1 MiB",
		},
		{
			name:      "users/me redirect",
			setup:     fault(m3tertest.Fault{Endpoint: m3tertest.UsersMeEndpoint, RedirectTo: "/elsewhere"}),
			wantClass: Undetermined, wantStatus: 307, wantRequests: 2,
			wantMessage: "token issued, but the server redirected users/me (307)",
		},
		{
			name:      "fault for another key does not apply",
			setup:     fault(m3tertest.Fault{KeyID: "AKID-OTHER", Status: 500}),
			wantClass: Valid, wantStatus: 200, wantRequests: 2,
		},
		{
			name:      "fault for this key applies",
			setup:     fault(m3tertest.Fault{KeyID: testKeyID, Endpoint: m3tertest.UsersMeEndpoint, Status: 403}),
			wantClass: Forbidden, wantStatus: 403, wantRequests: 2,
		},
		{
			name:      "slow but in time",
			setup:     fault(m3tertest.Fault{Latency: 20 * time.Millisecond}),
			wantClass: Valid, wantStatus: 200, wantRequests: 2,
		},
		{
			name:      "plain http to a public host",
			key:       func(k *Key) { k.APIURL = "http://api.m3ter.com" },
			wantClass: Undetermined, wantStatus: 0, wantRequests: 0,
			wantMessage: "API URL: must use https — plain http is allowed only for localhost",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFake(t)
			if tt.setup != nil {
				tt.setup(s)
			}
			k := keyFor(s)
			if tt.key != nil {
				tt.key(&k)
			}
			r := check(t, newClient(t, Options{}), k, !tt.noVerify)
			if r.Class != tt.wantClass || r.HTTPStatus != tt.wantStatus {
				t.Errorf("got %s %d, want %s %d (%s)", r.Class, r.HTTPStatus, tt.wantClass, tt.wantStatus, r.Message)
			}
			if !strings.Contains(r.Message, tt.wantMessage) {
				t.Errorf("message %q, want it to contain %q", r.Message, tt.wantMessage)
			}
			if got := len(s.Requests()); got != tt.wantRequests {
				t.Errorf("fake saw %d requests, want %d", got, tt.wantRequests)
			}
			if r.Verified != (tt.wantRequests == 2) {
				t.Errorf("Verified = %v after %d requests: it says whether users/me was asked", r.Verified, tt.wantRequests)
			}
			if (r.BearerToken() != "") != (r.Class == Valid) {
				t.Errorf("class %s with token %v: a token is only handed out for valid", r.Class, r.BearerToken() != "")
			}
			assertNoSecrets(t, r, testSecret, r.BearerToken())
		})
	}
}

func fault(f m3tertest.Fault) func(*m3tertest.Server) {
	return func(s *m3tertest.Server) { s.AddFault(f) }
}

func TestCheckValidDetails(t *testing.T) {
	s := newFake(t)
	r := check(t, newClient(t, Options{}), keyFor(s), true)
	want := Result{
		Class: Valid, Verified: true, HTTPStatus: 200, Attempts: 1, ExpiresIn: 5 * time.Hour,
		TokenOrgID: testOrg, TokenSubject: "su-1", ServiceUserID: "su-1", ServiceUserName: "ci-bot", OrganizationName: "Acme Billing",
	}
	got := r
	got.TokenLatency, got.VerifyLatency, got.Message, got.token = 0, 0, "", nil
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if r.TokenLatency <= 0 || r.VerifyLatency <= 0 || r.Latency() != r.TokenLatency+r.VerifyLatency {
		t.Errorf("latencies token %s verify %s total %s", r.TokenLatency, r.VerifyLatency, r.Latency())
	}
	if parts := strings.Split(r.BearerToken(), "."); len(parts) != 3 {
		t.Errorf("the token has %d parts, want a JWT's 3", len(parts))
	}
}

func TestCheckUnreachable(t *testing.T) {
	s := newFake(t)
	k := keyFor(s)
	s.Close()
	r := check(t, newClient(t, Options{}), k, true)
	if r.Class != Undetermined || !strings.Contains(r.Message, "could not connect to 127.0.0.1") {
		t.Errorf("got %v, want undetermined could not connect", r)
	}
}

func TestParseGrant(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9." + b64(`{"orgId":"`+testOrg+`","sub":"su-1"}`) + ".c2ln"
	tests := []struct {
		name       string
		body       string
		wantErr    string
		wantClaims bool
	}{
		{"documented", `{"token_type":"Bearer","access_token":"` + jwt + `","expires_in":18000}`, "", true},
		{"lowercase bearer", `{"token_type":"bearer","access_token":"` + jwt + `","expires_in":18000}`, "", true},
		{"extra fields", `{"token_type":"Bearer","access_token":"` + jwt + `","expires_in":18000,"scope":"x"}`, "", true},
		{"opaque token", `{"token_type":"Bearer","access_token":"abc.def","expires_in":60}`, "", false},
		{"claims not json", `{"token_type":"Bearer","access_token":"a.` + b64("nope") + `.c","expires_in":60}`, "", false},
		{"claims without org", `{"token_type":"Bearer","access_token":"a.` + b64(`{"sub":"x"}`) + `.c","expires_in":60}`, "", false},
		{"mac token", `{"token_type":"mac","access_token":"` + jwt + `","expires_in":18000}`, "token_type", false},
		{"no token", `{"token_type":"Bearer","expires_in":18000}`, "without an access_token", false},
		{"escape in token", `{"token_type":"Bearer","access_token":"a\u001b[2Jb","expires_in":18000}`, "documented form", false},
		{"zero expiry", `{"token_type":"Bearer","access_token":"` + jwt + `","expires_in":0}`, "expires_in", false},
		{"negative expiry", `{"token_type":"Bearer","access_token":"` + jwt + `","expires_in":-5}`, "expires_in", false},
		{"string expiry", `{"token_type":"Bearer","access_token":"` + jwt + `","expires_in":"18000"}`, "documented JSON", false},
		{"array", `[]`, "documented JSON", false},
		{"empty", ``, "documented JSON", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := parseGrant([]byte(tt.body))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if (g.claimsErr == nil) != tt.wantClaims {
				t.Fatalf("claims error %v, want claims read: %v", g.claimsErr, tt.wantClaims)
			}
			if tt.wantClaims && g.claims.OrgID != testOrg {
				t.Fatalf("orgId claim %q", g.claims.OrgID)
			}
		})
	}
}

// TestCheckOpaqueToken: a token whose claims cannot be read is only
// trusted once users/me confirms the organization.
func TestCheckOpaqueToken(t *testing.T) {
	srv := newFixedServer(t, `{"token_type":"Bearer","access_token":"opaque","expires_in":60}`,
		`{"serviceUser":{"id":"su-1","name":"ci-bot"},"organization":{"orgId":"`+testOrg+`"}}`)
	k := Key{OrgID: testOrg, APIURL: srv, AccessKeyID: testKeyID, Secret: testSecret}
	c := newClient(t, Options{})
	if r := check(t, c, k, false); r.Class != Undetermined || !strings.Contains(r.Message, "organization is unknown") {
		t.Errorf("without users/me: %v, want undetermined", r)
	}
	if r := check(t, c, k, true); r.Class != Valid {
		t.Errorf("with users/me: %v, want valid", r)
	}
	k.OrgID = otherOrg
	if r := check(t, c, k, true); r.Class != Forbidden || !strings.Contains(r.Message, "users/me reports organization "+testOrg) {
		t.Errorf("users/me names another org: %v, want forbidden", r)
	}
}

func newFixedServer(t *testing.T, tokenBody, usersMeBody string) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(tokenBody)) })
	mux.HandleFunc("GET /organizations/{org}/users/me", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(usersMeBody)) })
	srv := newHTTPTestServer(t, mux)
	return srv
}

// TestCheckUpperCaseOrgID: organization IDs are UUIDs, the same in any case;
// users/me is asked with the canonical lower-case one.
func TestCheckUpperCaseOrgID(t *testing.T) {
	s := newFake(t)
	k := keyFor(s)
	k.OrgID = strings.ToUpper(testOrg)
	if r := check(t, newClient(t, Options{}), k, true); r.Class != Valid {
		t.Fatalf("got %s (%s), want valid", r.Class, r.Message)
	}
	for _, req := range s.Requests() {
		if strings.Contains(req.Path, strings.ToUpper(testOrg)) {
			t.Errorf("users/me asked with the upper-case ID: %s", req.Path)
		}
	}
}
