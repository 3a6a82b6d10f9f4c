package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/internal/timefmt"
	"github.com/m3keys/m3keys/keystore"
)

// The rotation wizard's drawing: pure, from the stored rotation and what the screen holds.

func (s *rotateScreen) view() string {
	st := s.c.styles
	w := s.w
	u := s.serviceUser()
	r := s.rotation()
	var lines []string
	title := func(t string) { lines = append(lines, st.BoxTitle.Render(textcut.End(t, w))) }
	switch {
	case s.finished != nil:
		title("Rotated " + clean(s.user) + "'s key")
		lines = append(lines, s.progress(keystore.StepDone+1, s.finished), "")
		lines = append(lines, s.summary(s.finished, s.doneAt)...)
		lines = append(lines, "", s.para("Recorded in history (h on the organization). Press enter to close."))
	case u == nil:
		title("Rotate " + clean(s.user))
		lines = append(lines, s.para("This service user is gone (removed from another terminal?). Press esc to go back."))
	case s.heldForm(r):
		title("Rotate " + clean(s.user) + "'s key · step 2/6: new key · not stored")
		lines = append(lines, st.FieldError.Render(s.wrap(s.movedOn(r))), "", s.form.view(st))
	case r == nil:
		title("Rotate " + clean(s.user) + "'s key")
		if s.refusal != "" {
			lines = append(lines, st.FieldError.Render(s.wrap(s.refusal)))
		}
		lines = append(lines, s.intro()...)
	default:
		title(fmt.Sprintf("Rotate %s's key · step %d/6: %s", clean(s.user), r.Step, r.Step))
		lines = append(lines, s.progress(r.Step, r), "")
		if s.refusal != "" && r.Step != keystore.StepNewKey {
			lines = append(lines, st.FieldError.Render(s.wrap(s.refusal)), "")
		}
		lines = append(lines, s.stepBody(r)...)
	}
	return fitLines(strings.Join(lines, "\n"), w, s.h)
}

// movedOn says why the key typed here was not stored: another terminal moved the rotation on.
func (s *rotateScreen) movedOn(r *keystore.Rotation) string {
	where := "the rotation was cancelled or finished in another terminal"
	if r != nil {
		where = fmt.Sprintf("another terminal moved the rotation on to step %d (%s)", r.Step, r.Step)
		if r.NewKeyID != "" {
			where += " with " + shortID(r.NewKeyID)
		}
	}
	return where + " — the key typed here was not stored; it stays in this form: compare it with the other terminal's, and press esc to discard it"
}

func (s *rotateScreen) wrap(text string) string {
	return lipgloss.NewStyle().Width(max(1, s.w)).Render(text)
}

func (s *rotateScreen) para(text string) string { return s.c.styles.Dim.Render(s.wrap(text)) }

// progress is "✓ free · ✓ new · ▸ prove · deploy · retire · done"; a skipped step is "–".
func (s *rotateScreen) progress(at keystore.RotationStep, r *keystore.Rotation) string {
	short := []string{"free", "new", "prove", "deploy", "retire", "done"}
	var parts []string
	for i, name := range short {
		step := keystore.RotationStep(i + 1)
		switch {
		case step == keystore.StepFreeSlot && r.FreeKeyID == "":
			parts = append(parts, "– "+name)
		case step < at:
			parts = append(parts, "✓ "+name)
		case step == at:
			parts = append(parts, "▸ "+name)
		default:
			parts = append(parts, name)
		}
	}
	return s.c.styles.Dim.Render(textcut.End(strings.Join(parts, " · "), s.w))
}

