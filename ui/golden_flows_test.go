package ui

import (
	"testing"

	"github.com/m3keys/m3keys/internal/merge"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// Goldens of the screens a flow reaches: the rotation's steps, a sync's conflicts and
// trust screens, and the deployed-to note, at 80×24 and 60×15.
func TestGoldenFlows(t *testing.T) {
	teamWith := func(answer syncAnswer) func(t *testing.T) *harness {
		return func(t *testing.T) *harness {
			h, _ := teamHarness(t, &fakeTeam{status: teamInSync, answers: []syncAnswer{answer}})
			return h
		}
	}
	change := &team.RecipientChange{
		Added:   []team.Changed{{Recipient: keystore.Recipient{Name: "carol", Key: "age1carolcarolcarol"}, Commit: "abc1234", Author: "bob", Date: "2026-11-25"}},
		Removed: []team.Changed{{Recipient: keystore.Recipient{Name: "dave", Key: "age1davedavedave"}}},
	}
	conflicts := []team.Conflict{
		{ID: "0a1b2c3d", Conflict: merge.Conflict{OrgID: orgA, User: "billing-sync", AccessKeyID: "AK-BILLING-NEW", Field: "deployedTo", Ours: "prod sync job", Theirs: "staging sync job"}},
		{ID: "4e5f6a7b", Conflict: merge.Conflict{OrgID: orgA, Field: "name", Ours: "Acme production", Theirs: "Acme prod"}},
	}
	acme := func(t *testing.T) *harness { h, _ := openAcme(t); return h }
	cases := []goldenCase{
		{"rotate_plan", after(acme, func(h *harness) {
			h.selectRow("AK-BILLING-NEW")
			h.press("r")
		})},
		{"rotate_step1", func(t *testing.T) *harness { h, _ := startRotation(t); return h }},
		{"rotate_step2", func(t *testing.T) *harness {
			h, store := startRotation(t)
			freeSlot(t, h, store)
			return h
		}},
		{"rotate_step4", func(t *testing.T) *harness {
			h, store := startRotation(t)
			freeSlot(t, h, store)
			addNewKey(t, h, orgA)
			return h
		}},
		{"conflicts", teamWith(syncAnswer{res: team.Result{Tries: 1, Conflicts: conflicts}, err: team.ErrConflicts})},
		{"trust", teamWith(syncAnswer{res: team.Result{Tries: 1, Pending: change}, err: team.ErrUntrusted})},
		{"deployedto", after(acme, func(h *harness) {
			h.selectRow("AK-BILLING-NEW")
			h.press("e")
			h.typeText("prod sync job")
		})},
	}
	runGoldens(t, cases)
}
