package keystore

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/outcome"
	"github.com/m3keys/m3keys/internal/validate"
)

func TestAPIURLIsStoredCanonical(t *testing.T) {
	d := &Document{Version: CurrentVersion}
	tx := d.Edit(t0)
	if err := tx.AddOrg(NewOrg{ID: orgA, APIURL: "HTTP://LOCALHOST:8080/"}); err != nil {
		t.Fatal(err)
	}
	if got := d.Organizations[0].APIURL; got != "http://localhost:8080" {
		t.Fatalf("stored %q, want http://localhost:8080", got)
	}
	if err := tx.EnsureOrg(NewOrg{ID: orgA, APIURL: "http://localhost:8080"}); err != nil {
		t.Fatalf("the same URL spelled canonically: %v", err)
	}
	if err := tx.EditOrg(NewOrg{ID: orgA, APIURL: "https://API.Dev.M3ter.com:443/"}); err != nil || d.Organizations[0].APIURL != "https://api.dev.m3ter.com" {
		t.Fatalf("EditOrg: %v, stored %q", err, d.Organizations[0].APIURL)
	}
	for _, bad := range []string{"https://api.m3ter.com:99999", "https://api.m3ter.com:0", "http://localhost:-1", "https://api.m3ter.com:x1", "https://h\xff.com", "https://user:hunter2@api.m3ter.com:99999"} {
		err := tx.EditOrg(NewOrg{ID: orgA, APIURL: bad})
		var v *ValidationError
		if !errors.As(err, &v) || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "99999") {
			t.Errorf("EditOrg(%q) = %v, want a validation error that does not repeat the URL", bad, err)
		}
	}
}

