package agent

import (
	"time"

	"github.com/m3keys/m3keys/authclient"
)

// Tokens holds Bearer tokens in this process and in the store's agent, so the next m3keys
// token (or the TUI's y) reuses one until 5 minutes before it expires. The agent holds them
// in memory only, under authclient.TokenKey: the key ID and a hash that names the secret.
type Tokens struct {
	c     *Client
	local *authclient.TokenCache
}

var _ authclient.TokenHolder = (*Tokens)(nil)

// NewTokens holds tokens in local and in c's agent.
func NewTokens(c *Client, local *authclient.TokenCache) *Tokens {
	return &Tokens{c: c, local: local}
}

// Get is a token held here, else one the agent holds.
func (t *Tokens) Get(k authclient.Key) (authclient.Result, bool) {
	if r, ok := t.local.Get(k); ok {
		return r, true
	}
	held, ok := t.c.TokenGet(authclient.TokenKey(k))
	if !ok {
		return authclient.Result{}, false
	}
	left := time.Until(held.Expires)
	if left <= authclient.TokenMargin {
		return authclient.Result{}, false
	}
	r, err := authclient.DecodeHeld(held.Data, left)
	if err != nil {
		return authclient.Result{}, false
	}
	t.local.Hold(k, r)
	return r, true
}

// Hold keeps r here and in the agent (best effort: a locked agent holds nothing).
func (t *Tokens) Hold(k authclient.Key, r authclient.Result) {
	t.local.Hold(k, r)
	if r.BearerToken() == "" || r.ExpiresIn <= 0 {
		return
	}
	data, err := authclient.EncodeHeld(r)
	if err != nil {
		return
	}
	_ = t.c.TokenPut(authclient.TokenKey(k), Token{Data: data, Expires: time.Now().Add(r.ExpiresIn)})
}
