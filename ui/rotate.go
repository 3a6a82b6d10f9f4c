package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/keystore"
)

// rotateScreen is the rotation wizard of one service user (r). Its step is the keystore's
// (ServiceUser.Rotation), so esc leaves without losing anything and r resumes, also after a
// restart; the screen keeps only what a step is in the middle of.
type rotateScreen struct {
	c           *common
	orgID, user string

	form    form   // step 2: the key the Console generated
	asked   ticket // the latest live test this screen asked for
	testing string // the key that test is of, until its result comes
	last    *checkRecord
	// anyway: enter was pressed once to remove the old key without m3ter's rejection (step 5).
	anyway  bool
	sent    rotateChange // the change in flight, for what follows its save
	refusal string       // why the last change was refused, and what to do

	plan      *keystore.Rotation // what starting would do (from a dry run), before a rotation exists
	planErr   error
	finishing keystore.Rotation
	finished  *keystore.Rotation // recorded by FinishRotation: the summary stays up
	doneAt    time.Time
	w, h      int
}

type rotateChange int

const (
	sentNone rotateChange = iota
	sentStart
	sentAdd
	sentProve
	sentFinish
	sentCancel
	sentOther
)

const consolePath = "Settings › Access › Service Users › "

func newRotateScreen(c *common, orgID, user string) *rotateScreen {
	s := &rotateScreen{c: c, orgID: orgID, user: user, form: newForm(
		newField("Access Key ID", "The Access Key ID the popup shows.", "", 128, "access key ID"),
		secretField("API Secret", "m3ter shows it once; it is stored encrypted and never shown here.", 600, "API secret"),
		newField("Organization ID", "Optional: the popup's Organization ID; it must be this organization's.", "", 64, "organization ID"),
	)}
	s.refresh()
	return s
}

// serviceUser is the user being rotated, nil when it is gone.
func (s *rotateScreen) serviceUser() *keystore.ServiceUser {
	o := s.c.org(s.orgID)
	if o == nil {
		return nil
	}
	u, _ := o.User(s.user)
	return u
}

func (s *rotateScreen) rotation() *keystore.Rotation {
	if u := s.serviceUser(); u != nil {
		return u.Rotation
	}
	return nil
}

func (s *rotateScreen) key(id string) *keystore.AccessKey {
	u := s.serviceUser()
	if u == nil || id == "" {
		return nil
	}
	for i := range u.Keys {
		if u.Keys[i].AccessKeyID == id {
			return &u.Keys[i]
		}
	}
	return nil
}

// refresh works out, before a rotation exists, what starting one would do: on a copy.
func (s *rotateScreen) refresh() {
	s.plan, s.planErr = nil, nil
	if s.c.doc == nil || s.rotation() != nil {
		return
	}
	d := s.c.doc.Clone()
	if s.planErr = d.Edit(s.c.now()).StartRotation(s.orgID, s.user); s.planErr != nil {
		return
	}
	if o, ok := d.Org(s.orgID); ok {
		if u, ok := o.User(s.user); ok {
			s.plan = u.Rotation
		}
	}
}

func (s *rotateScreen) about() string { return s.orgID }

func (s *rotateScreen) crumbs() []string {
	return []string{"Organizations", orgLabel(s.c.org(s.orgID)), "Rotate " + clean(s.user)}
}

func (s *rotateScreen) setSize(w, h int) {
	s.w, s.h = w, h
	s.form.resize(w)
}

func (s *rotateScreen) update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return s, s.act(msg)
	case checkDoneMsg:
		if msg.to.answers(s.asked) {
			s.tested(msg)
		}
	case savedMsg:
		s.saved(msg)
	case docChangedMsg:
		s.refresh()
	}
	return s, nil
}