func TestOldUpperCaseHostIsCanonicalOnLoad(t *testing.T) {
	d, err := DecodeDocument([]byte(`{"version":2,"organizations":[{"id":"` + orgA + `","apiUrl":"http://LOCALHOST:9000/","serviceUsers":[]}],"secrets":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Organizations[0].APIURL; got != "http://localhost:9000" {
		t.Fatalf("loaded %q, want http://localhost:9000", got)
	}
}

func TestInvalidUTF8IsRefusedEverywhere(t *testing.T) {
	d := docWithUser(t)
	if err := addKey(t, d, "k1"); err != nil {
		t.Fatal(err)
	}
	tx := d.Edit(t0)
	changes := map[string]func() error{
		"user \\xff":     func() error { return tx.AddUser(orgA, "svc\xff") },
		"user \\xfe":     func() error { return tx.AddUser(orgA, "svc\xfe") },
		"org name":       func() error { return tx.AddOrg(NewOrg{ID: orgB, Name: "Acme\xff", APIURL: validate.DefaultAPIURL}) },
		"user ID":        func() error { return tx.SetUserID(orgA, "ci", "id\xff") },
		"check message":  func() error { return tx.RecordCheck("k1", Check{At: t0, Result: "valid", Message: "ok\xfe"}) },
		"check result":   func() error { return tx.RecordCheck("k1", Check{At: t0, Result: "valid\xff"}) },
		"history detail": func() error { return tx.Record("rotation.done", orgA, "ci", "k1", "x\xff") },
		"history action": func() error { return tx.Record("rot\xffation", orgA, "ci", "k1", "") },
		"rotation key":   func() error { return tx.SetRotation(orgA, "ci", &Rotation{Step: 1, NewKeyID: "k\xff"}) },
		"created year 1": func() error {
			return tx.AddKey(orgA, "ci", NewKey{AccessKeyID: "k9", Secret: mustSecret(t, secret), CreatedAt: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)})
		},
		"check at year -10": func() error {
			return tx.RecordCheck("k1", Check{At: time.Date(-10, 1, 1, 0, 0, 0, 0, time.UTC), Result: "valid"})
		},
	}
	for name, change := range changes {
		var v *ValidationError
		if err := change(); !errors.As(err, &v) {
			t.Errorf("%s: got %v, want a validation error", name, err)
		}
	}
	if _, err := encodeAndDecode(d); err != nil {
		t.Fatalf("document no longer loads: %v", err)
	}
	// The rollback of a failed hand-out must not fail over its reason's bytes.
	if err := tx.UnmarkSecretCopied("k1", "xclip said \xff"); err != nil {
		t.Fatal(err)
	}
	if _, err := encodeAndDecode(d); err != nil {
		t.Fatalf("document no longer loads: %v", err)
	}
}

func encodeAndDecode(d *Document) (*Document, error) {
	enc, err := encodeDocument(d)
	if err != nil {
		return nil, err
	}
	return DecodeDocument(enc)
}

// pieces are the strings a Tx program draws from: fine ones, and each kind of trouble.
var pieces = []string{
	"ci", "svc", "svc\xff", "svc\xfe", "Ünïcödé", "a b", " lead", "\x00", "\u202e", "\ufffd", strings.Repeat("x", 101),
	"k1", "k2", "K1", "k 3", "", orgA, orgB, strings.ToUpper(orgA), "not-a-uuid",
	"https://api.m3ter.com", "HTTP://LOCALHOST:8080/", "https://api.m3ter.com:99999", "http://127.0.0.1:1", "https://h\xff.com",
	"valid", "rejected", "msg\n\"quoted\"\\", "<&>", "\xed\xa0\x80", secret, "s\xffecret",
}

// runTxProgram applies the changes a program describes, each on a copy as Store.Update
// does, and checks after every accepted change that the document saves and loads back equal.
func runTxProgram(t *testing.T, prog []byte) {
	d := &Document{Version: CurrentVersion}
	now := t0
	next := func() int {
		if len(prog) == 0 {
			return 0
		}
		b := prog[0]
		prog = prog[1:]
		return int(b)
	}
	str := func() string { return pieces[next()%len(pieces)] }
	for len(prog) > 0 {
		c := d.Clone()
		now = now.Add(time.Duration(next()) * time.Minute)
		tx := c.Edit(now)
		var err error
		switch next() % 22 {
		case 0:
			err = tx.AddOrg(NewOrg{ID: str(), Name: str(), APIURL: str()})
		case 1:
			err = tx.EditOrg(NewOrg{ID: str(), Name: str(), APIURL: str()})
		case 2:
			err = tx.AddUser(str(), str())
		case 3:
			s, serr := NewSecret(str())
			if serr != nil {
				continue
			}
			err = tx.AddKey(str(), str(), NewKey{AccessKeyID: str(), Secret: s, Status: Status([]string{"", "ACTIVE", "INACTIVE", "x"}[next()%4]),
				CreatedAt: now.Add(-time.Duration(next()) * 24 * time.Hour)})
		case 4:
			err = tx.SetStatus(str(), []Status{Active, Inactive}[next()%2], next()%2 == 0)
		case 5:
			err = tx.RemoveKey(str())
		case 6:
			err = tx.MarkSecretCopied(str())
		case 7:
			err = tx.UnmarkSecretCopied(str(), str())
		case 8:
			err = tx.RecordCheck(str(), Check{At: now.Local(), Result: outcome.Class(str()), Verified: next()%2 == 0, HTTPStatus: next(), LatencyMs: int64(next()), Message: str()})
		case 9:
			err = tx.SetUserID(str(), str(), str())
		case 10:
			err = tx.SetRotation(str(), str(), &Rotation{Step: RotationStep(next()), OldKeyID: str(), NewKeyID: str(), StartedAt: now.In(time.FixedZone("X", 3600))})
		case 11:
			err = tx.Record(str(), str(), str(), str(), str())
		case 12:
			err = tx.SetDeployedTo(str(), str())
		case 13:
			err = tx.MarkExposed([]string{str(), str()}, str())
		case 14:
			err = tx.SawServiceUser(str(), str())
		case 15:
			err = tx.StartRotation(str(), str(), str(), next()%2 == 0)
		case 16:
			err = tx.RotationFreeSlot(str(), str(), next()%2 == 0)
		case 17:
			s, _ := NewSecret(str())
			err = tx.RotationAddNewKey(str(), str(), str(), s, str())
		case 18:
			err = tx.RotationProved(str(), str())
		case 19:
			err = []func(string, string) error{tx.RotationDeployed, tx.RotationRetireOld, tx.FinishRotation, tx.CancelRotation, tx.RotationInactivateFree, tx.RotationDropWrongKey}[next()%6](str(), str())
		case 20:
			err = tx.RotationRemoveOld(str(), str(), next()%2 == 0)
		case 21:
			s, serr := NewSecret(str())
			if serr != nil {
				continue
			}
			err = tx.AddKey(str(), str(), NewKey{AccessKeyID: str(), Secret: s, DeployedTo: str()})
		}
		if err != nil {
			continue
		}
		d = c
		back, err := encodeAndDecode(d)
		if err != nil {
			t.Fatalf("an accepted change left a document that does not load: %v", err)
		}
		if !reflect.DeepEqual(back, d) {
			t.Fatalf("document changed in the save/load round trip")
		}
	}
}

func TestAnyAcceptedChangesRoundTrip(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 30
	}
	for seed := range uint64(n) {
		r := rand.New(rand.NewPCG(seed, 7))
		prog := make([]byte, 400)
		for i := range prog {
			prog[i] = byte(r.UintN(256))
		}
		runTxProgram(t, prog)
	}
}

func FuzzTxProgram(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 21, 2, 0, 0, 2})
	f.Add([]byte{0, 0, 16, 1, 21, 0, 2, 16, 2, 0, 2, 16, 3})
	f.Fuzz(func(t *testing.T, prog []byte) { runTxProgram(t, prog) })
}
