package demo

import (
	"context"
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
