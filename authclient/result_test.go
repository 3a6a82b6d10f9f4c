package authclient

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestResultFormatting(t *testing.T) {
	r := Result{Class: Valid, Verified: true, HTTPStatus: 200, TokenLatency: 120 * time.Millisecond, VerifyLatency: 64 * time.Millisecond,
		Message: "token issued", token: &bearerToken{"tok.en.value"}}
	tests := []struct{ format, want string }{
		{"%v", "valid (200, 184ms): token issued"},
		{"%s", "valid (200, 184ms): token issued"},
		{"%q", `"valid (200, 184ms): token issued"`},
		{"%+v", "Token:[redacted]}"},
		{"%#v", `authclient.Result{Class:"valid", Verified:true, HTTPStatus:200,`},
		{"%+v", "{Class:valid Verified:true HTTPStatus:200 "},
		{"%#v", "token:[redacted]}"},
	}
	for _, tt := range tests {
		got := fmt.Sprintf(tt.format, r)
		if !strings.Contains(got, tt.want) {
			t.Errorf("Sprintf(%q) = %q, want it to contain %q", tt.format, hide(got, "tok.en.value"), tt.want)
		}
		if strings.Contains(got, "tok.en.value") {
			t.Errorf("Sprintf(%q) shows the token: %q", tt.format, hide(got, "tok.en.value"))
		}
	}
	if got := fmt.Sprintf("%+v", Result{Class: Rejected}); !strings.Contains(got, "Token:none") {
		t.Errorf("a result without token: %q", got)
	}
	if r.BearerToken() != "tok.en.value" || (Result{}).BearerToken() != "" {
		t.Errorf("BearerToken does not give the token back")
	}
}

func TestHumanDuration(t *testing.T) {
	tests := map[time.Duration]string{
		5 * time.Hour:                    "5h0m",
		90 * time.Minute:                 "1h30m",
		59 * time.Minute:                 "59m",
		45 * time.Second:                 "45s",
		5*time.Hour + 29*time.Second:     "5h0m",
		2*time.Minute + 10*time.Second:   "2m",
		10*time.Hour + 30*time.Second:    "10h1m",
		time.Hour + time.Millisecond*100: "1h0m",
	}
	for d, want := range tests {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

// TestParseGrantTokenType: token_type is optional, as in m3ter's SDKs; when
// present it must say Bearer, in any case.
func TestParseGrantTokenType(t *testing.T) {
	tests := []struct {
		tokenType string // JSON value, or "" to leave the field out
		ok        bool
	}{
		{"", true},
		{`null`, true},
		{`"Bearer"`, true},
		{`"bearer"`, true},
		{`"BEARER"`, true},
		{`"MAC"`, false},
		{`"Bearer2"`, false},
	}
	for _, tt := range tests {
		field := ""
		if tt.tokenType != "" {
			field = `"token_type":` + tt.tokenType + `,`
		}
		body := `{` + field + `"access_token":"aaa.bbb.ccc","expires_in":3600}`
		_, err := parseGrant([]byte(body))
		if (err == nil) != tt.ok {
			t.Errorf("token_type %s: error %v, want ok %t", tt.tokenType, err, tt.ok)
		}
	}
}

// TestUsersMeOrganizationID: m3ter's SDKs require organization.id and leave
// orgId optional; either names the organization.
func TestUsersMeOrganizationID(t *testing.T) {
	for name, org := range map[string]string{
		"id only":    `{"id":"` + testOrg + `","version":1}`,
		"orgId only": `{"orgId":"` + testOrg + `"}`,
		"both":       `{"id":"` + testOrg + `","orgId":"` + testOrg + `"}`,
	} {
		body := []byte(`{"serviceUser":{"id":"su-1","name":"ci-bot"},"organization":` + org + `}`)
		c := New(Options{HTTPClient: &http.Client{Transport: scripted{token: answer{200, "", goodTokenBody}, usersMe: answer{200, "", body}}}})
		k := Key{OrgID: testOrg, APIURL: fuzzAPIURL, AccessKeyID: testKeyID, Secret: testSecret}
		if r := c.Check(context.Background(), k, true); r.Class != Valid {
			t.Errorf("%s: %v, want valid", name, r)
		}
	}
}
