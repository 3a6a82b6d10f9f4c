package authclient

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/m3keys/m3keys/internal/validate"
)

// Key is what a live check needs: the organization, its API URL and the
// access key pair.
type Key struct {
	OrgID       string
	APIURL      string
	AccessKeyID string
	Secret      string
}

// Check asks m3ter for a token with k and, when verify is set, proves the
// token with users/me. It makes each request once; Batch adds rate limiting
// and retries. The result is never an error: failures are classified.
func (c *Client) Check(ctx context.Context, k Key, verify bool) Result {
	return c.check(ctx, k, verify, policy{sleep: sleep})
}

func (c *Client) check(ctx context.Context, k Key, verify bool, p policy) Result {
	base, err := validate.CanonicalAPIURL(k.APIURL)
	if err != nil {
		return Result{Class: Undetermined, Message: err.Error()}
	}
	if ctx.Err() != nil {
		return cancelled()
	}
	e := endpoints{base: base, host: hostOf(base)}

	g, r := c.requestToken(ctx, e, k, p)
	if r.Class != "" {
		return r
	}
	r.ExpiresIn = g.expiresIn
	r.TokenOrgID = clean(g.claims.OrgID, k.Secret, g.token)
	r.TokenSubject = clean(g.claims.Subject, k.Secret, g.token)
	switch {
	case g.claimsErr == nil && !strings.EqualFold(g.claims.OrgID, k.OrgID):
		r.Class = Forbidden
		r.Message = fmt.Sprintf("the key belongs to organization %s, not %s", r.TokenOrgID, clean(k.OrgID))
		return r
	case verify:
		return c.verify(ctx, e, k, g, r, p)
	case g.claimsErr != nil:
		r.Class = Undetermined
		r.Message = fmt.Sprintf("token issued, but its organization is unknown (%s); check it with users/me to confirm", g.claimsErr)
		return r
	}
	r.Class = Valid
	r.token = &bearerToken{g.token}
	r.Message = fmt.Sprintf("token issued for organization %s, expires in %s; users/me not checked", r.TokenOrgID, humanDuration(g.expiresIn))
	return r
}

func cancelled() Result {
	return Result{Class: Undetermined, Message: "cancelled"}
}

// endpoints are the URLs of one organization's API.
type endpoints struct {
	base string // API URL without a trailing slash
	host string // for messages
}

func (e endpoints) token() string { return e.base + "/oauth/token" }

// usersMe asks with the canonical (lower-case) organization ID: UUIDs are the
// same in any case, and m3ter compares them as it issued them.
func (e endpoints) usersMe(orgID string) string {
	return e.base + "/organizations/" + url.PathEscape(strings.ToLower(orgID)) + "/users/me"
}
