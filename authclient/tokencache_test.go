package authclient

import (
	"testing"
	"time"
)

// TestTokenCacheReusesUntilFiveMinutesBeforeExpiry: a held token is given back until
// TokenMargin before it expires, then no longer; a result without a token is never held.
func TestTokenCacheReusesUntilFiveMinutesBeforeExpiry(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	c := NewTokenCache(func() time.Time { return now })
	c.Hold("AK-1", Result{Class: Valid, ExpiresIn: time.Hour, token: &bearerToken{"a.b.c"}})
	c.Hold("AK-2", Result{Class: Rejected})

	now = now.Add(54 * time.Minute)
	if r, ok := c.Get("AK-1"); !ok || r.BearerToken() != "a.b.c" {
		t.Errorf("6 minutes before expiry: held %t, want the token", ok)
	}
	now = now.Add(time.Minute)
	if _, ok := c.Get("AK-1"); ok {
		t.Errorf("5 minutes before expiry: still held, want a fresh token")
	}
	if _, ok := c.Get("AK-2"); ok {
		t.Errorf("a result without a token is held")
	}
}
