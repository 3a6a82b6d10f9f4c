package authclient

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzAPIURL is never dialled: scripted answers every request in memory.
const fuzzAPIURL = "https://api.m3ter.test"

// goodToken is a JWT-shaped token for testOrg, as m3ter issues.
var goodToken = "eyJhbGciOiJSUzI1NiJ9." + b64(`{"orgId":"`+testOrg+`","sub":"su-1","iss":"m3ter","iat":1,"exp":2}`) + ".c2lnbmF0dXJl"

var (
	goodTokenBody   = []byte(`{"token_type":"Bearer","access_token":"` + goodToken + `","expires_in":18000}`)
	goodUsersMeBody = []byte(`{"serviceUser":{"id":"su-1","name":"ci-bot"},"organization":{"orgId":"` + testOrg + `","organizationName":"Acme"}}`)
)

// answer is one scripted HTTP response.
type answer struct {
	status     int
	retryAfter string
	body       []byte
}

// scripted is a RoundTripper that answers the token and users/me endpoints
// from memory, so a fuzz target runs thousands of checks a second.
type scripted struct{ token, usersMe answer }

func (s scripted) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	a := s.usersMe
	if strings.HasSuffix(req.URL.Path, "/oauth/token") {
		a = s.token
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if a.retryAfter != "" {
		h.Set("Retry-After", a.retryAfter)
	}
	return &http.Response{StatusCode: a.status, Header: h, Body: io.NopCloser(bytes.NewReader(a.body)), Request: req}, nil
}

// fuzzStatus maps any int onto a three-digit HTTP status.
func fuzzStatus(n int) int {
	if n < 0 {
		n = -(n + 1)
	}
	return 100 + n%900
}

// fuzzCheck runs one batch check (retries on, sleeps skipped) against s and
// asserts what must hold for every answer a server can give.
func fuzzCheck(t *testing.T, s scripted, verify bool) Result {
	t.Helper()
	var waits []time.Duration
	b := &Batch{
		Client: New(Options{HTTPClient: &http.Client{Transport: s}, UserAgent: testUserAgent}),
		Rate:   1e9,
		Sleep: func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			return ctx.Err()
		},
	}
	k := Key{OrgID: testOrg, APIURL: fuzzAPIURL, AccessKeyID: testKeyID, Secret: testSecret}
	r := b.Check(context.Background(), k, verify)

	switch r.Class {
	case Valid, Rejected, Forbidden, Undetermined:
	default:
		t.Fatalf("class %q is none of the four", r.Class)
	}
	if r.Message == "" || !utf8.ValidString(r.Message) || strings.ContainsAny(r.Message, "\x1b\x00\n\r\u009b\u202e") {
		t.Errorf("message %q is empty or not sanitized", hide(r.Message, testSecret))
	}
	if (r.BearerToken() != "") != (r.Class == Valid) {
		t.Errorf("class %s with a token: %v", r.Class, r.BearerToken() != "")
	}
	if r.Verified && !verify {
		t.Errorf("a token-only check says it asked users/me")
	}
	for _, d := range waits {
		if d < 0 || d > maxRetryAfter {
			t.Errorf("waited %v, want 0 to %v", d, maxRetryAfter)
		}
	}
	return r
}

// issuedToken is the access_token a token response carries, as parseGrant
// reads it, when it is long enough to be told apart from ordinary words.
func issuedToken(body []byte) string {
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &t) != nil || len(t.AccessToken) < 24 {
		return ""
	}
	// Text the check prints about the key is not the token's to hide.
	for _, known := range []string{testOrg, testKeyID, fuzzAPIURL} {
		if strings.Contains(known, t.AccessToken) {
			return ""
		}
	}
	return t.AccessToken
}

