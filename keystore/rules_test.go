package keystore

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/outcome"
	"github.com/m3keys/m3keys/internal/validate"
)

const (
	orgA   = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	orgB   = "11111111-2222-4333-8444-555555555555"
	secret = "s3cr3t-XYZZY-never-print"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func mustSecret(t *testing.T, s string) Secret {
	t.Helper()
	sec, err := NewSecret(s)
	if err != nil {
		t.Fatalf("NewSecret: %v", err)
	}
	return sec
}

// docWithUser returns a document holding orgA with service user "ci".
func docWithUser(t *testing.T) *Document {
	t.Helper()
	d := &Document{Version: CurrentVersion}
	tx := d.Edit(t0)
	if err := tx.AddOrg(NewOrg{ID: orgA, Name: "Acme", APIURL: "https://api.m3ter.com"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.AddUser(orgA, "ci"); err != nil {
		t.Fatal(err)
	}
	return d
}

func addKey(t *testing.T, d *Document, id string) error {
	t.Helper()
	return d.Edit(t0).AddKey(orgA, "ci", NewKey{AccessKeyID: id, Secret: mustSecret(t, secret)})
}

func TestKeyLimitIsTwoWhateverTheStatus(t *testing.T) {
	d := docWithUser(t)
	for _, id := range []string{"k1", "k2"} {
		if err := addKey(t, d, id); err != nil {
			t.Fatalf("add %s: %v", id, err)
		}
	}
	if err := d.Edit(t0).SetStatus("k1", Inactive, false); err != nil {
		t.Fatal(err)
	}
	err := addKey(t, d, "k3")
	if !errors.Is(err, ErrKeyLimit) {
		t.Fatalf("third key: got %v, want ErrKeyLimit", err)
	}
	if _, ok := d.Key("k3"); ok {
		t.Error("refused key was stored")
	}
}

func TestOnlyInactiveKeysCanBeRemoved(t *testing.T) {
	d := docWithUser(t)
	for _, id := range []string{"k1", "k2"} {
		if err := addKey(t, d, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Edit(t0).RemoveKey("k1"); !errors.Is(err, ErrKeyActive) {
		t.Fatalf("remove ACTIVE: got %v, want ErrKeyActive", err)
	}
	if err := d.Edit(t0).SetStatus("k1", Inactive, false); err != nil {
		t.Fatal(err)
	}
	if err := d.Edit(t0).RemoveKey("k1"); err != nil {
		t.Fatalf("remove INACTIVE: %v", err)
	}
	if _, ok := d.Key("k1"); ok {
		t.Error("key still there after remove")
	}
	if err := d.Edit(t0).RemoveKey("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove unknown: got %v", err)
	}
}

func TestLastActiveKeyNeedsForce(t *testing.T) {
	d := docWithUser(t)
	if err := addKey(t, d, "k1"); err != nil {
		t.Fatal(err)
	}
	if err := d.Edit(t0).SetStatus("k1", Inactive, false); !errors.Is(err, ErrLastActiveKey) {
		t.Fatalf("got %v, want ErrLastActiveKey", err)
	}
	ref, _ := d.Key("k1")
	if ref.Key.Status != Active {
		t.Fatal("status changed despite refusal")
	}
	if err := d.Edit(t0).SetStatus("k1", Inactive, true); err != nil {
		t.Fatalf("forced: %v", err)
	}
	if ref.Key.Status != Inactive || ref.Key.InactivatedAt.IsZero() {
		t.Errorf("after force: status %s inactivatedAt %v", ref.Key.Status, ref.Key.InactivatedAt)
	}
	if err := d.Edit(t0).SetStatus("k1", Active, false); err != nil || ref.Key.Status != Active || !ref.Key.InactivatedAt.IsZero() {
		t.Errorf("re-activate: err %v status %s", err, ref.Key.Status)
	}
}

func TestAccessKeyIDUniqueInWholeStore(t *testing.T) {
	d := docWithUser(t)
	tx := d.Edit(t0)
	if err := tx.AddOrg(NewOrg{ID: orgB, APIURL: "https://api.m3ter.com"}); err != nil {
		t.Fatal(err)
	}
	if err := tx.AddUser(orgB, "other"); err != nil {
		t.Fatal(err)
	}
	if err := addKey(t, d, "k1"); err != nil {
		t.Fatal(err)
	}
	err := tx.AddKey(orgB, "other", NewKey{AccessKeyID: "k1", Secret: mustSecret(t, secret)})
	if !errors.Is(err, ErrDuplicateKey) {
		t.Fatalf("got %v, want ErrDuplicateKey", err)
	}
}

func TestSecretCopiedOnce(t *testing.T) {
	d := docWithUser(t)
	if err := addKey(t, d, "k1"); err != nil {
		t.Fatal(err)
	}
	tx := d.Edit(t0)
	if err := tx.MarkSecretCopied("k1"); err != nil {
		t.Fatal(err)
	}
	err := tx.MarkSecretCopied("k1")
	if !errors.Is(err, ErrSecretAlreadyCopied) || !strings.Contains(err.Error(), "2026-11-26") {
		t.Fatalf("second copy: got %v", err)
	}
	if err := tx.UnmarkSecretCopied("k1", "no clipboard"); err != nil {
		t.Fatal(err)
	}
	if err := tx.MarkSecretCopied("k1"); err != nil {
		t.Fatalf("after rollback: %v", err)
	}
}

func TestValidation(t *testing.T) {
	long := strings.Repeat("x", 129)
	cases := []struct {
		name  string
		err   error
		field string
	}{
		{"org id not uuid", validate.OrgID("acme"), "organization ID"},
		{"name empty", validate.Name("service user", ""), "service user"},
		{"name too long", validate.Name("service user", strings.Repeat("n", 101)), "service user"},
		{"name control char", validate.Name("service user", "a\x1b[31m"), "service user"},
		{"name bidi", validate.Name("service user", "a\u202eb"), "service user"},
		{"key id space", validate.KeyID("a b"), "access key ID"},
		{"key id too long", validate.KeyID(long), "access key ID"},
		{"key id non-ascii", validate.KeyID("kéy"), "access key ID"},
		{"api url http remote", validate.APIURL("http://api.m3ter.com"), "API URL"},
		{"api url 127 lookalike", validate.APIURL("http://127.evil.com"), "API URL"},
		{"api url no scheme", validate.APIURL("api.m3ter.com"), "API URL"},
		{"api url with user", validate.APIURL("https://u:p@api.m3ter.com"), "API URL"},
	}
	for _, c := range cases {
		var v *ValidationError
		if !errors.As(c.err, &v) || v.Field != c.field {
			t.Errorf("%s: got %v, want a ValidationError on %s", c.name, c.err, c.field)
		}
	}
	for _, ok := range []error{
		validate.OrgID(orgA), validate.Name("service user", "CI bot (prod)"), validate.KeyID("AK-123_abc"),
		validate.APIURL("https://api.eu.m3ter.com"), validate.APIURL("http://127.0.0.1:8080"), validate.APIURL("http://localhost:1"),
	} {
		if ok != nil {
			t.Errorf("valid input refused: %v", ok)
		}
	}
}

func TestSecretInput(t *testing.T) {
	s, err := NewSecret("  abc123\n")
	if err != nil || s.Reveal() != "abc123" {
		t.Fatalf("trim: %v %q", err, s.Reveal())
	}
	for _, bad := range []string{"", "  \n", "has space", strings.Repeat("a", 513), "tab\there"} {
		if _, err := NewSecret(bad); err == nil {
			t.Errorf("NewSecret accepted bad input of length %d", len(bad))
		}
	}
	d := docWithUser(t)
	if err := d.Edit(t0).AddKey(orgA, "ci", NewKey{AccessKeyID: "k1"}); err == nil {
		t.Error("key without secret accepted")
	}
}

func TestOrgRules(t *testing.T) {
	d := docWithUser(t)
	tx := d.Edit(t0)
	if err := tx.AddOrg(NewOrg{ID: orgA, APIURL: "https://api.m3ter.com"}); !errors.Is(err, ErrDuplicateOrg) {
		t.Errorf("duplicate org: %v", err)
	}
	if err := tx.AddUser(orgA, "ci"); !errors.Is(err, ErrDuplicateUser) {
		t.Errorf("duplicate user: %v", err)
	}
	if err := addKey(t, d, "k1"); err != nil {
		t.Fatal(err)
	}
	if err := tx.RemoveOrg(orgA); !errors.Is(err, ErrOrgNotEmpty) {
		t.Errorf("remove non-empty org: %v", err)
	}
	if err := tx.EditOrg(NewOrg{ID: orgA, Name: "Acme EU", APIURL: "https://api.eu.m3ter.com"}); err != nil {
		t.Fatal(err)
	}
	if o, _ := d.Org(orgA); o.APIURL != "https://api.eu.m3ter.com" || o.Name != "Acme EU" {
		t.Errorf("edit not applied: %+v", o)
	}
	if err := tx.SetStatus("k1", Inactive, true); err != nil {
		t.Fatal(err)
	}
	if err := tx.RemoveKey("k1"); err != nil {
		t.Fatal(err)
	}
	if err := tx.RemoveOrg(orgA); err != nil {
		t.Fatalf("remove empty org: %v", err)
	}
	if len(d.Organizations) != 0 {
		t.Error("org still there")
	}
}

func TestHistoryKeepsLastThousandWithoutSecrets(t *testing.T) {
	d := docWithUser(t)
	if err := addKey(t, d, "k1"); err != nil {
		t.Fatal(err)
	}
	tx := d.Edit(t0)
	for i := 0; i < MaxHistory+50; i++ {
		tx.Record("test", orgA, "ci", "k1", "event")
	}
	if len(d.History) != MaxHistory {
		t.Fatalf("history has %d events, want %d", len(d.History), MaxHistory)
	}
	data, err := encodeDocument(d)
	if err != nil {
		t.Fatal(err)
	}
	// The secret is in the document exactly once: in the secrets map.
	if n := strings.Count(string(data), secret); n != 1 {
		t.Errorf("secret appears %d times in the encoded document, want 1", n)
	}
}

func TestStaleAndAge(t *testing.T) {
	k := AccessKey{CreatedAt: t0.Add(-91 * 24 * time.Hour)}
	if !k.Stale(t0, DefaultMaxAge) || k.AgeDays(t0) != 91 {
		t.Errorf("91-day key: stale=%v age=%d", k.Stale(t0, DefaultMaxAge), k.AgeDays(t0))
	}
	k.CreatedAt = t0.Add(-89 * 24 * time.Hour)
	if k.Stale(t0, DefaultMaxAge) {
		t.Error("89-day key flagged stale")
	}
}

func TestEnsureOrgRefusesANameOrAPIURLThatDiffers(t *testing.T) {
	d := docWithUser(t)
	tx := d.Edit(t0)
	for _, same := range []NewOrg{{ID: orgA}, {ID: orgA, Name: "Acme"}, {ID: orgA, Name: "Acme", APIURL: "https://api.m3ter.com"}} {
		if err := tx.EnsureOrg(same); err != nil {
			t.Errorf("EnsureOrg(%+v): %v", same, err)
		}
	}
	for _, other := range []NewOrg{{ID: orgA, APIURL: "https://api.eu.m3ter.com"}, {ID: orgA, Name: "Globex"}} {
		if err := tx.EnsureOrg(other); !errors.Is(err, ErrOrgMismatch) {
			t.Errorf("EnsureOrg(%+v): got %v, want ErrOrgMismatch", other, err)
		}
	}
	if o, _ := d.Org(orgA); o.Name != "Acme" || o.APIURL != "https://api.m3ter.com" {
		t.Errorf("organization changed: %+v", o)
	}
}

func TestCheckHistoryRecordsChangesOfOutcomeOnly(t *testing.T) {
	d := docWithUser(t)
	if err := addKey(t, d, "k1"); err != nil {
		t.Fatal(err)
	}
	tx := d.Edit(t0)
	count := func() int {
		n := 0
		for _, e := range d.History {
			if e.Action == "key.check" {
				n++
			}
		}
		return n
	}
	for _, result := range []string{"valid", "valid", "valid", "rejected", "rejected", "valid"} {
		if err := tx.RecordCheck("k1", Check{At: t0, Result: outcome.Class(result)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(); n != 3 {
		t.Errorf("%d check events, want 3 (valid, rejected, valid)", n)
	}
	if ref, _ := d.Key("k1"); ref.Key.LastCheck.Result != "valid" {
		t.Errorf("last check %q", ref.Key.LastCheck.Result)
	}
}

func TestFutureCreationDateRefused(t *testing.T) {
	d := docWithUser(t)
	err := d.Edit(t0).AddKey(orgA, "ci", NewKey{AccessKeyID: "k1", Secret: mustSecret(t, secret), CreatedAt: t0.Add(72 * time.Hour)})
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("got %v, want a validation error", err)
	}
}

// A full history must not be copied on every event: an import of n rows would copy it n times.
func TestHistoryAppendDoesNotCopyEveryEvent(t *testing.T) {
	d := &Document{Version: CurrentVersion}
	tx := d.Edit(t0)
	for range MaxHistory {
		tx.record("org.add", orgA, "", "", "")
	}
	allocs := testing.AllocsPerRun(20, func() {
		for range 100 {
			tx.record("key.check", orgA, "ci", "k1", "valid")
		}
	})
	if allocs > 5 {
		t.Errorf("%.0f allocations per 100 events on a full history, want a few", allocs)
	}
	if len(d.History) != MaxHistory || d.History[0].Action != "key.check" {
		t.Errorf("history holds %d events, oldest %q; want the last %d", len(d.History), d.History[0].Action, MaxHistory)
	}
}
