package ui

import (
	"cmp"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/keystore"
)

// orgWithKeys is an unlocked App showing one organization with n keys, two per service user.
func orgWithKeys(b testing.TB, n int) *App {
	b.Helper()
	vault, store := newTestStore(b)
	err := store.Update(func(tx *keystore.Tx) error {
		if err := tx.AddOrg(keystore.NewOrg{ID: orgA, Name: "Big", APIURL: "https://api.m3ter.com"}); err != nil {
			return err
		}
		for i := range n {
			user := fmt.Sprintf("user-%05d", i/2)
			if i%2 == 0 {
				if err := tx.AddUser(orgA, user); err != nil {
					return err
				}
			}
			id := fmt.Sprintf("AK-%06d", i)
			if err := tx.AddKey(orgA, user, keystore.NewKey{AccessKeyID: id, Secret: secret(b, testSecret), CreatedAt: testNow.AddDate(0, 0, -i%200)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	h := newHarness(b, Deps{Vault: fixedVault{vault, store}, Checker: &fakeChecker{}, Passphrase: passphrase})
	h.press("enter")
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	if !on[*orgScreen](h) || !strings.Contains(h.view(), "AK-000000") {
		b.Fatalf("not on the organization:\n%s", h.view())
	}
	return h.app
}

// benchmarkOrgView draws an organization of n keys. Both sizes fill the screen, so they draw
// the same number of rows: a smaller organization would draw fewer and look cheaper. It
// fails unless the view holds every row on screen.
func benchmarkOrgView(b *testing.B, n int) {
	app := orgWithKeys(b, n)
	s := app.stack.top().(*orgScreen)
	from, to := s.list.visible()
	if to-from != s.list.page || to-from < 20 {
		b.Fatalf("%d keys show rows %d to %d of a page of %d: not a full screen", n, from, to, s.list.page)
	}
	b.ResetTimer()
	var v string
	for b.Loop() {
		v = app.View()
	}
	for _, l := range s.lines[from:to] {
		if want := cmp.Or(l.keyID, l.userName); !strings.Contains(v, want) {
			b.Fatalf("the view lacks the row of %s:\n%s", want, v)
		}
	}
}

// BenchmarkOrgView20 is the smallest organization that fills the screen (30 rows, 23 shown).
func BenchmarkOrgView20(b *testing.B)    { benchmarkOrgView(b, 20) }
func BenchmarkOrgView10000(b *testing.B) { benchmarkOrgView(b, 10000) }

// benchmarkCheckResults is the cost of one live result during a `T` run over n keys,
// from the check's command to the screen's state: the fake checker answers at once,
// so what is measured is recording, saving and refreshing. Runs restart when they end,
// so the end-of-run save is counted too (run with -benchtime 20000x to count one at 10,000).
// Debounced saves during a run are timer-driven, at most one per flushEvery, and not counted.
func benchmarkCheckResults(b *testing.B, n int, onOrgs bool) {
	app := orgWithKeys(b, n)
	if onOrgs {
		app.Update(keyMsg("esc"))
	}
	var queue []tea.Cmd
	update := func(msg tea.Msg) {
		_, cmd := app.Update(msg)
		queue = append(queue, cmd)
	}
	b.ResetTimer()
	for b.Loop() {
		for took := false; !took; {
			if len(queue) == 0 {
				update(keyMsg("T"))
				continue
			}
			cmd := queue[0]
			queue = queue[1:]
			if cmd == nil {
				continue
			}
			switch msg := cmd().(type) {
			case nil:
			case tea.BatchMsg:
				queue = append(queue, msg...)
			case checkDoneMsg:
				update(msg)
				took = true
			default:
				update(msg)
			}
		}
	}
}

func BenchmarkCheckResult100(b *testing.B)       { benchmarkCheckResults(b, 100, false) }
func BenchmarkCheckResult10000(b *testing.B)     { benchmarkCheckResults(b, 10000, false) }
func BenchmarkCheckResultOrgs10000(b *testing.B) { benchmarkCheckResults(b, 10000, true) }
