package team_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/handout"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// sinkTo records what a hand-out delivered, never showing it.
type sinkTo struct{ got string }

func (s *sinkTo) To() string { return "test sink" }

func (s *sinkTo) Deliver(secret string) error { s.got = secret; return nil }

func (m *member) desk(offline bool) handout.Desk {
	return handout.Desk{Store: m.store, Team: team.HandOut{Dir: m.dir, Offline: offline,
		Sync: team.SyncOptions{Unlock: unlock(m.dir), Known: m.store.Member()}, Timeout: 5 * time.Second}}
}

// handOut hands AK-1 out through m's desk; delivered says whether the sink got a secret.
func (m *member) handOut(offline bool) (g handout.Granted, delivered bool, err error) {
	out := &sinkTo{}
	g, err = m.desk(offline).HandOut("AK-1", out)
	if err != nil && strings.Contains(err.Error(), secretMark) {
		m.t.Fatalf("%s: a hand-out's error holds the secret", m.name)
	}
	if err == nil && out.got != secretMark+"-AK-1" {
		m.t.Fatalf("%s: a granted hand-out did not deliver the secret", m.name)
	}
	return g, out.got != "", err
}

// teamWithKey is alice and bob, both holding AK-1, in sync.
func teamWithKey(t *testing.T) (remote string, alice, bob *member) {
	remote, ms := newTeam(t, "bob")
	alice, bob = ms[0], ms[1]
	alice.addKey("billing", "AK-1")
	alice.mustSync()
	bob.mustSync()
	return remote, alice, bob
}