func (s *rotateScreen) act(msg tea.KeyMsg) tea.Cmd {
	k := s.c.keys
	r := s.rotation()
	switch {
	case keyIs(msg, k.Back):
		s.c.pop()
		return nil
	case s.finished != nil || r == nil:
		if keyIs(msg, k.Open) {
			s.start()
		}
		return nil
	case r.Step == keystore.StepNewKey:
		submit, cmd := s.form.update(msg, k)
		if submit {
			s.addNewKey()
		}
		return cmd
	case keyIs(msg, k.Delete):
		s.askCancel()
	case keyIs(msg, k.Test):
		s.test(r)
	case keyIs(msg, k.Copy):
		if nk := s.key(r.NewKeyID); nk != nil {
			s.c.send(askHandOut(nk))
		}
	case keyIs(msg, k.Deployed):
		if nk := s.key(r.NewKeyID); nk != nil {
			s.c.push(newDeployedToScreen(s.c, s.orgID, nk))
		}
	case keyIs(msg, k.Open):
		s.next(r)
	}
	return nil
}

// start begins the rotation, or closes the summary of one just finished.
func (s *rotateScreen) start() {
	if s.finished != nil || s.rotation() != nil {
		s.c.pop()
		return
	}
	org, user := s.orgID, s.user
	s.change(sentStart, changeMsg{what: "start rotating " + clean(user), apply: func(tx *keystore.Tx) error {
		return tx.StartRotation(org, user)
	}})
}

// change sends a change of this wizard and remembers what it was, for its answer.
func (s *rotateScreen) change(what rotateChange, ch changeMsg) {
	s.sent, s.refusal = what, ""
	s.c.send(ch)
}

// ask has the root confirm a change first; the answer comes back here.
func (s *rotateScreen) ask(what rotateChange, question, detail string, ch changeMsg) {
	s.sent, s.refusal = what, ""
	s.c.send(askMsg{question: question, detail: detail, yes: ch})
}

// next is enter: what the current step does next.
func (s *rotateScreen) next(r *keystore.Rotation) {
	org, user := s.orgID, s.user
	switch r.Step {
	case keystore.StepFreeSlot:
		s.freeSlot(r)
	case keystore.StepProve:
		s.change(sentProve, changeMsg{what: "accept the test of " + shortID(r.NewKeyID), apply: func(tx *keystore.Tx) error {
			return tx.RotationProved(org, user)
		}})
	case keystore.StepDeploy:
		where := ""
		if old := s.key(r.OldKeyID); old != nil && old.DeployedTo != "" {
			where = " (" + clean(old.DeployedTo) + ")"
		}
		s.ask(sentOther, "Does the integration run on "+shortID(r.NewKeyID)+" now?",
			"Update it where "+shortID(r.OldKeyID)+" is deployed"+where+" and restart it first. Then "+shortID(r.OldKeyID)+" is retired.",
			changeMsg{what: "confirm " + shortID(r.NewKeyID) + " is deployed", done: shortID(r.NewKeyID) + " is deployed",
				apply: func(tx *keystore.Tx) error { return tx.RotationDeployed(org, user) }})
	case keystore.StepRetire:
		s.retire(r)
	case keystore.StepDone:
		s.finishing = *r
		s.change(sentFinish, changeMsg{what: "record the rotation of " + clean(user), apply: func(tx *keystore.Tx) error {
			return tx.FinishRotation(org, user)
		}})
	}
}

// freeSlot mirrors the Console's two steps for the key that makes room: inactivate, then delete.
func (s *rotateScreen) freeSlot(r *keystore.Rotation) {
	org, user, id := s.orgID, s.user, r.FreeKeyID
	console := "In the m3ter Console: " + consolePath + clean(user) + " › " + shortID(id)
	if k := s.key(id); k != nil && k.Status == keystore.Active {
		s.ask(sentOther, "Make "+shortID(id)+" INACTIVE?", console+": inactivate it too.",
			changeMsg{what: "make " + shortID(id) + " INACTIVE", done: shortID(id) + " is INACTIVE — inactivate it in the m3ter Console too",
				apply: func(tx *keystore.Tx) error { return tx.SetStatus(id, keystore.Inactive, false) }})
		return
	}
	s.ask(sentOther, "Remove "+shortID(id)+" from "+clean(user)+"?", console+": delete it too, to free the slot there. Its secret is gone for good.",
		changeMsg{what: "remove " + shortID(id), done: "removed " + shortID(id) + " — delete it in the m3ter Console too",
			apply: func(tx *keystore.Tx) error { return tx.RotationFreeSlot(org, user) }})
}

