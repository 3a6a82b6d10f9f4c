package lastcheck

import (
	"slices"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/keystore"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func TestForms(t *testing.T) {
	cases := []struct {
		check *keystore.Check
		want  []string
	}{
		{nil, []string{"untested"}},
		{&keystore.Check{At: now.Add(-2 * time.Hour), Result: "valid", HTTPStatus: 200, LatencyMs: 184}, []string{"✓ valid 184ms 2h ago", "✓ valid 184ms", "✓ valid"}},
		{&keystore.Check{At: now.Add(-30 * time.Second), Result: "rejected", HTTPStatus: 401}, []string{"✗ rejected 401 just now", "✗ rejected 401", "✗ rejected"}},
		{&keystore.Check{At: now.Add(-72 * time.Hour), Result: "forbidden"}, []string{"! forbidden 3d ago", "! forbidden"}},
		{&keystore.Check{At: now.Add(-5 * time.Minute), Result: "undetermined"}, []string{"? undetermined 5m ago", "? undetermined"}},
		{&keystore.Check{At: now, Result: "\x1b[31mvalid"}, []string{"? valid just now", "? valid"}},
	}
	for _, c := range cases {
		if got := Forms(c.check, now); !slices.Equal(got, c.want) {
			t.Errorf("Forms(%+v) = %q, want %q", c.check, got, c.want)
		}
	}
}

func TestRecord(t *testing.T) {
	const org = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	d := &keystore.Document{Version: keystore.CurrentVersion}
	tx := d.Edit(now)
	secret, _ := keystore.NewSecret("s")
	if err := tx.AddOrg(keystore.NewOrg{ID: org, APIURL: "https://api.m3ter.com"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.AddUser(org, "ci"); err != nil {
		t.Fatal(err)
	}
	if err := tx.AddKey(org, "ci", keystore.NewKey{AccessKeyID: "k1", Secret: secret}); err != nil {
		t.Fatal(err)
	}
	r := authclient.Result{Class: authclient.Valid, HTTPStatus: 200, TokenLatency: 40 * time.Millisecond, ServiceUserID: "su-1", Message: "ok\x1b[2J"}
	if err := Record(tx, "k1", r, now); err != nil {
		t.Fatal(err)
	}
	ref, _ := d.Key("k1")
	if c := ref.Key.LastCheck; c == nil || c.Result != "valid" || c.LatencyMs != 40 || c.Message != "ok" || ref.User.ID != "su-1" {
		t.Fatalf("recorded %+v, user id %q", ref.Key.LastCheck, ref.User.ID)
	}
	if err := Record(tx, "gone", r, now); err != nil {
		t.Errorf("a removed key must be skipped, got %v", err)
	}
}
