package lastcheck

import (
	"slices"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient"
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

func TestRecord(t *testing.T) {
	d, tx := docWithKey(t)
	r := authclient.Result{Class: authclient.Valid, Verified: true, HTTPStatus: 200, TokenLatency: 40 * time.Millisecond, ServiceUserID: "su-1", Message: "ok\x1b[2J"}
	if err := Record(tx, "k1", r, now); err != nil {
		t.Fatal(err)
	}
	ref, _ := d.Key("k1")
	if c := ref.Key.LastCheck; c == nil || c.Result != "valid" || !c.Verified || c.LatencyMs != 40 || c.Message != "ok" || ref.User.ID != "su-1" {
		t.Fatalf("recorded %+v, user id %q", ref.Key.LastCheck, ref.User.ID)
	}
	if err := Record(tx, "gone", r, now); err != nil {
		t.Errorf("a removed key must be skipped, got %v", err)
	}
}

// TestRecordTokenOnly: a token-only check is weaker evidence than a full one.
// It never turns a verified result into valid, but a rejected key is dead
// whatever users/me said before.
func TestRecordTokenOnly(t *testing.T) {
	full := func(c authclient.Class, status int) authclient.Result {
		return authclient.Result{Class: c, Verified: true, HTTPStatus: status, ServiceUserID: "su-1"}
	}
	tokenOnly := func(c authclient.Class, status int) authclient.Result {
		return authclient.Result{Class: c, HTTPStatus: status}
	}
	tests := []struct {
		name         string
		first, then  authclient.Result
		wantResult   outcome.Class
		wantVerified bool
		wantAt       time.Time
	}{
		{"token-only valid keeps a verified forbidden", full(authclient.Forbidden, 403), tokenOnly(authclient.Valid, 200), "forbidden", true, now},
		{"token-only valid keeps a verified valid", full(authclient.Valid, 200), tokenOnly(authclient.Valid, 200), "valid", true, now},
		{"token-only valid keeps a verified undetermined", full(authclient.Undetermined, 500), tokenOnly(authclient.Valid, 200), "undetermined", true, now},
		{"token-only rejected replaces a verified valid", full(authclient.Valid, 200), tokenOnly(authclient.Rejected, 401), "rejected", false, later},
		{"token-only wrong org replaces a verified valid", full(authclient.Valid, 200), tokenOnly(authclient.Forbidden, 200), "forbidden", false, later},
		// A rejected key never reached users/me, whatever check found it.
		{"token-only valid replaces a rejected", tokenOnly(authclient.Rejected, 401), tokenOnly(authclient.Valid, 200), "valid", false, later},
		{"full valid replaces a verified forbidden", full(authclient.Forbidden, 403), full(authclient.Valid, 200), "valid", true, later},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, tx := docWithKey(t)
			if err := Record(tx, "k1", tt.first, now); err != nil {
				t.Fatal(err)
			}
			if err := Record(tx, "k1", tt.then, later); err != nil {
				t.Fatal(err)
			}
			ref, _ := d.Key("k1")
			c := ref.Key.LastCheck
			if c.Result != tt.wantResult || c.Verified != tt.wantVerified || !c.At.Equal(tt.wantAt) {
				t.Errorf("stored %s verified=%v at %s, want %s verified=%v at %s",
					c.Result, c.Verified, c.At.Format(time.RFC3339), tt.wantResult, tt.wantVerified, tt.wantAt.Format(time.RFC3339))
			}
		})
	}
}

var later = now.Add(time.Hour)

func docWithKey(t *testing.T) (*keystore.Document, *keystore.Tx) {
	t.Helper()
	const org = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	d := &keystore.Document{Version: keystore.CurrentVersion}
	tx := d.Edit(now)
	secret, err := keystore.NewSecret("s")
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.AddOrg(keystore.NewOrg{ID: org, APIURL: "https://api.m3ter.com"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.AddUser(org, "ci"); err != nil {
		t.Fatal(err)
	}
	if err := tx.AddKey(org, "ci", keystore.NewKey{AccessKeyID: "k1", Secret: secret}); err != nil {
		t.Fatal(err)
	}
	return d, tx
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

// TestRecordLearnsTheServiceUserOnceAndFlagsAnother: a key whose users/me names another m3ter
// service user is flagged; the learned ID stays.
func TestRecordLearnsTheServiceUserOnceAndFlagsAnother(t *testing.T) {
	d, tx := docWithKey(t)
	s, _ := keystore.NewSecret("s2")
	if err := tx.AddKey(d.Organizations[0].ID, "ci", keystore.NewKey{AccessKeyID: "k2", Secret: s}); err != nil {
		t.Fatal(err)
	}
	valid := func(id string) authclient.Result {
		return authclient.Result{Class: authclient.Valid, Verified: true, HTTPStatus: 200, ServiceUserID: id}
	}
	if err := Record(tx, "k1", valid("su-1"), now); err != nil {
		t.Fatal(err)
	}
	if err := Record(tx, "k2", valid("su-2"), now); err != nil {
		t.Fatal(err)
	}
	ref, _ := d.Key("k2")
	if ref.User.ID != "su-1" || ref.Key.LastCheck.WrongServiceUser != "su-2" || Label(ref.Key.LastCheck) != "! wrong service user?" {
		t.Fatalf("user id %q, check %+v", ref.User.ID, ref.Key.LastCheck)
	}
	if h := d.History[len(d.History)-1]; h.Action != "key.wrong-user" {
		t.Fatalf("not in history: %+v", h)
	}
}

// TestRecordOfAnInactiveKey: the stored check reads as retired or still accepted.
func TestRecordOfAnInactiveKey(t *testing.T) {
	d, tx := docWithKey(t)
	if err := tx.SetStatus("k1", keystore.Inactive, true); err != nil {
		t.Fatal(err)
	}
	if err := Record(tx, "k1", authclient.Result{Class: authclient.Valid, Verified: true, HTTPStatus: 200}, now); err != nil {
		t.Fatal(err)
	}
	ref, _ := d.Key("k1")
	if Text(ref.Key.LastCheck, now) != "! still accepted just now" || !ref.Key.LastCheck.Outcome().Failing() {
		t.Fatalf("still accepted reads %q", Text(ref.Key.LastCheck, now))
	}
	if err := Record(tx, "k1", authclient.Result{Class: authclient.Rejected, HTTPStatus: 401}, later); err != nil {
		t.Fatal(err)
	}
	ref, _ = d.Key("k1")
	if Text(ref.Key.LastCheck, later) != "✓ retired (rejected) just now" || ref.Key.LastCheck.Outcome().Failing() {
		t.Fatalf("retired reads %q", Text(ref.Key.LastCheck, later))
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