// retire makes the old key INACTIVE, then removes it once m3ter rejects it, or after two confirmations.
func (s *rotateScreen) retire(r *keystore.Rotation) {
	org, user, id := s.orgID, s.user, r.OldKeyID
	old := s.key(id)
	if old == nil {
		s.c.send(statusMsg{text: shortID(id) + " is gone", isErr: true})
		return
	}
	if old.Status == keystore.Active {
		s.ask(sentOther, "Make "+shortID(id)+" INACTIVE?", "Then inactivate it in the m3ter Console too ("+consolePath+clean(user)+"), and test it (t): m3ter must reject it.",
			changeMsg{what: "make " + shortID(id) + " INACTIVE", done: shortID(id) + " is INACTIVE — inactivate it in the m3ter Console, then press t",
				apply: func(tx *keystore.Tx) error { return tx.RotationRetireOld(org, user) }})
		return
	}
	last := s.last
	remove := func(twice bool) func(*keystore.Tx) error {
		return func(tx *keystore.Tx) error {
			if last != nil && last.keyID == id { // this screen's test, in case its save has not landed yet
				if err := lastcheck.Record(tx, id, last.result, last.at); err != nil {
					return err
				}
			}
			return tx.RotationRemoveOld(org, user, twice)
		}
	}
	done := "removed " + shortID(id) + " — delete it in the m3ter Console too"
	switch {
	case old.Retired():
		s.ask(sentOther, "Remove "+shortID(id)+"?", "m3ter rejects it. Delete it in the m3ter Console too, to free the slot there.",
			changeMsg{what: "remove " + shortID(id), done: done, apply: remove(false)})
	case !s.anyway:
		s.anyway = true // the first confirmation; the view says what the second is for
	default:
		s.anyway = false
		s.ask(sentOther, "Really remove "+shortID(id)+" without proof that m3ter rejects it?",
			"If it is still ACTIVE in the m3ter Console, anyone holding its secret can still use it, and m3keys no longer knows it.",
			changeMsg{what: "remove " + shortID(id), done: done, apply: remove(true)})
	}
}

func (s *rotateScreen) askCancel() {
	org, user := s.orgID, s.user
	s.ask(sentCancel, "Cancel the rotation of "+clean(user)+"?", "What was done stays done (keys added, made INACTIVE or removed); only the wizard's progress is cleared.",
		changeMsg{what: "cancel the rotation", done: "rotation of " + clean(user) + " cancelled; what was done stays",
			apply: func(tx *keystore.Tx) error { return tx.CancelRotation(org, user) }})
}

// test asks for a live test of the key this step is about.
func (s *rotateScreen) test(r *keystore.Rotation) {
	id := r.NewKeyID
	if r.Step == keystore.StepRetire {
		id = r.OldKeyID
	}
	if s.key(id) == nil {
		return
	}
	s.refusal, s.anyway = "", false
	s.testing = id
	s.asked = s.c.send(testKeysMsg{keyIDs: []string{id}})
}

// tested takes the result of this screen's test: the new key's proves it (the keystore judges).
func (s *rotateScreen) tested(msg checkDoneMsg) {
	s.testing = ""
	s.last = &checkRecord{keyID: msg.keyID, result: msg.result, at: s.c.now()}
	r := s.rotation()
	if r == nil || r.Step != keystore.StepProve || msg.keyID != r.NewKeyID {
		return
	}
	org, user, last := s.orgID, s.user, *s.last
	s.change(sentProve, changeMsg{what: "prove " + shortID(last.keyID), apply: func(tx *keystore.Tx) error {
		// the result may not be saved yet: the proof is the result this screen got
		if err := lastcheck.Record(tx, last.keyID, last.result, last.at); err != nil {
			return err
		}
		return tx.RotationProved(org, user)
	}})
}

func (s *rotateScreen) addNewKey() {
	keyID := s.form.value(fieldKeyID)
	if err := keystore.ValidateKeyID(keyID); err != nil {
		s.form.fail(err)
		return
	}
	secret, err := keystore.NewSecret(s.form.raw(fieldSecret))
	if err != nil {
		s.form.fail(err)
		return
	}
	org, user, popup := s.orgID, s.user, s.form.value(fieldPopupOrg)
	add := func(tx *keystore.Tx) error { return tx.RotationAddNewKey(org, user, keyID, secret, popup) }
	if err := s.c.dryRun(add); err != nil {
		s.form.fail(err)
		return
	}
	s.form.saving = true
	s.change(sentAdd, changeMsg{what: "add " + shortID(keyID) + " to " + clean(user), done: "added " + shortID(keyID) + " — testing it", apply: add})
}

