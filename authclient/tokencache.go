package authclient

import (
	"sync"
	"time"
)

// TokenMargin: a held token expiring sooner than this is fetched afresh, as m3ter's
// TypeScript SDK does.
const TokenMargin = 5 * time.Minute

// TokenCache keeps, in memory only, the results of checks that issued a Bearer token, by
// access key ID, so one process asks m3ter for a key's token once until TokenMargin before it
// expires. It is safe for concurrent use.
type TokenCache struct {
	now  func() time.Time
	mu   sync.Mutex
	held map[string]heldToken
}

type heldToken struct {
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

// Hold keeps r for accessKeyID when it carries a token with a lifetime; it replaces what was held.
func (c *TokenCache) Hold(accessKeyID string, r Result) {
	if r.BearerToken() == "" || r.ExpiresIn <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held[accessKeyID] = heldToken{result: r, expires: c.now().Add(r.ExpiresIn)}
}

// Get is the held result for accessKeyID while its token has more than TokenMargin left.
func (c *TokenCache) Get(accessKeyID string) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.held[accessKeyID]
	if !ok || h.expires.Sub(c.now()) <= TokenMargin {
		return Result{}, false
	}
	return h.result, true
}

// Range calls f with every held result, for a caller that must make sure no token is shown.
func (c *TokenCache) Range(f func(accessKeyID string, r Result)) {
	c.mu.Lock()
	held := make(map[string]Result, len(c.held))
	for id, h := range c.held {
		held[id] = h.result
	}
	c.mu.Unlock()
	for id, r := range held {
		f(id, r)
	}
}
