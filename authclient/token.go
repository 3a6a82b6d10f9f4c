package authclient

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const tokenEndpoint = "the token endpoint"

// tokenRequestBody is what m3ter's own SDKs send.
const tokenRequestBody = `{"grant_type":"client_credentials"}`

// maxTokenLen bounds a token that will be sent back in a header and may be
// copied to a clipboard.
const maxTokenLen = 16 << 10

// grant is a token the token endpoint issued, with what its claims say.
type grant struct {
	token     string
	expiresIn time.Duration
	claims    claims
	claimsErr error
}

type claims struct {
	OrgID   string `json:"orgId"`
	Subject string `json:"sub"`
}

// requestToken makes the token request. A Result with a Class means the
// check ends here; otherwise it carries the step's status and latency.
func (c *Client) requestToken(ctx context.Context, e endpoints, k Key, p policy) (grant, Result) {
	resp, err := c.send(ctx, p, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.token(), strings.NewReader(tokenRequestBody))
		if err != nil {
			return nil, err
		}
		req.SetBasicAuth(k.AccessKeyID, k.Secret)
		req.Header.Set("Content-Type", "application/json")
		return req, nil
	})
	r := Result{HTTPStatus: resp.status, TokenLatency: resp.latency, Attempts: resp.attempts}
	if err != nil {
		r.Class = Undetermined
		r.Message = describeFailure(ctx, e.host, tokenEndpoint, c.timeout, err)
		return grant{}, r
	}
	switch {
	case resp.status == http.StatusOK:
		g, err := parseGrant(resp.body)
		if err != nil {
			r.Class = Undetermined
			r.Message = fmt.Sprintf("the token endpoint answered 200 but %s", err)
		}
		return g, r
	case refusesCredentials(resp):
		r.Class = Rejected
		r.Message = withServerMessage(fmt.Sprintf("m3ter refused the credentials (%d)", resp.status), serverMessage(resp.body, k.Secret))
	case resp.status == http.StatusBadRequest:
		r.Class = Undetermined
		r.Message = "the token endpoint answered 400, but not with m3ter's JSON error, so it did not come from m3ter (a proxy or firewall?) — check the network and the API URL, then try again"
	default:
		r.Class = Undetermined
		r.Message = unexpectedStatus(tokenEndpoint, resp, k.Secret)
	}
	return grant{}, r
}

// refusesCredentials is the one rule for condemning a key: a 401 or 403
// from the token endpoint, or a 400 whose body is m3ter's JSON error. A
// 400 in any other form (an HTML page) came from something in between.
func refusesCredentials(resp response) bool {
	switch resp.status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return true
	case http.StatusBadRequest:
		_, ok := m3terError(resp.body)
		return ok
	}
	return false
}

// unexpectedStatus describes an answer that decides nothing.
func unexpectedStatus(endpoint string, resp response, secrets ...string) string {
	if resp.status >= 300 && resp.status < 400 {
		to := ""
		if loc := clean(resp.header.Get("Location"), secrets...); loc != "" {
			to = " to " + loc
		}
		return fmt.Sprintf("the server redirected %s (%d)%s; redirects are not followed — check the API URL", endpoint, resp.status, to)
	}
	return withServerMessage(statusSentence(endpoint, resp.status), serverMessage(resp.body, secrets...))
}

func parseGrant(body []byte) (grant, error) {
	var t struct {
		TokenType   string  `json:"token_type"`
		AccessToken string  `json:"access_token"`
		ExpiresIn   float64 `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &t); err != nil {
		return grant{}, errors.New("not with the documented JSON")
	}
	switch {
	case t.TokenType != "" && !strings.EqualFold(t.TokenType, "Bearer"):
		// Optional in m3ter's SDKs, which take its absence for Bearer.
		return grant{}, errors.New(`token_type is not "Bearer"`)
	case t.AccessToken == "":
		return grant{}, errors.New("without an access_token")
	case !isTokenText(t.AccessToken):
		return grant{}, errors.New("the access_token is not in the documented form")
	case t.ExpiresIn <= 0 || t.ExpiresIn > 1e9:
		return grant{}, errors.New("expires_in is not a positive number of seconds")
	}
	g := grant{token: t.AccessToken, expiresIn: time.Duration(t.ExpiresIn) * time.Second}
	g.claims, g.claimsErr = decodeClaims(t.AccessToken)
	return g, nil
}

// isTokenText accepts the characters of an RFC 6750 b64token, which covers
// a JWT; nothing that could break a header or a terminal gets through.
func isTokenText(s string) bool {
	if len(s) > maxTokenLen {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~+/=", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// decodeClaims reads a JWT's payload without checking its signature: only
// m3ter can, and the claims are used to explain, not to trust.
func decodeClaims(token string) (claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims{}, errors.New("the token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return claims{}, errors.New("the token's claims are not base64url")
	}
	var cl claims
	if err := json.Unmarshal(payload, &cl); err != nil {
		return claims{}, errors.New("the token's claims are not JSON")
	}
	if cl.OrgID == "" {
		return claims{}, errors.New("the token has no orgId claim")
	}
	return cl, nil
}
