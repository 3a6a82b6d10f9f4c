package handout

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

func TestMain(m *testing.M) {
	keystore.TestOnlySetWorkFactor(10)
	os.Exit(m.Run())
}

const (
	org    = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	secret = "SeCrEt-handout-never-shown-42"
)

func newStore(t *testing.T) *keystore.Store {
	t.Helper()
	s, err := keystore.Create(filepath.Join(t.TempDir(), "store"), "test passphrase")
	if err != nil {
		t.Fatal(err)
	}
	sec, err := keystore.NewSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *keystore.Tx) error {
		return errors.Join(tx.AddOrg(keystore.NewOrg{ID: org, APIURL: validate.DefaultAPIURL}), tx.AddUser(org, "ci"),
			tx.AddKey(org, "ci", keystore.NewKey{AccessKeyID: "AK-1", Secret: sec}))
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// sink records what happened, in order, with the other parts of a hand-out.
type sink struct {
	log   *[]string
	store *keystore.Store
	got   string
	err   error
}

func (s *sink) To() string { return "test sink" }

func (s *sink) Deliver(secret string) error {
	*s.log = append(*s.log, "deliver (marked: "+map[bool]string{true: "yes", false: "no"}[isMarked(s.store)]+")")
	s.got = secret
	return s.err
}

func isMarked(s *keystore.Store) bool {
	ref, _ := s.Document().Key("AK-1")
	return ref.Key.SecretCopied()
}

type team struct {
	log    *[]string
	refuse error
}

func (t team) BeforeMark(keyID string) (bool, error) {
	*t.log = append(*t.log, "before "+keyID)
	return false, t.refuse
}

func (t team) AfterDelivery(keyID string) error {
	*t.log = append(*t.log, "after "+keyID)
	return nil
}

func TestHandOutMarksThenDelivers(t *testing.T) {
	s := newStore(t)
	var log []string
	desk := Desk{Store: s, Team: team{log: &log}}
	out := &sink{log: &log, store: s}
	g, err := desk.HandOut("AK-1", out)
	if err != nil || g.KeyID != "AK-1" || g.Inactive {
		t.Fatalf("HandOut = %+v, %v", g, err)
	}
	if out.got != secret {
		t.Error("the sink did not get exactly the secret")
	}
	if want := []string{"before AK-1", "deliver (marked: yes)", "after AK-1"}; !slices.Equal(log, want) {
		t.Errorf("order %q, want %q", log, want)
	}

	log = nil
	again := &sink{log: &log, store: s}
	_, err = desk.HandOut("AK-1", again)
	var refused *AlreadyHandedOut
	if !errors.As(err, &refused) || !errors.Is(err, keystore.ErrSecretAlreadyCopied) || refused.At.IsZero() {
		t.Fatalf("second hand-out: %v; want AlreadyHandedOut with the date", err)
	}
	if want := []string{"before AK-1"}; !slices.Equal(log, want) || again.got != "" {
		t.Errorf("a refused hand-out went on: %q", log)
	}
	if _, err := desk.HandOut("AK-NONE", again); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("unknown key: %v", err)
	}
}

func TestTeamRefusalMarksNothing(t *testing.T) {
	s := newStore(t)
	var log []string
	out := &sink{log: &log, store: s}
	_, err := Desk{Store: s, Team: team{log: &log, refuse: errors.New("the remote shows it handed out")}}.HandOut("AK-1", out)
	if err == nil || isMarked(s) || out.got != "" {
		t.Fatalf("err %v, marked %v, delivered %v", err, isMarked(s), out.got != "")
	}
}