func FuzzTokenResponse(f *testing.F) {
	seeds := []answer{
		{200, "", goodTokenBody},
		{200, "", []byte(`{"token_type":"bearer","access_token":"a.b.c","expires_in":1}`)},
		{200, "", []byte(`{"token_type":"Bearer","access_token":"` + goodToken + `","expires_in":1e300}`)},
		{200, "", []byte(`{"token_type":"Bearer","access_token":"x\u001b[2Jy","expires_in":60}`)},
		{200, "", []byte(`{"TOKEN_TYPE":"Bearer","Access_Token":"` + goodToken + `","expires_in":60,"access_token":"` + goodToken + `"}`)},
		{200, "", []byte(`<html>`)},
		{200, "", nil},
		{401, "", []byte(`{"message":"bad secret ` + testSecret + `"}`)},
		{400, "", []byte(`{"error":"invalid_client","error_description":"\u001b]52;c;` + testSecret + `\u0007"}`)},
		{403, "", []byte(`{"message":"` + strings.Repeat("x", 195) + testSecret + `"}`)},
		{429, "3", []byte(`{"message":"slow down"}`)},
		{429, "Thu, 26 Nov 2026 12:00:05 GMT", nil},
		{429, "-5", nil},
		{503, "", []byte(`{"message":"\u202eoops"}`)},
		{307, "", nil},
	}
	for _, s := range seeds {
		f.Add(s.status, s.retryAfter, s.body, true)
		f.Add(s.status, s.retryAfter, s.body, false)
	}
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte, verify bool) {
		s := scripted{
			token:   answer{status: fuzzStatus(status), retryAfter: retryAfter, body: body},
			usersMe: answer{status: 200, body: goodUsersMeBody},
		}
		r := fuzzCheck(t, s, verify)
		assertNoSecrets(t, r, testSecret, issuedToken(body))
		if r.Class == Valid && r.HTTPStatus != 200 {
			t.Errorf("valid with status %d", r.HTTPStatus)
		}
	})
}

func FuzzUsersMeResponse(f *testing.F) {
	seeds := []answer{
		{200, "", goodUsersMeBody},
		{200, "", []byte(`{"serviceUser":{"id":"su-1","name":"` + goodToken + `"},"organization":{"orgId":"` + testOrg + `"}}`)},
		{200, "", []byte(`{"serviceUser":{},"organization":{"orgId":"` + otherOrg + `","organizationName":"\u001b[31mEvil"}}`)},
		{200, "", []byte(`{"organization":{"orgId":"` + strings.ToUpper(testOrg) + `"}}`)},
		{200, "", []byte(`{"organization":{"orgId":""}}`)},
		{200, "", []byte(`[]`)},
		{403, "", []byte(`{"message":"token ` + goodToken + ` is not allowed"}`)},
		{401, "", []byte(`{"error":"invalid_token","error_description":"` + goodToken + `"}`)},
		{429, "1", nil},
		{500, "", []byte(`{"message":"` + strings.Repeat("é", 300) + `"}`)},
		{302, "", nil},
	}
	for _, s := range seeds {
		f.Add(s.status, s.retryAfter, s.body)
	}
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		s := scripted{
			token:   answer{status: 200, body: goodTokenBody},
			usersMe: answer{status: fuzzStatus(status), retryAfter: retryAfter, body: body},
		}
		r := fuzzCheck(t, s, true)
		assertNoSecrets(t, r, testSecret, goodToken)
		if !r.Verified {
			t.Errorf("users/me was asked, but the result says it was not")
		}
		if r.Class == Rejected {
			t.Errorf("users/me alone made the key rejected; only the token endpoint can")
		}
	})
}

func FuzzDecodeClaims(f *testing.F) {
	seeds := []string{
		`{"orgId":"` + testOrg + `","sub":"su-1"}`,
		`{"orgId":"` + otherOrg + `"}`,
		`{"orgId":"` + strings.ToUpper(testOrg) + `"}`,
		`{"orgId":"\u001b]0;pwned\u0007` + testSecret + `"}`,
		`{"orgId":""}`, `{"orgId":5}`, `{}`, `null`, `[]`, `{"orgId":"a","orgId":"b"}`, "\xff", "",
	}
	for _, s := range seeds {
		f.Add([]byte(s), "")
		f.Add([]byte(s), "eyJhbGciOiJub25lIn0.e30.sig")
	}
	f.Fuzz(func(t *testing.T, payload []byte, raw string) {
		// Any string at all, as a server might send it.
		if cl, err := decodeClaims(raw); err == nil && cl.OrgID == "" {
			t.Errorf("claims without orgId accepted")
		}
		// A well-formed JWT around any payload, through the whole check.
		token := "eyJhbGciOiJSUzI1NiJ9." + b64(string(payload)) + ".c2ln"
		tokenBody, err := json.Marshal(map[string]any{"token_type": "Bearer", "access_token": token, "expires_in": 60})
		if err != nil {
			t.Fatal(err)
		}
		for _, verify := range []bool{true, false} {
			r := fuzzCheck(t, scripted{token: answer{status: 200, body: tokenBody}, usersMe: answer{status: 200, body: goodUsersMeBody}}, verify)
			assertNoSecrets(t, r, testSecret, issuedToken(tokenBody))
			if r.Class == Rejected {
				t.Errorf("a token that was issued made the key rejected")
			}
		}
	})
}