// cutOff makes the remote unreachable until the returned func puts it back.
func cutOff(t *testing.T, remote string) (restore func()) {
	aside := remote + ".away"
	if err := os.Rename(remote, aside); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.Rename(aside, remote); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHandOutRefusedWhenTheRemoteShowsItHandedOut(t *testing.T) {
	remote, alice, bob := teamWithKey(t)
	if _, _, err := alice.handOut(false); err != nil {
		t.Fatalf("alice: %v", err)
	}
	// Pushed at once: the remote holds alice's hand-out, though alice ran no sync.
	_, delivered, err := bob.handOut(false) // bob has not synced since
	var again *handout.AlreadyHandedOut
	if !errors.As(err, &again) || again.By != "alice" || again.At.IsZero() {
		t.Fatalf("bob, not synced, handing out what alice handed out: %v (delivered %v); want refused naming alice and when", err, delivered)
	}
	if delivered || !strings.Contains(err.Error(), "by alice") {
		t.Fatalf("bob's refusal %q, delivered %v", err, delivered)
	}
	k, _ := bob.key("AK-1")
	if len(k.HandOuts) != 1 || k.HandOuts[0].Member != "alice" || k.HandOuts[0].Unconfirmed {
		t.Fatalf("bob's store records hand-outs %+v, want alice's, confirmed", k.HandOuts)
	}
	noSecretInRemote(t, remote, "AK-1", "billing")
}

func TestHandOutWithTheRemoteUnreachable(t *testing.T) {
	remote, _, bob := teamWithKey(t)
	restore := cutOff(t, remote)
	_, delivered, err := bob.handOut(false)
	var unreachable *team.UnreachableError
	if !errors.As(err, &unreachable) || !errors.Is(err, team.ErrUnreachable) || delivered {
		t.Fatalf("unreachable remote: %v, delivered %v; want refused", err, delivered)
	}
	if k, _ := bob.key("AK-1"); k.SecretCopied() {
		t.Fatal("a refused hand-out left a mark")
	}
	g, delivered, err := bob.handOut(true)
	if err != nil || !delivered || !g.Unconfirmed {
		t.Fatalf("--offline: %+v, delivered %v, %v; want granted, unconfirmed", g, delivered, err)
	}
	if g.TeamErr == nil {
		t.Error("a hand-out made offline says it was pushed")
	}
	k, _ := bob.key("AK-1")
	if len(k.HandOuts) != 1 || !k.HandOuts[0].Unconfirmed || k.HandOuts[0].Member != "bob" {
		t.Fatalf("hand-outs %+v, want bob's, unconfirmed", k.HandOuts)
	}
	doc := bob.store.Document()
	if ev := doc.History[len(doc.History)-1]; ev.Action != "secret.copy" || ev.Member != "bob" || !strings.Contains(ev.Detail, "offline") {
		t.Fatalf("last history event %+v, want bob's offline hand-out", ev)
	}
	restore()
}

func TestTwoOfflineHandOutsMergeFlaggedTwice(t *testing.T) {
	remote, alice, bob := teamWithKey(t)
	restore := cutOff(t, remote)
	for _, m := range []*member{alice, bob} {
		if _, _, err := m.handOut(true); err != nil {
			t.Fatalf("%s offline: %v", m.name, err)
		}
	}
	restore()
	alice.mustSync()
	r := bob.mustSync()
	if !slices.Equal(r.HandedOutTwice, []string{"AK-1"}) || !strings.Contains(r.Summary(), "handed out twice — rotate: AK-1") {
		t.Fatalf("bob's sync %+v (%q), want it to warn AK-1 was handed out twice", r, r.Summary())
	}
	alice.mustSync()
	for _, m := range []*member{alice, bob} {
		k, _ := m.key("AK-1")
		var who []string
		for _, h := range k.HandOuts {
			who = append(who, h.Member)
		}
		slices.Sort(who)
		if !k.HandedOutTwice || !slices.Equal(who, []string{"alice", "bob"}) {
			t.Fatalf("%s: handedOutTwice %v, hand-outs by %q; want flagged, both kept", m.name, k.HandedOutTwice, who)
		}
	}
	noSecretInRemote(t, remote, "AK-1", "billing")
}

func TestUncommittedHandOutDeliversNothing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		breakIt func(t *testing.T, m *member)
		desk    func(m *member) handout.Desk
	}{
		{"leftover ref lock", func(t *testing.T, m *member) {
			// Another git holds the branch: a sync clears a dead one's lock, so the desk here has none.
			if err := os.WriteFile(filepath.Join(m.dir, team.GitDir, "refs", "heads", "main.lock"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, func(m *member) handout.Desk { return handout.Desk{Store: m.store} }},
		{"no author", func(t *testing.T, m *member) {
			git(t, m.dir, "config", "--unset", "user.name")
			git(t, m.dir, "config", "--unset", "user.email")
			git(t, m.dir, "config", "user.useConfigOnly", "true")
		}, func(m *member) handout.Desk { return m.desk(false) }},
		{"git missing", func(t *testing.T, m *member) {
			// With the team's hook a hand-out is refused before its mark (the sync needs git);
			// without it, the mark's own commit fails.
			t.Setenv("PATH", t.TempDir())
			if _, err := m.desk(false).HandOut("AK-1", &sinkTo{}); !errors.Is(err, team.ErrNoGit) {
				t.Fatalf("a team hand-out with git missing: %v, want refused for want of git", err)
			}
		}, func(m *member) handout.Desk { return handout.Desk{Store: m.store} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, bob := teamWithKey(t)
			tc.breakIt(t, bob)
			out := &sinkTo{}
			_, err := tc.desk(bob).HandOut("AK-1", out)
			var nc *handout.NotCommitted
			if !errors.As(err, &nc) || !nc.RolledBack() || !errors.Is(err, keystore.ErrNotCommitted) {
				t.Fatalf("a hand-out whose commit failed: %v; want NotCommitted, rolled back", err)
			}
			if out.got != "" {
				t.Fatal("a hand-out the team cannot see was delivered")
			}
			if k, _ := bob.key("AK-1"); k.SecretCopied() || len(k.HandOuts) != 0 {
				t.Fatalf("the mark stayed (%v, %+v): not delivered, yet burnt", k.SecretCopiedAt, k.HandOuts)
			}
			if strings.Contains(err.Error(), secretMark) {
				t.Fatal("the error holds the secret")
			}
		})
	}
}
