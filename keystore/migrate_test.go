package keystore

import (
	"fmt"
	"testing"
)

func TestVersion1ChecksLoadAsVerified(t *testing.T) {
	v1 := fmt.Sprintf(`{"version":1,"organizations":[{"id":"%s","apiUrl":"https://api.m3ter.com","serviceUsers":[{"name":"ci","keys":[`+
		`{"accessKeyId":"k1","status":"ACTIVE","createdAt":"2026-01-01T00:00:00Z","lastCheck":{"at":"2026-01-02T00:00:00Z","result":"valid","httpStatus":200,"latencyMs":184,"message":"ok"}},`+
		`{"accessKeyId":"k2","status":"ACTIVE","createdAt":"2026-01-01T00:00:00Z"}]}]}],"history":[],"secrets":{"k1":"a","k2":"b"}}`, orgA)
	d, err := DecodeDocument([]byte(v1))
	if err != nil {
		t.Fatalf("DecodeDocument(v1): %v", err)
	}
	ref, _ := d.Key("k1")
	if c := ref.Key.LastCheck; c == nil || !c.Verified || c.LatencyMs != 184 || c.Result != "valid" {
		t.Fatalf("k1 check after migration = %+v, want verified valid 184ms", c)
	}
	if ref, _ := d.Key("k2"); ref.Key.LastCheck != nil {
		t.Fatalf("k2 gained a check: %+v", ref.Key.LastCheck)
	}
	if ref.Key.Secret.Reveal() != "a" {
		t.Fatal("secret lost in migration")
	}
}

func TestVersion2TokenOnlyCheckStaysUnverified(t *testing.T) {
	d := docWithUser(t)
	if err := addKey(t, d, "k1"); err != nil {
		t.Fatal(err)
	}
	if err := d.Edit(t0).RecordCheck("k1", Check{At: t0, Result: "valid", Verified: false}); err != nil {
		t.Fatal(err)
	}
	enc, err := encodeDocument(d)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeDocument(enc)
	if err != nil {
		t.Fatal(err)
	}
	if ref, _ := back.Key("k1"); ref.Key.LastCheck == nil || ref.Key.LastCheck.Verified {
		t.Fatalf("token-only check came back as %+v, want unverified", ref.Key.LastCheck)
	}
}