// intro is the plan: which key is replaced and which freed, with their notes and checks, the
// steps and the two Console visits; or why it cannot start.
func (s *rotateScreen) intro() []string {
	st := s.c.styles
	p := s.plan
	if p.Replace == "" {
		if s.planErr != nil {
			return []string{"", st.FieldError.Render(s.wrap(plain(s.planErr)))}
		}
		return nil
	}
	lines := []string{s.para("The integration is never locked out. esc leaves at any step; r resumes."), ""}
	lines = append(lines, s.keyLine("Replace", p.Replace))
	if p.Free != "" {
		lines = append(lines, s.keyLine("Free", p.Free), s.para(s.choiceWhy()))
	}
	if s.planErr != nil {
		lines = append(lines, "", st.FieldError.Render(s.wrap(plain(s.planErr))))
	}
	old, free := shortID(p.Replace), shortID(p.Free)
	steps := []string{"1 Free a slot: not needed, " + clean(s.user) + " holds one key",
		"2 New key: generate it (Console visit 1), paste it here", "3 Prove it: a live test",
		"4 Deploy it: hand the secret out once", "5 Retire " + old + " (Console visit 2: inactivate and delete it)",
		"6 Done: recorded in history"}
	if p.Free != "" {
		steps[0] = "1 Free a slot: remove " + free + " (Console visit 1: delete it)"
	}
	lines = append(lines, "")
	for _, l := range steps {
		lines = append(lines, textcut.End("  "+l, s.w))
	}
	lines = append(lines, s.para("Each Console visit is proven live: m3ter rejects the key deleted, accepts the new one."))
	if s.planErr == nil {
		lines = append(lines, "", s.para("Press enter to start."))
	}
	return lines
}

// keyLine is one key of the plan: its role, ID, status and last check, then where it is deployed.
func (s *rotateScreen) keyLine(role, id string) string {
	k := s.key(id)
	head := fmt.Sprintf("  %-8s %s", role, shortID(id))
	if k == nil {
		return textcut.End(head+" (gone)", s.w)
	}
	note := lipgloss.NewStyle().PaddingLeft(11).Width(max(12, s.w)).Render(noteWords(k))
	return textcut.End(head+" · "+string(k.Status)+" · "+lastcheck.Text(lastcheck.ForKey(k), s.c.now()), s.w) + "\n" + note
}

func noteWords(k *keystore.AccessKey) string {
	if k.DeployedTo == "" {
		return "no deployed-to note"
	}
	return "deployed to " + clean(k.DeployedTo)
}

// choiceWhy says why the plan frees the key it frees, and how to change it.
func (s *rotateScreen) choiceWhy() string {
	p := s.plan
	f, old := s.key(p.Free), s.key(p.Replace)
	switch {
	case f == nil || old == nil:
		return ""
	case p.Fixed && f.Status == keystore.Inactive:
		return shortID(p.Free) + " is INACTIVE: it is the one freed."
	case p.Fixed:
		return shortID(p.Free) + " works for another m3ter service user: it is the one freed."
	case errors.Is(s.planErr, keystore.ErrFreesDeployed):
		return "s swaps: replace " + shortID(p.Free) + " instead."
	case f.DeployedTo == "" && old.DeployedTo == "":
		return "No key notes where it is deployed (e adds one): make sure " + shortID(p.Replace) + " is the one in use; s swaps."
	}
	return "s swaps: replace " + shortID(p.Free) + " instead."
}

// whyFree says why this key is the one removed for room.
func (s *rotateScreen) whyFree(r *keystore.Rotation) string {
	f := s.key(r.FreeKeyID)
	switch {
	case f == nil:
		return "gone already"
	case f.Status == keystore.Inactive && f.InactivatedAt.Before(r.StartedAt):
		return "it is INACTIVE"
	}
	return noteWords(f)
}

