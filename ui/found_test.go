package ui

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/internal/livecheck"
	"github.com/m3keys/m3keys/keystore"
)

// Bugs found by using the app in tmux, each pinned by the test that failed before its fix.

// withStore is a harness past unlocking on a store filled by fill.
func withStore(t *testing.T, fill func(tx *keystore.Tx) error) *harness {
	t.Helper()
	vault, store := newTestStore(t)
	if err := store.Update(fill); err != nil {
		t.Fatal(err)
	}
	return newHarness(t, Deps{Vault: fixedVault{vault, store}, Checker: &fakeChecker{}, Passphrase: passphrase})
}

// longIDs is an organization with a 100-character name and a user whose two keys
// differ only at the end of long Access Key IDs, as m3ter's do.
func longIDs(t *testing.T) *harness {
	long := strings.Repeat("L", 100)
	return withStore(t, func(tx *keystore.Tx) error {
		return joinErrs(
			tx.AddOrg(keystore.NewOrg{ID: orgA, Name: long, APIURL: "https://api.m3ter.com"}),
			tx.AddUser(orgA, "billing-sync"),
			tx.AddKey(orgA, "billing-sync", keystore.NewKey{AccessKeyID: "AK-PRODUCTION-BILLING-SYNC-2026A", Secret: secret(t, testSecret)}),
			tx.AddKey(orgA, "billing-sync", keystore.NewKey{AccessKeyID: "AK-PRODUCTION-BILLING-SYNC-2025B", Secret: secret(t, testSecret)}),
			tx.AddUser(orgA, "long"),
			tx.AddKey(orgA, "long", keystore.NewKey{AccessKeyID: "AK-" + strings.Repeat("X", 97), Secret: secret(t, testSecret)}),
		)
	})
}

