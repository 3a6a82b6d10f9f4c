package demo

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/keystore"
)

func TestMain(m *testing.M) {
	keystore.TestOnlySetWorkFactor(10)
	os.Exit(m.Run())
}

// TestDemoShowsEveryCase: two organizations, a user with two keys, a stale key,
// a key m3ter rejects, one without permission, a user without keys; then Close cleans up.
func TestDemoShowsEveryCase(t *testing.T) {
	now := time.Now()
	d, err := New(now)
	if err != nil {
		t.Fatal(err)
	}
	s, err := keystore.Open(d.Dir, Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	doc := s.Document()
	if len(doc.Organizations) != 2 {
		t.Errorf("%d organizations, want 2", len(doc.Organizations))
	}
	stale, full, empty := 0, 0, 0
	client := authclient.New(authclient.Options{})
	classes := map[authclient.Class]int{}
	for _, o := range doc.Organizations {
		for _, u := range o.ServiceUsers {
			switch len(u.Keys) {
			case 0:
				empty++
			case keystore.MaxKeysPerUser:
				full++
			}
			for _, k := range u.Keys {
				if k.Stale(now, keystore.DefaultMaxAge) {
					stale++
				}
				r := client.Check(context.Background(), authclient.Key{OrgID: o.ID, APIURL: o.APIURL, AccessKeyID: k.AccessKeyID, Secret: k.Secret.Reveal()}, true)
				classes[r.Class]++
			}
		}
	}
	if stale == 0 || full == 0 || empty == 0 {
		t.Errorf("stale keys %d, users with two keys %d, users without keys %d: want each ≥ 1", stale, full, empty)
	}
	for _, c := range []authclient.Class{authclient.Valid, authclient.Rejected, authclient.Forbidden} {
		if classes[c] == 0 {
			t.Errorf("no %s key in the demo: %v", c, classes)
		}
	}
	d.Close()
	if _, err := os.Stat(d.Dir); !os.IsNotExist(err) {
		t.Errorf("demo store left behind: %v", err)
	}
}

// TestDemoConsoleFollowsTheStore: in the demo, a key added in m3keys is one the Console
// generated, and a key made INACTIVE is inactivated there: the fake m3ter follows.
func TestDemoConsoleFollowsTheStore(t *testing.T) {
	d, err := New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st, err := keystore.Open(d.Dir, Passphrase, d.StoreOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	client := authclient.New(authclient.Options{})
	check := func(id, secret string) authclient.Result {
		return client.Check(context.Background(), authclient.Key{OrgID: acme, APIURL: d.APIURL, AccessKeyID: id, Secret: secret}, true)
	}
	if r := check("AK-ACME-SYNC-2027A", "any-new-secret"); r.Class != authclient.Rejected {
		t.Fatalf("a key never added is %s", r.Class)
	}
	sec, _ := keystore.NewSecret("any-new-secret")
	if err := st.Update(func(tx *keystore.Tx) error {
		return errors.Join(tx.SetStatus("AK-ACME-SYNC-2025B", keystore.Inactive, false), tx.RemoveKey("AK-ACME-SYNC-2025B"),
			tx.AddKey(acme, "billing-sync", keystore.NewKey{AccessKeyID: "AK-ACME-SYNC-2027A", Secret: sec}))
	}); err != nil {
		t.Fatal(err)
	}
	if r := check("AK-ACME-SYNC-2027A", "any-new-secret"); r.Class != authclient.Valid || r.ServiceUserID != "su-101" {
		t.Fatalf("the added key is %s for %q, want valid for billing-sync's su-101", r.Class, r.ServiceUserID)
	}
	if err := st.Update(func(tx *keystore.Tx) error { return tx.SetStatus("AK-ACME-SYNC-2026A", keystore.Inactive, false) }); err != nil {
		t.Fatal(err)
	}
	if r := check("AK-ACME-SYNC-2026A", "demo-secret-acme-sync-a"); r.Class != authclient.Rejected {
		t.Fatalf("a key made INACTIVE is %s, want rejected", r.Class)
	}
}