func (s *rotateScreen) stepBody(r *keystore.Rotation) []string {
	st := s.c.styles
	user := clean(s.user)
	switch r.Step {
	case keystore.StepFreeSlot:
		if s.key(r.OldKeyID) == nil {
			return s.missing("key to replace", r.OldKeyID)
		}
		f := s.key(r.FreeKeyID)
		if f == nil {
			return s.missing("key to free", r.FreeKeyID)
		}
		id := shortID(r.FreeKeyID)
		lines := []string{s.wrap(user + " holds two keys, m3ter's limit. To make room, " + id + " goes (" + s.whyFree(r) + "); " +
			shortID(r.OldKeyID) + " keeps working until the new key is deployed."), "",
			s.para(visit(1) + " — " + consolePath + user + ": delete " + id + " (inactivate, then delete), then Generate Access Key and keep its popup open for step 2."), ""}
		return append(lines, s.retireState(f)...)
	case keystore.StepNewKey:
		lines := []string{s.para(visit(1) + " — " + consolePath + user + " › Generate Access Key. Paste what the popup shows:"), ""}
		return append(lines, s.form.view(st))
	case keystore.StepProve:
		return s.proveBody(r)
	case keystore.StepDeploy:
		return s.deployBody(r)
	case keystore.StepRetire:
		return s.retireBody(r)
	}
	return append(s.summary(r, time.Time{}), "", s.para("Press enter to record the rotation in history."))
}

func (s *rotateScreen) missing(role, id string) []string {
	return []string{s.c.styles.FieldError.Render(s.wrap("The " + role + " " + shortID(id) + " is no longer stored under " + clean(s.user) +
		" (removed from another terminal?) — " + hintFor(keystore.ErrRotationStale) + " (d)"))}
}

func (s *rotateScreen) proveBody(r *keystore.Rotation) []string {
	st := s.c.styles
	k := s.key(r.NewKeyID)
	if k == nil {
		return s.missing("new key", r.NewKeyID)
	}
	who := "its m3ter service user"
	if u := s.serviceUser(); u != nil && u.ID != "" {
		who = "m3ter service user " + clean(u.ID)
	}
	id := shortID(k.AccessKeyID)
	lines := []string{s.wrap("Test " + id + " live: m3ter must answer valid, and users/me must name " + who + "."), ""}
	c := k.LastCheck
	switch {
	case s.testing == k.AccessKeyID:
		return append(lines, st.Warn.Render(s.c.spinner()+" testing "+id+"…"))
	case c == nil || c.At.Before(r.AddedAt):
		return append(lines, s.para("Not tested yet: press t."))
	case s.wrongUser(r):
		return append(lines, st.Bad.Render(s.wrap("Stop: users/me names m3ter service user "+clean(c.WrongServiceUser)+": "+id+
			" was generated for another service user. Press enter to remove it here (delete it in the m3ter Console too) and go back to step 2 with the slot free; "+
			shortID(r.OldKeyID)+" stays as it is.")))
	}
	line := "Last test: " + checkWords(lastcheck.ForKey(k)) + " · " + lastcheck.Ago(c.At, s.c.now())
	if s.provable(r) {
		return append(lines, st.Good.Render(s.wrap(line)), "", s.para("Press enter to accept it."))
	}
	return append(lines, st.Bad.Render(s.wrap(line)), "", s.para("Check the pasted ID and secret; press t to test again."))
}

func (s *rotateScreen) deployBody(r *keystore.Rotation) []string {
	st := s.c.styles
	k := s.key(r.NewKeyID)
	if k == nil {
		return s.missing("new key", r.NewKeyID)
	}
	id := shortID(k.AccessKeyID)
	var lines []string
	switch {
	case k.SecretCopied():
		lines = append(lines, st.Dim.Render(s.wrap("The secret of "+id+" was handed out on "+timefmt.Minute(k.SecretCopiedAt)+".")))
	case s.c.deps.Clipboard != nil:
		lines = append(lines, s.wrap("Hand the secret of "+id+" out once: press c to copy it, or run m3keys secret "+clean(k.AccessKeyID)+" | …"))
	default:
		lines = append(lines, s.wrap("Hand the secret of "+id+" out once: m3keys secret "+clean(k.AccessKeyID)+" | …"))
	}
	note := s.offeredNote()
	oldWhere := "no note — update the integration wherever it reads " + shortID(r.OldKeyID)
	if note != "" {
		oldWhere = clean(note)
	}
	newWhere := clean(k.DeployedTo) + " (e edits)"
	switch {
	case k.DeployedTo == "" && note != "":
		newWhere = "no note yet — takes \"" + clean(note) + "\" when you press enter (e edits)"
	case k.DeployedTo == "":
		newWhere = "no note — e adds where the integration reads it"
	}
	lines = append(lines, "",
		s.wrap("Old key "+shortID(r.OldKeyID)+" is deployed to: "+oldWhere),
		s.wrap("New key "+id+" deployed to: "+newWhere), "",
		s.para("Update the integration to the new key and restart it; press enter once it runs on "+id+"."))
	return lines
}