// saved takes the answer to a change this screen (or a form over it) asked for.
func (s *rotateScreen) saved(msg savedMsg) {
	sent := s.sent
	s.sent = sentNone
	if msg.err != nil {
		if sent == sentAdd {
			s.form.fail(msg.err)
			return
		}
		s.refusal = plain(msg.err)
		return
	}
	s.refusal = ""
	switch sent {
	case sentAdd:
		s.form = newForm(s.form.fields...) // the secret does not stay in the form
		for i := range s.form.fields {
			s.form.clear(i)
		}
		s.form.resize(s.w)
		if r := s.rotation(); r != nil {
			s.test(r)
		}
	case sentFinish:
		s.finished, s.doneAt = &s.finishing, s.c.now()
		s.c.send(statusMsg{text: "rotation of " + clean(s.user) + " done — recorded in history (h)"})
		return
	case sentCancel:
		s.c.send(popMsg{saved: &msg})
		return
	}
	if msg.change.done != "" {
		s.c.report(msg)
	}
}

func (s *rotateScreen) enableKeys(k *KeyMap) {
	r := s.rotation()
	if s.finished == nil && r != nil && r.Step == keystore.StepNewKey {
		s.form.enableKeys(k, "leave (r resumes)")
		describe(&k.Submit, "next")
		if s.form.focus == s.form.lastEditable() {
			describe(&k.Submit, "add key")
		}
		return
	}
	on := []*key.Binding{&k.Back, &k.Help, &k.Quit}
	describe(&k.Back, "leave (r resumes)")
	switch {
	case s.finished != nil:
		on = append(on, &k.Open)
		describe(&k.Open, "close")
		describe(&k.Back, "close")
	case r == nil:
		if s.planErr == nil {
			on = append(on, &k.Open)
			describe(&k.Open, "start")
		}
		describe(&k.Back, "back")
	default:
		on = append(on, &k.Delete)
		describe(&k.Delete, "cancel rotation")
		on = append(on, s.stepKeys(k, r)...)
	}
	k.only(on...)
}

// stepKeys are the keys that work at the rotation's step, described for it.
func (s *rotateScreen) stepKeys(k *KeyMap, r *keystore.Rotation) []*key.Binding {
	var on []*key.Binding
	enter := func(desc string) {
		on = append(on, &k.Open)
		describe(&k.Open, desc)
	}
	switch r.Step {
	case keystore.StepFreeSlot:
		if s.key(r.OldKeyID) == nil {
			break
		}
		if f := s.key(r.FreeKeyID); f != nil && f.Status == keystore.Active {
			enter("make " + shortID(r.FreeKeyID) + " INACTIVE")
		} else {
			enter("remove " + shortID(r.FreeKeyID))
		}
	case keystore.StepProve:
		if s.key(r.NewKeyID) != nil && s.testing == "" {
			on = append(on, &k.Test)
			describe(&k.Test, "test again")
			if s.provable(r) {
				enter("accept the test")
			}
		}
	case keystore.StepDeploy:
		if nk := s.key(r.NewKeyID); nk != nil {
			if s.c.deps.Clipboard != nil && !nk.SecretCopied() {
				on = append(on, &k.Copy)
				describe(&k.Copy, "copy secret (once)")
			}
			on = append(on, &k.Deployed)
			enter("it runs on the new key")
		}
	case keystore.StepRetire:
		old := s.key(r.OldKeyID)
		switch {
		case old == nil:
		case old.Status == keystore.Active:
			enter("make " + shortID(r.OldKeyID) + " INACTIVE")
		case old.Retired():
			enter("remove " + shortID(r.OldKeyID))
		case s.anyway:
			enter("remove anyway (2nd of 2)")
		default:
			enter("remove anyway")
		}
		if old != nil && old.Status == keystore.Inactive && s.testing == "" {
			on = append(on, &k.Test)
			describe(&k.Test, "test old key")
		}
	case keystore.StepDone:
		enter("finish")
	}
	return on
}