func joinErrs(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func lastLine(v string) string {
	lines := strings.Split(v, "\n")
	return lines[len(lines)-1]
}

// The help line lost "? help" and showed half a binding ("T tes…") when the
// bindings did not fit: bubbles adds an item anyway when its ellipsis does not fit.
func TestHelpLineEndsInHelpWithWholeBindings(t *testing.T) {
	h, _ := unlocked(t)
	for _, w := range []int{60, 61, 62, 63, 64, 70, 75} {
		h.send(tea.WindowSizeMsg{Width: w, Height: 15})
		line := lastLine(h.view())
		if !strings.HasSuffix(line, "? help") {
			t.Errorf("at %d columns the help line does not end in ? help: %q", w, line)
		}
		if lipgloss.Width(line) > w {
			t.Errorf("at %d columns the help line is %d wide", w, lipgloss.Width(line))
		}
		if strings.Contains(line, "T tes") && !strings.Contains(line, "T test all ACTIVE") {
			t.Errorf("at %d columns the help line cuts a binding: %q", w, line)
		}
	}
}

// Refusals told TUI users to run CLI commands or pass --force.
func TestRefusalsSayWhatToPressNotWhatToType(t *testing.T) {
	h, _ := unlocked(t)
	h.openOrg("Acme production")
	h.selectRow("AK-BILLING-NEW")
	h.press("d")
	h.wantView("press s")
	h.wantNotView("m3keys inactivate", "KEY_ID")

	h.selectRow("AK-REPORTS")
	h.press("s", "y")
	h.wantView("Really make AK-REPORTS INACTIVE", "press y")
	h.wantNotView("--force")

	vault, _ := newTestStore(t)
	h = newHarness(t, Deps{Vault: vault})
	h.typeText("wrong")
	h.press("enter")
	h.wantView("incorrect passphrase")
	h.wantNotView("$M3KEYS_PASSPHRASE")
}

// At 60 columns two keys of one user showed as the same "AK-PRODUCTION-BI…".
func TestKeyIDsStayDistinctWhenNarrow(t *testing.T) {
	h := longIDs(t)
	h.press("enter")
	h.send(tea.WindowSizeMsg{Width: 60, Height: 15})
	h.wantView("2026A", "2025B")
}

// With a long organization name the header dropped the test progress.
func TestHeaderKeepsProgressWithLongNames(t *testing.T) {
	h := longIDs(t)
	h.press("enter")
	for _, w := range []int{60, 100} {
		h.send(tea.WindowSizeMsg{Width: w, Height: 15})
		h.app.c.startChecks(testKeysMsg{keyIDs: h.app.c.keysToTest(livecheck.Selection{OrgID: orgA})}, ticket{})
		if head := strings.Split(h.view(), "\n")[0]; !strings.Contains(head, "testing 0/3") {
			t.Errorf("at %d columns the header has no progress: %q", w, head)
		}
	}
}

// A 100-character key ID filled the two detail lines, so its check result never showed.
func TestLongKeyIDLeavesRoomForItsResult(t *testing.T) {
	h := longIDs(t)
	h.press("enter")
	h.selectRow("AK-" + strings.Repeat("X", 97))
	h.wantView("never tested — press t to test it")
	h.press("t")
	h.wantView("valid — token works for the organization")
}

// At 200 columns the Access Key ID column took all the spare room, pushing
// the status 100 columns away from the ID it belongs to.
func TestWideTerminalKeepsKeyRowsTogether(t *testing.T) {
	h, _ := unlocked(t)
	h.openOrg("Acme production")
	h.send(tea.WindowSizeMsg{Width: 200, Height: 30})
	for _, l := range strings.Split(h.view(), "\n") {
		if i := strings.Index(l, "AK-BILLING-OLD"); i >= 0 {
			if j := strings.Index(l, " ACTIVE "); j-i > 45 {
				t.Errorf("status is %d columns after the key ID:\n%s", j-i, l)
			}
		}
	}
}

// Random keys, pastes and sizes on the sample store: no panic, and from 60×15 up
// exactly the terminal's lines, none wider than it.
func TestRandomUseNeverPanicsOrOverflows(t *testing.T) {
	keys := []string{"up", "down", "j", "k", "enter", "esc", "q", "?", "/", "n", "e", "a", "t", "T", "s", "d", "h", "y", "pgup", "pgdown", "home", "end", "g", "G", "tab", "shift+tab", "x", "backspace", "3"}
	sizes := [][2]int{{60, 15}, {61, 16}, {200, 50}, {80, 24}, {30, 8}, {1, 1}, {0, 0}}
	for seed := int64(0); seed < 40; seed++ {
		r := rand.New(rand.NewSource(seed))
		h, _ := unlocked(t)
		var log []string
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("seed %d panic %v after %v", seed, p, log)
				}
			}()
			for i := 0; i < 200; i++ {
				if r.Intn(15) == 0 {
					s := sizes[r.Intn(len(sizes))]
					log = append(log, fmt.Sprintf("size %dx%d", s[0], s[1]))
					h.send(tea.WindowSizeMsg{Width: s[0], Height: s[1]})
					continue
				}
				if r.Intn(10) == 0 {
					txt := []string{"3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5c", strings.Repeat("W", 100), "AK-" + strings.Repeat("Z", 97), "a\nb", "billing-sync", "https://api.m3ter.com"}[r.Intn(6)]
					log = append(log, "type:"+txt[:3])
					h.typeText(txt)
					continue
				}
				k := keys[r.Intn(len(keys))]
				if k == "q" && r.Intn(4) != 0 {
					continue
				}
				log = append(log, k)
				h.press(k)
				if h.quit {
					return
				}
				v := h.view()
				w := h.app.width
				lines := strings.Split(v, "\n")
				if w >= 60 && h.app.height >= 15 {
					if len(lines) != h.app.height {
						t.Fatalf("seed %d: %d lines, want %d after %v\n%s", seed, len(lines), h.app.height, log, v)
					}
					for _, l := range lines {
						if lipgloss.Width(l) > w {
							t.Fatalf("seed %d: line wider than %d after %v:\n%s", seed, w, log, v)
						}
					}
				}
			}
		}()
	}
}

// A new organization was saved but the cursor stayed where it was; counts said "1 organizations".
func TestNewOrganizationIsSelected(t *testing.T) {
	h := withStore(t, func(tx *keystore.Tx) error {
		return tx.AddOrg(keystore.NewOrg{ID: orgA, Name: "Acme", APIURL: "https://api.m3ter.com"})
	})
	h.wantView("1 organization · 0 access keys")
	h.press("n")
	h.typeText("00000000-1111-4222-8333-444444444444")
	h.press("enter")
	h.typeText("Zeta")
	h.press("enter", "enter")
	if r := h.orgs().selected(); r == nil || r.name != "Zeta" {
		t.Fatalf("the new organization is not selected: %+v\n%s", r, h.view())
	}
	h.wantView("2 organizations")
	h.press("enter")
	h.wantView("0 users · 0/0 keys ACTIVE")
}

// Creating a store said "Unlocking…".
func TestCreatingSaysCreating(t *testing.T) {
	h := newHarness(t, Deps{Vault: NewVault(t.TempDir() + "/s")})
	h.unlock().busy = true
	h.wantView("Creating…")
}

// At 60 columns the HEALTH of an organization under test read "⠋ tes…".
func TestHealthWhileTestingFitsNarrow(t *testing.T) {
	h, _ := unlocked(t)
	h.send(tea.WindowSizeMsg{Width: 60, Height: 15})
	h.app.c.startChecks(testKeysMsg{keyIDs: h.app.c.keysToTest(livecheck.Selection{OrgID: orgA})}, ticket{})
	h.wantNotView("tes…")
}
