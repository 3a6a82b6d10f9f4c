package authclient

import (
	"strings"
	"testing"
	"time"
)

// TestTokenCacheReusesUntilFiveMinutesBeforeExpiry: a held token is given back until
// TokenMargin before it expires, then no longer; a result without a token is never held.
func TestTokenCacheReusesUntilFiveMinutesBeforeExpiry(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	c := NewTokenCache(func() time.Time { return now })
	k1, k2 := Key{APIURL: "https://api.m3ter.com", AccessKeyID: "AK-1", Secret: "s1"}, Key{AccessKeyID: "AK-2", Secret: "s2"}
	c.Hold(k1, Result{Class: Valid, ExpiresIn: time.Hour, token: &bearerToken{"a.b.c"}})
	c.Hold(k2, Result{Class: Rejected})

	now = now.Add(54 * time.Minute)
	if r, ok := c.Get(k1); !ok || r.BearerToken() != "a.b.c" {
		t.Errorf("6 minutes before expiry: held %t, want the token", ok)
	}
	now = now.Add(time.Minute)
	if _, ok := c.Get(k1); ok {
		t.Errorf("5 minutes before expiry: still held, want a fresh token")
	}
	if _, ok := c.Get(k2); ok {
		t.Errorf("a result without a token is held")
	}
}

// TestTokenCacheIsKeyedBySecretToo: a changed secret or API URL never gets the old token.
func TestTokenCacheIsKeyedBySecretToo(t *testing.T) {
	c := NewTokenCache(nil)
	k := Key{APIURL: "https://api.m3ter.com", AccessKeyID: "AK-1", Secret: "old secret"}
	r := Result{Class: Valid, ExpiresIn: time.Hour, token: &bearerToken{"a.b.c"}}
	c.Hold(k, r)
	if _, ok := c.Get(k); !ok {
		t.Fatal("not held")
	}
	changed := k
	changed.Secret = "new secret"
	if _, ok := c.Get(changed); ok {
		t.Fatal("a changed secret got the old secret's token")
	}
	changed = k
	changed.APIURL = "https://api.eu.m3ter.com"
	if _, ok := c.Get(changed); ok {
		t.Fatal("another API URL got the token")
	}
	if key := TokenKey(k); !strings.HasPrefix(key, "AK-1:") || strings.Contains(key, "old secret") {
		t.Fatalf("TokenKey %q", key)
	}
	data, err := EncodeHeld(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeHeld(data, 10*time.Minute)
	if err != nil || back.BearerToken() != "a.b.c" || back.ExpiresIn != 10*time.Minute || back.Class != Valid {
		t.Fatalf("round trip: %#v %v", back, err)
	}
}