func (s *rotateScreen) retireBody(r *keystore.Rotation) []string {
	old := s.key(r.OldKeyID)
	if old == nil {
		return s.missing("old key", r.OldKeyID)
	}
	id := shortID(old.AccessKeyID)
	lines := []string{s.wrap("The integration runs on " + shortID(r.NewKeyID) + ". Retire " + id + ". " + visit(2) + " — " + consolePath + clean(s.user) +
		": inactivate " + id + " and delete it."), ""}
	return append(lines, s.retireState(old)...)
}

// retireState is where taking a key out of use stands (steps 1 and 5): what to press, the live
// proof that m3ter rejects it, and the second confirmation to remove it without that proof.
func (s *rotateScreen) retireState(k *keystore.AccessKey) []string {
	st := s.c.styles
	id := shortID(k.AccessKeyID)
	if k.Status == keystore.Active {
		return []string{s.wrap("Press enter to make " + id + " INACTIVE here, then test it (t): m3ter must reject it.")}
	}
	lines := []string{s.wrap(id + " is INACTIVE here. Test it (t): m3ter must reject it once the Console no longer has it ACTIVE.")}
	c := lastcheck.ForKey(k)
	switch {
	case s.testing == k.AccessKeyID:
		lines = append(lines, st.Warn.Render(s.c.spinner()+" testing "+id+"…"))
	case k.Retired():
		return append(lines, st.Good.Render(s.wrap("✓ m3ter rejects "+id+" ("+lastcheck.Ago(c.At, s.c.now())+"): it is dead. Press enter to remove it here.")))
	case k.StillAccepted():
		lines = append(lines, st.Warn.Render(s.wrap("! m3ter still accepts "+id+" ("+lastcheck.Ago(c.At, s.c.now())+"): the Console still has it ACTIVE, and its secret still works. Inactivate and delete it there, then press t again.")))
	case c != nil && c.WhileInactive && !c.At.Before(k.InactivatedAt):
		lines = append(lines, st.Warn.Render(s.wrap("m3ter could not tell: "+checkWords(c)+". Press t again.")))
	default:
		lines = append(lines, s.para("Not tested since it was made INACTIVE: press t."))
	}
	if s.anyway {
		lines = append(lines, "", st.FieldError.Render(s.wrap("Remove "+id+" without m3ter's rejection? Press enter again to confirm (2nd of 2), t to test again.")))
	}
	return lines
}

// summary is both keys and when each step finished.
func (s *rotateScreen) summary(r *keystore.Rotation, doneAt time.Time) []string {
	lines := []string{textcut.End("Replaced "+shortID(r.OldKeyID)+" with "+shortID(r.NewKeyID), s.w)}
	if r.FreeKeyID != "" {
		lines = append(lines, textcut.End("Removed "+shortID(r.FreeKeyID)+" for room", s.w))
	}
	var when []string
	for _, t := range []struct {
		what string
		at   time.Time
	}{{"started", r.StartedAt}, {"slot freed", r.FreedAt}, {"added", r.AddedAt}, {"proved", r.ProvedAt},
		{"deployed", r.DeployedAt}, {"retired", r.RetiredAt}, {"removed", r.RemovedAt}, {"done", doneAt}} {
		if !t.at.IsZero() {
			when = append(when, fmt.Sprintf("  %-10s %s", t.what, timefmt.Minute(t.at)))
		}
	}
	return append(lines, when...)
}
