package livecheck

import (
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/internal/outcome"
	"github.com/m3keys/m3keys/keystore"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// recordOne is Record of one result.
func recordOne(tx *keystore.Tx, keyID string, r authclient.Result, at time.Time) error {
	return Record(tx, Result{KeyID: keyID, Live: r, At: at})
}

func TestRecord(t *testing.T) {
	d, tx := docWithKey(t)
	r := authclient.Result{Class: authclient.Valid, Verified: true, HTTPStatus: 200, TokenLatency: 40 * time.Millisecond, ServiceUserID: "su-1", Message: "ok\x1b[2J"}
	if err := recordOne(tx, "k1", r, now); err != nil {
		t.Fatal(err)
	}
	ref, _ := d.Key("k1")
	if c := ref.Key.LastCheck; c == nil || c.Result != "valid" || !c.Verified || c.LatencyMs != 40 || c.Message != "ok" || ref.User.ID != "su-1" {
		t.Fatalf("recorded %+v, user id %q", ref.Key.LastCheck, ref.User.ID)
	}
	if err := recordOne(tx, "gone", r, now); err != nil {
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
			if err := recordOne(tx, "k1", tt.first, now); err != nil {
				t.Fatal(err)
			}
			if err := recordOne(tx, "k1", tt.then, later); err != nil {
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
	if err := recordOne(tx, "k1", valid("su-1"), now); err != nil {
		t.Fatal(err)
	}
	if err := recordOne(tx, "k2", valid("su-2"), now); err != nil {
		t.Fatal(err)
	}
	ref, _ := d.Key("k2")
	if ref.User.ID != "su-1" || ref.Key.LastCheck.WrongServiceUser != "su-2" || lastcheck.Label(ref.Key.LastCheck) != "! wrong service user?" {
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
	if err := recordOne(tx, "k1", authclient.Result{Class: authclient.Valid, Verified: true, HTTPStatus: 200}, now); err != nil {
		t.Fatal(err)
	}
	ref, _ := d.Key("k1")
	if lastcheck.Text(ref.Key.LastCheck, now) != "! still accepted just now" || !ref.Key.LastCheck.Outcome().Failing() {
		t.Fatalf("still accepted reads %q", lastcheck.Text(ref.Key.LastCheck, now))
	}
	if err := recordOne(tx, "k1", authclient.Result{Class: authclient.Rejected, HTTPStatus: 401}, later); err != nil {
		t.Fatal(err)
	}
	ref, _ = d.Key("k1")
	if lastcheck.Text(ref.Key.LastCheck, later) != "✓ retired (rejected) just now" || ref.Key.LastCheck.Outcome().Failing() {
		t.Fatalf("retired reads %q", lastcheck.Text(ref.Key.LastCheck, later))
	}
}
