package authclient

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// TokenMargin: a held token expiring sooner than this is fetched afresh, as m3ter's
// TypeScript SDK does.
const TokenMargin = 5 * time.Minute

// TokenHolder keeps Bearer tokens until TokenMargin before they expire: TokenCache in this
// process, or the unlock agent's for a work session (internal/agent.Tokens). A token is held
// under its key's ID and a hash of (API URL, key ID, secret), so a changed secret or URL
// never gets a token issued for the old one.
type TokenHolder interface {
	Get(k Key) (Result, bool)
	Hold(k Key, r Result)
}

var _ TokenHolder = (*TokenCache)(nil)

// TokenKey is what a token is held under: the access key ID and a hash of (API URL, key ID,
// secret). It names the secret without giving it out.
func TokenKey(k Key) string {
	h := sha256.New()
	for _, part := range []string{"m3keys token v1", k.APIURL, k.AccessKeyID, k.Secret} {
		var n [8]byte
		for i, l := 0, uint64(len(part)); i < 8; i++ {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write([]byte(part))
	}
	return k.AccessKeyID + ":" + hex.EncodeToString(h.Sum(nil))
}

// TokenCache keeps, in memory only, the results of checks that issued a Bearer token, by
// TokenKey, so one process asks m3ter for a key's token once until TokenMargin before it
// expires. It is safe for concurrent use.
type TokenCache struct {
	now  func() time.Time
	mu   sync.Mutex
	held map[string]heldToken
}

type heldToken struct {
	keyID   string
	result  Result
	expires time.Time
}

// NewTokenCache returns an empty cache on the clock now (time.Now when nil).
func NewTokenCache(now func() time.Time) *TokenCache {
	if now == nil {
		now = time.Now
	}
	return &TokenCache{now: now, held: map[string]heldToken{}}
}

// Hold keeps r for k when it carries a token with a lifetime; it replaces what was held.
func (c *TokenCache) Hold(k Key, r Result) {
	if r.BearerToken() == "" || r.ExpiresIn <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held[TokenKey(k)] = heldToken{keyID: k.AccessKeyID, result: r, expires: c.now().Add(r.ExpiresIn)}
}

// Get is the held result for k while its token has more than TokenMargin left.
func (c *TokenCache) Get(k Key) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.held[TokenKey(k)]
	if !ok || h.expires.Sub(c.now()) <= TokenMargin {
		return Result{}, false
	}
	return h.result, true
}

// Range calls f with every held result, for a caller that must make sure no token is shown.
func (c *TokenCache) Range(f func(accessKeyID string, r Result)) {
	c.mu.Lock()
	held := make(map[string]Result, len(c.held))
	for _, h := range c.held {
		held[h.keyID] = h.result
	}
	c.mu.Unlock()
	for id, r := range held {
		f(id, r)
	}
}

// heldResult is a Result with its token, as the unlock agent holds it: never printed.
type heldResult struct {
	Class            Class         `json:"class"`
	Verified         bool          `json:"verified,omitempty"`
	HTTPStatus       int           `json:"httpStatus,omitempty"`
	TokenLatency     time.Duration `json:"tokenLatency,omitempty"`
	VerifyLatency    time.Duration `json:"verifyLatency,omitempty"`
	Attempts         int           `json:"attempts,omitempty"`
	ExpiresIn        time.Duration `json:"expiresIn,omitempty"`
	TokenOrgID       string        `json:"tokenOrgId,omitempty"`
	TokenSubject     string        `json:"tokenSubject,omitempty"`
	ServiceUserID    string        `json:"serviceUserId,omitempty"`
	ServiceUserName  string        `json:"serviceUserName,omitempty"`
	OrganizationName string        `json:"organizationName,omitempty"`
	Message          string        `json:"message,omitempty"`
	Token            string        `json:"token"`
}

// EncodeHeld encodes a result that carries a token, token included, for a holder in
// another process (the unlock agent).
func EncodeHeld(r Result) ([]byte, error) {
	if r.BearerToken() == "" {
		return nil, errors.New("no token to hold")
	}
	return json.Marshal(heldResult{Class: r.Class, Verified: r.Verified, HTTPStatus: r.HTTPStatus, TokenLatency: r.TokenLatency,
		VerifyLatency: r.VerifyLatency, Attempts: r.Attempts, ExpiresIn: r.ExpiresIn, TokenOrgID: r.TokenOrgID,
		TokenSubject: r.TokenSubject, ServiceUserID: r.ServiceUserID, ServiceUserName: r.ServiceUserName,
		OrganizationName: r.OrganizationName, Message: r.Message, Token: r.BearerToken()})
}

// DecodeHeld is EncodeHeld's result again, its ExpiresIn replaced by what is left (left).
func DecodeHeld(data []byte, left time.Duration) (Result, error) {
	var h heldResult
	if err := json.Unmarshal(data, &h); err != nil || h.Token == "" {
		return Result{}, errors.New("not a held token")
	}
	return Result{Class: h.Class, Verified: h.Verified, HTTPStatus: h.HTTPStatus, TokenLatency: h.TokenLatency,
		VerifyLatency: h.VerifyLatency, Attempts: h.Attempts, ExpiresIn: left, TokenOrgID: h.TokenOrgID,
		TokenSubject: h.TokenSubject, ServiceUserID: h.ServiceUserID, ServiceUserName: h.ServiceUserName,
		OrganizationName: h.OrganizationName, Message: h.Message, token: &bearerToken{h.Token}}, nil
}