// provable says whether the new key's stored check would pass as proof.
func (s *rotateScreen) provable(r *keystore.Rotation) bool {
	k := s.key(r.NewKeyID)
	if k == nil || k.LastCheck == nil {
		return false
	}
	c := k.LastCheck
	return !c.At.Before(r.AddedAt) && c.Result == string(authclient.Valid) && c.Verified && c.WrongServiceUser == ""
}

// Drawing.

var stepNames = []string{"free a slot", "new key", "prove it", "deploy it", "retire the old key", "done"}

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
	case r == nil:
		title("Rotate " + clean(s.user) + "'s key")
		if s.refusal != "" {
			lines = append(lines, st.FieldError.Render(s.wrap(s.refusal)))
		}
		lines = append(lines, s.intro()...)
	default:
		title(fmt.Sprintf("Rotate %s's key · step %d/6: %s", clean(s.user), r.Step, stepName(r.Step)))
		lines = append(lines, s.progress(r.Step, r), "")
		if s.refusal != "" && r.Step != keystore.StepNewKey {
			lines = append(lines, st.FieldError.Render(s.wrap(s.refusal)), "")
		}
		lines = append(lines, s.stepBody(r)...)
	}
	return fitLines(strings.Join(lines, "\n"), w, s.h)
}

func stepName(step keystore.RotationStep) string {
	if step >= 1 && int(step) <= len(stepNames) {
		return stepNames[step-1]
	}
	return step.String()
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

// intro is what starting would do, or why it cannot start.
func (s *rotateScreen) intro() []string {
	if s.planErr != nil {
		return []string{"", s.c.styles.FieldError.Render(s.wrap(plain(s.planErr)))}
	}
	p := s.plan
	if p == nil {
		return nil
	}
	lines := []string{s.para("Six steps, and the integration is never locked out. esc leaves at any step; r resumes where you left."), ""}
	free := "1 Free a slot: not needed, " + clean(s.user) + " holds one key"
	if p.FreeKeyID != "" {
		free = "1 Free a slot: remove " + shortID(p.FreeKeyID) + " (" + s.whyFree(p) + ")"
	}
	for _, l := range []string{free, "2 New key: generate it in the m3ter Console, paste it here",
		"3 Prove it: a live test", "4 Deploy it: hand the secret out once",
		"5 Retire " + shortID(p.OldKeyID) + ": INACTIVE, rejected by m3ter, removed", "6 Done: recorded in history"} {
		lines = append(lines, textcut.End("  "+l, s.w))
	}
	return append(lines, "", s.para("Press enter to start."))
}

// whyFree says why this key is the one removed for room.
func (s *rotateScreen) whyFree(r *keystore.Rotation) string {
	f := s.key(r.FreeKeyID)
	switch {
	case f == nil:
		return "gone already"
	case f.Status == keystore.Inactive:
		return "it is INACTIVE"
	}
	return "the older, created " + f.CreatedAt.In(s.c.now().Location()).Format("2006-01-02")
}

func (s *rotateScreen) stepBody(r *keystore.Rotation) []string {
	st := s.c.styles
	user := clean(s.user)
	switch r.Step {
	case keystore.StepFreeSlot:
		id := shortID(r.FreeKeyID)
		f := s.key(r.FreeKeyID)
		if s.key(r.OldKeyID) == nil {
			return s.missing("key to replace", r.OldKeyID)
		}
		lines := []string{s.wrap(user + " holds two keys, m3ter's limit. To make room, " + id + " goes (" + s.whyFree(r) + "); " +
			shortID(r.OldKeyID) + " keeps working until the new key is deployed."), ""}
		console := s.para("In the m3ter Console: " + consolePath + user + " › " + id + ": inactivate it, then delete it. Mirror each here:")
		lines = append(lines, console)
		mark := func(done bool, text string) string {
			if done {
				return st.Good.Render(textcut.End("  ✓ "+text, s.w))
			}
			return textcut.End("  · "+text, s.w)
		}
		return append(lines, mark(f == nil || f.Status == keystore.Inactive, "INACTIVE here"), mark(f == nil, "removed here"))
	case keystore.StepNewKey:
		lines := []string{s.para("In the m3ter Console: " + consolePath + user + " › Generate Access Key. Paste what the popup shows:"), ""}
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
		" (removed from another terminal?) — " + keystore.Advice(keystore.ErrRotationStale) + " (d)"))}
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
	lines := []string{s.wrap("Test " + shortID(k.AccessKeyID) + " live: m3ter must answer valid, and users/me must name " + who + "."), ""}
	c := k.LastCheck
	switch {
	case s.testing == k.AccessKeyID:
		return append(lines, st.Warn.Render(s.c.spinner()+" testing "+shortID(k.AccessKeyID)+"…"))
	case c == nil || c.At.Before(r.AddedAt):
		return append(lines, s.para("Not tested yet: press t."))
	case lastcheck.WrongServiceUser(c):
		return append(lines, st.Bad.Render(s.wrap("Stop: users/me names m3ter service user "+clean(c.WrongServiceUser)+
			". The key was generated for the wrong service user: inactivate and delete it in the Console, cancel this rotation (d), and start again under "+clean(s.user)+".")))
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
		lines = append(lines, st.Dim.Render(s.wrap("The secret of "+id+" was handed out on "+k.SecretCopiedAt.In(s.c.now().Location()).Format("2006-01-02 15:04")+".")))
	case s.c.deps.Clipboard != nil:
		lines = append(lines, s.wrap("Hand the secret of "+id+" out once: press c to copy it, or run m3keys secret "+clean(k.AccessKeyID)+" | …"))
	default:
		lines = append(lines, s.wrap("Hand the secret of "+id+" out once: m3keys secret "+clean(k.AccessKeyID)+" | …"))
	}
	where := func(k *keystore.AccessKey) string {
		if k == nil {
			return "(gone)"
		}
		if k.DeployedTo == "" {
			return "no note"
		}
		return clean(k.DeployedTo)
	}
	lines = append(lines, "",
		textcut.End("Old key "+shortID(r.OldKeyID)+" is deployed to: "+where(s.key(r.OldKeyID)), s.w),
		textcut.End("New key "+id+" deployed to: "+where(k)+" (e to edit)", s.w), "",
		s.para("Update the integration to the new key and restart it; press enter once it runs on "+id+"."))
	return lines
}

