package authclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

const usersMeEndpoint = "users/me"

// verify proves the token with users/me and finishes r, which holds what
// the token step found.
func (c *Client) verify(ctx context.Context, e endpoints, k Key, g grant, r Result, p policy) Result {
	resp, err := c.send(ctx, p, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.usersMe(k.OrgID), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+g.token)
		return req, nil
	})
	r.Verified = true
	r.HTTPStatus = resp.status
	r.VerifyLatency = resp.latency
	r.Attempts += max(resp.attempts-1, 0) // 1 plus retries, over both requests
	secrets := []string{k.Secret, g.token}
	if err != nil {
		r.Class = Undetermined
		r.Message = describeFailure(ctx, e.host, usersMeEndpoint, c.timeout, err)
		if ctx.Err() == nil {
			r.Message = "token issued, but " + r.Message
		}
		return r
	}
	switch resp.status {
	case http.StatusOK:
		return finishUsersMe(k, g, r, resp.body, secrets)
	case http.StatusForbidden:
		r.Class = Forbidden
		r.Message = withServerMessage("token issued, but users/me refused it (403) — the service user needs Administrator permission, or the key belongs to another organization",
			serverMessage(resp.body, secrets...))
	case http.StatusUnauthorized:
		// A token m3ter has just issued should not be refused: this says
		// nothing certain about the key.
		r.Class = Undetermined
		r.Message = withServerMessage("m3ter refused the token it had just issued (401 from users/me) — try again; if it persists, check the API URL",
			serverMessage(resp.body, secrets...))
	default:
		r.Class = Undetermined
		r.Message = "token issued, but " + unexpectedStatus(usersMeEndpoint, resp, secrets...)
	}
	return r
}

func finishUsersMe(k Key, g grant, r Result, body []byte, secrets []string) Result {
	var me struct {
		ServiceUser struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"serviceUser"`
		Organization struct {
			ID               string `json:"id"` // required in m3ter's SDKs; orgId is optional there
			OrgID            string `json:"orgId"`
			OrganizationName string `json:"organizationName"`
		} `json:"organization"`
	}
	err := json.Unmarshal(body, &me)
	if me.Organization.OrgID == "" {
		me.Organization.OrgID = me.Organization.ID
	}
	if err != nil || me.Organization.OrgID == "" {
		r.Class = Undetermined
		r.Message = "token issued, but users/me answered 200 without the documented JSON"
		return r
	}
	r.ServiceUserID = clean(me.ServiceUser.ID, secrets...)
	r.ServiceUserName = clean(me.ServiceUser.Name, secrets...)
	r.OrganizationName = clean(me.Organization.OrganizationName, secrets...)
	if !strings.EqualFold(me.Organization.OrgID, k.OrgID) {
		r.Class = Forbidden
		r.Message = fmt.Sprintf("users/me reports organization %s, not %s", clean(me.Organization.OrgID, secrets...), clean(k.OrgID))
		return r
	}
	who := r.ServiceUserName
	if who == "" {
		who = r.ServiceUserID
	}
	r.Class = Valid
	r.token = &bearerToken{g.token}
	r.Message = fmt.Sprintf("token issued, expires in %s; users/me ok", humanDuration(g.expiresIn))
	if who != "" {
		r.Message += fmt.Sprintf(" (service user %s)", who)
	}
	return r
}
