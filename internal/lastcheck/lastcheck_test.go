package lastcheck

import (
	"slices"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/outcome"
	"github.com/m3keys/m3keys/keystore"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func TestForms(t *testing.T) {
	cases := []struct {
		check *keystore.Check
		want  []string
	}{
		{nil, []string{"untested"}},
		{&keystore.Check{At: now.Add(-2 * time.Hour), Result: "valid", Verified: true, HTTPStatus: 200, LatencyMs: 184}, []string{"✓ valid 184ms 2h ago", "✓ valid 184ms", "✓ valid"}},
		{&keystore.Check{At: now.Add(-2 * time.Hour), Result: "valid", HTTPStatus: 200, LatencyMs: 61},
			[]string{"✓ valid (token only) 61ms 2h ago", "✓ valid (token only) 61ms", "✓ valid (token only)", "✓ token only"}},
		{&keystore.Check{At: now.Add(-time.Hour), Result: "forbidden", HTTPStatus: 200}, []string{"! wrong org 1h ago", "! wrong org"}},
		{&keystore.Check{At: now.Add(-time.Hour), Result: "forbidden", Verified: true, HTTPStatus: 403}, []string{"! forbidden 403 1h ago", "! forbidden 403", "! forbidden"}},
		{&keystore.Check{At: now.Add(-30 * time.Second), Result: "rejected", HTTPStatus: 401}, []string{"✗ rejected 401 just now", "✗ rejected 401", "✗ rejected"}},
		{&keystore.Check{At: now.Add(-72 * time.Hour), Result: "forbidden"}, []string{"! forbidden 3d ago", "! forbidden"}},
		{&keystore.Check{At: now.Add(-5 * time.Minute), Result: "undetermined"}, []string{"? undetermined 5m ago", "? undetermined"}},
		{&keystore.Check{At: now, Result: "\x1b[31mvalid"}, []string{"? valid just now", "? valid"}},
		{&keystore.Check{At: now.Add(-2 * time.Hour), Result: "rejected", HTTPStatus: 401, WhileInactive: true}, []string{"✓ retired (rejected) 2h ago", "✓ retired (rejected)", "✓ retired"}},
		{&keystore.Check{At: now.Add(-2 * time.Hour), Result: "valid", Verified: true, HTTPStatus: 200, WhileInactive: true}, []string{"! still accepted 2h ago", "! still accepted"}},
		{&keystore.Check{At: now.Add(-2 * time.Hour), Result: "valid", Verified: true, HTTPStatus: 200, WrongServiceUser: "su-2"}, []string{"! wrong service user? 2h ago", "! wrong service user?"}},
		{&keystore.Check{At: now.Add(-2 * time.Hour), Result: "rejected", HTTPStatus: 401, WrongServiceUser: "su-2"}, []string{"✗ rejected 401 2h ago", "✗ rejected 401", "✗ rejected"}},
	}
	for _, c := range cases {
		if got := Forms(c.check, now); !slices.Equal(got, c.want) {
			t.Errorf("Forms(%+v) = %q, want %q", c.check, got, c.want)
		}
	}
}

func TestLabel(t *testing.T) {
	cases := []struct {
		check *keystore.Check
		want  string
	}{
		{nil, "untested"},
		{&keystore.Check{Result: "valid", Verified: true, HTTPStatus: 200}, "✓ valid"},
		{&keystore.Check{Result: "valid", HTTPStatus: 200}, "✓ valid (token only)"},
		{&keystore.Check{Result: "rejected", HTTPStatus: 401}, "✗ rejected"},
		{&keystore.Check{Result: "forbidden", Verified: true, HTTPStatus: 403}, "! forbidden"},
		{&keystore.Check{Result: "forbidden", Verified: true, HTTPStatus: 200}, "! wrong org"},
		{&keystore.Check{Result: "undetermined", HTTPStatus: 429}, "? undetermined"},
		{&keystore.Check{Result: "rejected", HTTPStatus: 401, WhileInactive: true}, "✓ retired (rejected)"},
		{&keystore.Check{Result: "valid", Verified: true, WhileInactive: true}, "! still accepted"},
		{&keystore.Check{Result: "valid", Verified: true, WrongServiceUser: "su-2"}, "! wrong service user?"},
	}
	for _, c := range cases {
		if got := Label(c.check); got != c.want {
			t.Errorf("Label(%+v) = %q, want %q", c.check, got, c.want)
		}
	}
}

func TestCheckOutcomeFailing(t *testing.T) {
	cases := []struct {
		check *keystore.Check
		want  bool
	}{
		{nil, false},
		{&keystore.Check{Result: "valid", Verified: true}, false},
		{&keystore.Check{Result: "rejected"}, true},
		{&keystore.Check{Result: "rejected", WhileInactive: true}, false},
		{&keystore.Check{Result: "valid", WhileInactive: true}, true},
		{&keystore.Check{Result: "forbidden", WhileInactive: true}, true},
		{&keystore.Check{Result: "undetermined", WhileInactive: true}, false},
	}
	for _, c := range cases {
		if got := c.check.Outcome().Failing(); got != c.want {
			t.Errorf("%+v: Outcome().Failing() = %v, want %v", c.check, got, c.want)
		}
	}
}

func TestForKeyReadsARetiredCheckPlainOnceTheKeyIsActive(t *testing.T) {
	c := &keystore.Check{At: now, Result: "rejected", HTTPStatus: 401, WhileInactive: true}
	k := &keystore.AccessKey{Status: keystore.Inactive, LastCheck: c}
	if Label(ForKey(k)) != "✓ retired (rejected)" {
		t.Fatalf("INACTIVE: %q", Label(ForKey(k)))
	}
	k.Status = keystore.Active
	if Label(ForKey(k)) != "✗ rejected" || !c.WhileInactive {
		t.Fatalf("ACTIVE again: %q (stored check changed: %v)", Label(ForKey(k)), !c.WhileInactive)
	}
}

func TestNeedsAttention(t *testing.T) {
	valid := &keystore.Check{At: now.Add(-time.Hour), Result: outcome.Valid, Verified: true}
	cases := []struct {
		name string
		key  keystore.AccessKey
		want bool
	}{
		{"active, valid", keystore.AccessKey{Status: keystore.Active, CreatedAt: now, LastCheck: valid}, false},
		{"active, untested", keystore.AccessKey{Status: keystore.Active, CreatedAt: now}, false},
		{"active, rejected", keystore.AccessKey{Status: keystore.Active, CreatedAt: now, LastCheck: &keystore.Check{At: now, Result: outcome.Rejected}}, true},
		{"active, undetermined", keystore.AccessKey{Status: keystore.Active, CreatedAt: now, LastCheck: &keystore.Check{At: now, Result: outcome.Undetermined}}, true},
		{"active, stale", keystore.AccessKey{Status: keystore.Active, CreatedAt: now.Add(-100 * 24 * time.Hour), LastCheck: valid}, true},
		{"active, valid, handed out twice", keystore.AccessKey{Status: keystore.Active, CreatedAt: now, LastCheck: valid, HandedOutTwice: true}, true},
		{"active, valid, exposed", keystore.AccessKey{Status: keystore.Active, CreatedAt: now, LastCheck: valid, Exposed: true}, true},
		{"inactive, handed out twice, retired", keystore.AccessKey{Status: keystore.Inactive, CreatedAt: now, HandedOutTwice: true,
			LastCheck: &keystore.Check{At: now, Result: outcome.Rejected, WhileInactive: true}}, false},
		{"inactive, still accepted", keystore.AccessKey{Status: keystore.Inactive, CreatedAt: now,
			LastCheck: &keystore.Check{At: now, Result: outcome.Valid, WhileInactive: true}}, true},
	}
	for _, c := range cases {
		if got := NeedsAttention(&c.key, now, 90*24*time.Hour); got != c.want {
			t.Errorf("%s: NeedsAttention = %v, want %v", c.name, got, c.want)
		}
	}
}