func (s *rotateScreen) retireBody(r *keystore.Rotation) []string {
	st := s.c.styles
	old := s.key(r.OldKeyID)
	if old == nil {
		return s.missing("old key", r.OldKeyID)
	}
	id, user := shortID(old.AccessKeyID), clean(s.user)
	if old.Status == keystore.Active {
		return []string{s.wrap("The integration runs on " + shortID(r.NewKeyID) + ". Retire " + id + ": make it INACTIVE here (enter), " +
			"then inactivate it in the m3ter Console (" + consolePath + user + " › " + id + ").")}
	}
	lines := []string{s.wrap(id + " is INACTIVE here. Inactivate it in the m3ter Console too (" + consolePath + user + "), then test it (t): m3ter must reject it."), ""}
	c := lastcheck.ForKey(old)
	switch {
	case s.testing == old.AccessKeyID:
		lines = append(lines, st.Warn.Render(s.c.spinner()+" testing "+id+"…"))
	case old.Retired():
		return append(lines, st.Good.Render(s.wrap("✓ m3ter rejects "+id+" ("+lastcheck.Ago(c.At, s.c.now())+"): it is dead. Press enter to remove it here, then delete it in the Console.")))
	case old.StillAccepted():
		lines = append(lines, st.Warn.Render(s.wrap("! m3ter still accepts "+id+" ("+lastcheck.Ago(c.At, s.c.now())+"): it is not inactivated in the Console yet, and its secret still works. Inactivate it there, then press t again.")))
	case c != nil && c.WhileInactive && !c.At.Before(old.InactivatedAt):
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
	loc := s.c.now().Location()
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
			when = append(when, fmt.Sprintf("  %-10s %s", t.what, t.at.In(loc).Format("2006-01-02 15:04")))
		}
	}
	return append(lines, when...)
}