func TestFailedDeliveryRollsBack(t *testing.T) {
	s := newStore(t)
	var log []string
	out := &sink{log: &log, store: s, err: errors.New("exit status 1")}
	_, err := Desk{Store: s, Team: team{log: &log}}.HandOut("AK-1", out)
	var lost *Undelivered
	if !errors.As(err, &lost) || !lost.RolledBack() || lost.To != "test sink" {
		t.Fatalf("err %v; want Undelivered, rolled back", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatal("the error holds the secret")
	}
	if isMarked(s) {
		t.Fatal("the mark stayed")
	}
	if slices.Contains(log, "after AK-1") {
		t.Error("a failed delivery was pushed to the team")
	}
	doc := s.Document()
	if last := doc.History[len(doc.History)-1]; last.Action != "secret.copy-failed" || last.Detail != "test sink: exit status 1" {
		t.Errorf("last history event %+v", last)
	}
	if _, err := (Desk{Store: s}).HandOut("AK-1", &sink{log: &log, store: s}); err != nil {
		t.Errorf("after a rollback the next hand-out was refused: %v", err)
	}
}

type stopper struct{ stopped *bool }

func (s stopper) Stop() { *s.stopped = true }

func TestClipboardStartsItsClearerBeforeTheWrite(t *testing.T) {
	fake := &clipboard.Fake{}
	prev := &clipboard.Fake{}
	ph, _ := prev.Write("the last copy")
	var stopped bool
	var writesAtStart = -1
	sink := &Clipboard{CB: fake, Replace: clipboard.NewPending(prev, ph, testTime, 0),
		StartClearer: func(h clipboard.Hash) (clipboard.Stopper, error) {
			writesAtStart = fake.Writes()
			if h != clipboard.Sum(secret) {
				t.Error("the clearer was given another hash")
			}
			return stopper{&stopped}, nil
		}}
	if err := sink.Deliver(secret); err != nil {
		t.Fatal(err)
	}
	if writesAtStart != 0 || !fake.Holds(secret) || sink.Hash != clipboard.Sum(secret) || sink.Clearer == nil || stopped {
		t.Errorf("writes when the clearer started %d, holds %v, clearer running %v", writesAtStart, fake.Holds(secret), sink.Clearer != nil && !stopped)
	}
	if !prev.Empty() || !sink.Replaced {
		t.Error("the previous copy was not cleared first")
	}

	fake.FailWrites(errors.New("xclip: exit status 1"))
	failing := &Clipboard{CB: fake, StartClearer: func(clipboard.Hash) (clipboard.Stopper, error) { return stopper{&stopped}, nil }}
	if err := failing.Deliver(secret); err == nil || !stopped || failing.Clearer != nil {
		t.Errorf("failed write: err %v, clearer stopped %v", err, stopped)
	}
}

var testTime = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// uncommitted is a team store whose commits fail: every save lands on disk, then its commit
// fails, as keystore reports it (a leftover lock in team.git, git missing, no author).
type uncommitted struct{ *keystore.Store }

func (s uncommitted) Update(change func(*keystore.Tx) error) error {
	if err := s.Store.Update(change); err != nil {
		return err
	}
	return fmt.Errorf("the change is saved, but %w: git: cannot lock ref — m3keys sync commits it", keystore.ErrNotCommitted)
}

func TestUncommittedMarkDeliversNothingAndRollsBack(t *testing.T) {
	s := newStore(t)
	var log []string
	out := &sink{log: &log, store: s}
	_, err := Desk{Store: uncommitted{s}, Team: team{log: &log}}.HandOut("AK-1", out)
	var nc *NotCommitted
	if !errors.As(err, &nc) || !nc.RolledBack() {
		t.Fatalf("err %v; want NotCommitted, rolled back", err)
	}
	if out.got != "" || slices.Contains(log, "after AK-1") {
		t.Fatal("a hand-out that could not be committed was delivered")
	}
	if isMarked(s) {
		t.Fatal("the mark stayed: the secret is burnt although nothing was delivered")
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatal("the error holds the secret")
	}
	if _, err := (Desk{Store: s}).HandOut("AK-1", &sink{log: &log, store: s}); err != nil {
		t.Errorf("after the rollback the next hand-out was refused: %v", err)
	}
}
