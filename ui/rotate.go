package ui

import (
	"errors"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/internal/livecheck"
	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

// rotateScreen is the rotation wizard of one service user (r). Its step is the keystore's
// (ServiceUser.Rotation), so esc leaves without losing anything and r resumes, also after a
// restart; the screen keeps only what a step is in the middle of.
type rotateScreen struct {
	c           *common
	orgID, user string
	// choice is the key to replace as selected: the key row r was pressed on, or the other key
	// after s on the plan; "" for the service user's header. keystore.ChooseRotation has the rules.
	choice string

	form    form   // step 2: the key the Console generated
	asked   int    // the number of the latest live test this screen asked for (testKeysMsg.req)
	testing string // the key that test is of, until its result comes
	last    *livecheck.Result
	// anyway: enter was pressed once to remove a key without m3ter's rejection (steps 1 and 5).
	anyway  bool
	sent    rotateChange // the change in flight, for what follows its save
	refusal string       // why the last change was refused, and what to do

	plan      keystore.RotationChoice // what starting would do, before a rotation exists
	planErr   error                   // why starting is refused; ErrFreesDeployed until confirmed
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

func newRotateScreen(c *common, orgID, user, selectedKeyID string) *rotateScreen {
	s := &rotateScreen{c: c, orgID: orgID, user: user, choice: selectedKeyID, form: newForm(
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

// refresh works out, before a rotation exists, which key starting would replace and free, and
// whether the keystore would start it (a dry run).
func (s *rotateScreen) refresh() {
	s.plan, s.planErr = keystore.RotationChoice{}, nil
	u := s.serviceUser()
	if s.c.doc == nil || u == nil || u.Rotation != nil {
		return
	}
	if s.plan, s.planErr = u.ChooseRotation(s.choice); s.planErr != nil && s.choice != "" {
		s.choice = "" // the selected key is gone (another terminal)
		s.plan, s.planErr = u.ChooseRotation("")
	}
	if s.planErr == nil {
		s.planErr = s.c.dryRun(s.startWith(false))
	}
}

// startWith starts the planned rotation; freeDeployed is the second confirmation to free a deployed key.
func (s *rotateScreen) startWith(freeDeployed bool) func(*keystore.Tx) error {
	org, user, replace := s.orgID, s.user, s.plan.Replace
	return func(tx *keystore.Tx) error { return tx.StartRotation(org, user, replace, freeDeployed) }
}

func (s *rotateScreen) about() string { return s.orgID }

func (s *rotateScreen) crumbs() []string {
	return []string{"Organizations", orgLabel(s.c.org(s.orgID)), "Rotate " + clean(s.user)}
}

func (s *rotateScreen) setSize(w, h int) {
	s.w, s.h = w, h
	s.form.resize(w)
}

func (s *rotateScreen) update(msg tea.Msg) (screen, *effect) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return s, s.act(msg)
	case checkDoneMsg:
		if msg.req == s.asked {
			return s, s.tested(msg)
		}
	case savedMsg:
		return s, s.saved(msg)
	case docChangedMsg:
		s.refresh()
	}
	return s, nil
}

// inForm: step 2's form is up. It stays up while it holds what was typed, also when another
// terminal moved the rotation on: a secret m3ter shows once is never dropped silently.
func (s *rotateScreen) inForm(r *keystore.Rotation) bool {
	return s.finished == nil && ((r != nil && r.Step == keystore.StepNewKey) || s.form.typed())
}

// heldForm: the form holds a key this terminal did not store, because the rotation moved on elsewhere.
func (s *rotateScreen) heldForm(r *keystore.Rotation) bool {
	return s.inForm(r) && !s.form.saving && (r == nil || r.Step != keystore.StepNewKey)
}

func (s *rotateScreen) act(msg tea.KeyMsg) *effect {
	k := s.c.keys
	r := s.rotation()
	switch {
	case keyIs(msg, k.Back):
		return pop()
	case s.inForm(r):
		submit, cmd := s.form.update(msg, k)
		if submit {
			return both(run(cmd), s.addNewKey())
		}
		return run(cmd)
	case s.finished != nil || r == nil:
		return s.onPlan(msg)
	case keyIs(msg, k.Delete):
		return s.askCancel()
	case keyIs(msg, k.Test):
		return s.test(r)
	case keyIs(msg, k.Copy):
		if nk := s.key(r.NewKeyID); nk != nil {
			return do(askHandOut(nk))
		}
	case keyIs(msg, k.Deployed):
		return s.editNote(r)
	case keyIs(msg, k.Open):
		return s.next(r)
	}
	return nil
}

// onPlan is a key on the plan (or on the summary of a rotation just finished).
func (s *rotateScreen) onPlan(msg tea.KeyMsg) *effect {
	switch k := s.c.keys; {
	case keyIs(msg, k.Open):
		return s.start()
	case keyIs(msg, k.Toggle) && s.finished == nil:
		s.swap()
	}
	return nil
}

// swap replaces the key the plan frees, and frees the one it replaces, when the rules allow.
func (s *rotateScreen) swap() {
	if s.plan.Free == "" || s.plan.Fixed {
		return
	}
	s.choice = s.plan.Free
	s.refusal = ""
	s.refresh()
}

// start begins the rotation, or closes the summary of one just finished. Freeing a deployed key
// takes a second, explicit confirmation.
func (s *rotateScreen) start() *effect {
	if s.finished != nil || s.rotation() != nil {
		return pop()
	}
	what := "start rotating " + clean(s.user)
	switch {
	case errors.Is(s.planErr, keystore.ErrFreesDeployed):
		free := s.key(s.plan.Free)
		if free == nil {
			return nil
		}
		return s.ask(sentStart, "Remove "+shortID(free.AccessKeyID)+" anyway? Removing it locks out "+clean(free.DeployedTo)+".",
			"Only if nothing runs on "+shortID(free.AccessKeyID)+" any more. Else press n, then s: replace "+shortID(free.AccessKeyID)+" instead.",
			changeMsg{what: what, apply: s.startWith(true)})
	case s.planErr == nil:
		return s.change(sentStart, changeMsg{what: what, apply: s.startWith(false)})
	}
	return nil
}

// change sends a change of this wizard and remembers what it was, for its answer.
func (s *rotateScreen) change(what rotateChange, ch changeMsg) *effect {
	s.sent, s.refusal = what, ""
	return do(ch)
}

// ask has the root confirm a change first; the answer comes back here.
func (s *rotateScreen) ask(what rotateChange, question, detail string, ch changeMsg) *effect {
	s.sent, s.refusal = what, ""
	return do(askMsg{question: question, detail: detail, yes: ch})
}

// next is enter: what the current step does next.
func (s *rotateScreen) next(r *keystore.Rotation) *effect {
	org, user := s.orgID, s.user
	switch r.Step {
	case keystore.StepFreeSlot, keystore.StepRetire:
		return s.retire(s.retiring(r))
	case keystore.StepProve:
		if s.wrongUser(r) {
			return s.askDropWrong(r)
		}
		return s.change(sentProve, changeMsg{what: "accept the test of " + shortID(r.NewKeyID), apply: func(tx *keystore.Tx) error {
			return tx.RotationProved(org, user)
		}})
	case keystore.StepDeploy:
		where := ""
		if note := s.offeredNote(); note != "" {
			where = " (" + clean(note) + ")"
		}
		return s.ask(sentOther, "Does the integration run on "+shortID(r.NewKeyID)+" now?",
			"Update it where "+shortID(r.OldKeyID)+" is deployed"+where+" and restart it first. Then "+shortID(r.OldKeyID)+" is retired.",
			changeMsg{what: "confirm " + shortID(r.NewKeyID) + " is deployed", done: shortID(r.NewKeyID) + " is deployed",
				apply: func(tx *keystore.Tx) error { return tx.RotationDeployed(org, user) }})
	case keystore.StepDone:
		s.finishing = *r
		return s.change(sentFinish, changeMsg{what: "record the rotation of " + clean(user), apply: func(tx *keystore.Tx) error {
			return tx.FinishRotation(org, user)
		}})
	}
	return nil
}

// retiring is the key step 1 (the key freed) or step 5 (the old key) takes out of use: INACTIVE
// here, gone from the Console on that step's visit, proven rejected by m3ter, removed here.
type retiring struct {
	id         string
	visit      string // what to do in the Console
	inactivate func(*keystore.Tx) error
	remove     func(twice bool) func(*keystore.Tx) error
}

func (s *rotateScreen) retiring(r *keystore.Rotation) retiring {
	org, user := s.orgID, s.user
	if r.Step == keystore.StepFreeSlot {
		return retiring{id: r.FreeKeyID, visit: visit(1) + ": delete " + shortID(r.FreeKeyID) + ", then generate the new key",
			inactivate: func(tx *keystore.Tx) error { return tx.RotationInactivateFree(org, user) },
			remove: func(twice bool) func(*keystore.Tx) error {
				return func(tx *keystore.Tx) error { return tx.RotationFreeSlot(org, user, twice) }
			}}
	}
	return retiring{id: r.OldKeyID, visit: visit(2) + ": inactivate " + shortID(r.OldKeyID) + " and delete it",
		inactivate: func(tx *keystore.Tx) error { return tx.RotationRetireOld(org, user) },
		remove: func(twice bool) func(*keystore.Tx) error {
			return func(tx *keystore.Tx) error { return tx.RotationRemoveOld(org, user, twice) }
		}}
}

// visit names one of the rotation's two Console visits.
func visit(n int) string {
	if n == 1 {
		return "Console visit 1 of 2"
	}
	return "Console visit 2 of 2"
}

// retire makes the key INACTIVE, then removes it once m3ter rejects it, or after two confirmations.
func (s *rotateScreen) retire(rt retiring) *effect {
	k := s.key(rt.id)
	id := shortID(rt.id)
	if k == nil {
		return do(statusMsg{text: id + " is gone", isErr: true})
	}
	if k.Status == keystore.Active {
		return s.ask(sentOther, "Make "+id+" INACTIVE?", rt.visit+" ("+consolePath+clean(s.user)+"). Then test it here (t): m3ter must reject it.",
			changeMsg{what: "make " + id + " INACTIVE", done: id + " is INACTIVE — " + rt.visit + ", then press t", apply: rt.inactivate})
	}
	last := s.last
	remove := func(twice bool) func(*keystore.Tx) error {
		return func(tx *keystore.Tx) error {
			if last != nil && last.KeyID == rt.id { // this screen's test, in case its save has not landed yet
				if err := livecheck.Record(tx, *last); err != nil {
					return err
				}
			}
			return rt.remove(twice)(tx)
		}
	}
	done := "removed " + id + " here"
	switch {
	case k.Retired():
		return s.ask(sentOther, "Remove "+id+"?", "m3ter rejects it: the m3ter Console no longer has it ACTIVE. Its secret is gone for good.",
			changeMsg{what: "remove " + id, done: done, apply: remove(false)})
	case !s.anyway:
		s.anyway = true // the first confirmation; the view says what the second is for
	default:
		s.anyway = false
		return s.ask(sentOther, "Really remove "+id+" without proof that m3ter rejects it?",
			"If it is still ACTIVE in the m3ter Console, anyone holding its secret can still use it, and m3keys no longer knows it.",
			changeMsg{what: "remove " + id, done: done, apply: remove(true)})
	}
	return nil
}

// wrongUser: users/me named another m3ter service user for the new key since it was added.
func (s *rotateScreen) wrongUser(r *keystore.Rotation) bool {
	k := s.key(r.NewKeyID)
	return k != nil && lastcheck.WrongServiceUser(k.LastCheck) && !k.LastCheck.At.Before(r.AddedAt)
}

// askDropWrong removes a new key generated for another service user, back to step 2.
func (s *rotateScreen) askDropWrong(r *keystore.Rotation) *effect {
	org, user, id := s.orgID, s.user, shortID(r.NewKeyID)
	return s.ask(sentOther, "Remove "+id+", generated for another service user?",
		"Delete it in the m3ter Console too ("+consolePath+"… the user it was generated under). Then generate one under "+clean(user)+
			" and paste it (step 2); "+shortID(r.OldKeyID)+" stays as it is.",
		changeMsg{what: "remove " + id, done: "removed " + id + " — delete it in the m3ter Console too, then generate one under " + clean(user),
			apply: func(tx *keystore.Tx) error { return tx.RotationDropWrongKey(org, user) }})
}

// editNote edits the new key's deployed-to note, offering the old key's when it has none (e, step 4).
func (s *rotateScreen) editNote(r *keystore.Rotation) *effect {
	nk := s.key(r.NewKeyID)
	if nk == nil {
		return nil
	}
	note := nk.DeployedTo
	if note == "" {
		note = s.offeredNote()
	}
	return push(newDeployedToNote(s.c, s.orgID, nk.AccessKeyID, note))
}

// offeredNote is where the old key is deployed (else the freed key was): the new key's note.
func (s *rotateScreen) offeredNote() string {
	if u := s.serviceUser(); u != nil {
		return u.RotationNote()
	}
	return ""
}

func (s *rotateScreen) askCancel() *effect {
	org, user := s.orgID, s.user
	return s.ask(sentCancel, "Cancel the rotation of "+clean(user)+"?", "What was done stays done (keys added, made INACTIVE or removed); only the wizard's progress is cleared.",
		changeMsg{what: "cancel the rotation", done: "rotation of " + clean(user) + " cancelled; what was done stays",
			apply: func(tx *keystore.Tx) error { return tx.CancelRotation(org, user) }})
}

// testedKey is the key this step tests: the key freed (1), the old key (5), else the new key.
func testedKey(r *keystore.Rotation) string {
	switch r.Step {
	case keystore.StepFreeSlot:
		return r.FreeKeyID
	case keystore.StepRetire:
		return r.OldKeyID
	}
	return r.NewKeyID
}

// test asks for a live test of the key this step is about.
func (s *rotateScreen) test(r *keystore.Rotation) *effect {
	id := testedKey(r)
	if s.key(id) == nil {
		return nil
	}
	s.refusal, s.anyway = "", false
	s.testing = id
	s.asked++
	return do(testKeysMsg{keyIDs: []string{id}, req: s.asked})
}

// tested takes the result of this screen's test: the new key's proves it (the keystore judges).
func (s *rotateScreen) tested(msg checkDoneMsg) *effect {
	s.testing = ""
	s.last = &livecheck.Result{KeyID: msg.keyID, Live: msg.result, At: s.c.now()}
	r := s.rotation()
	if r == nil || r.Step != keystore.StepProve || msg.keyID != r.NewKeyID {
		return nil
	}
	org, user, last := s.orgID, s.user, *s.last
	return s.change(sentProve, changeMsg{what: "prove " + shortID(last.KeyID), apply: func(tx *keystore.Tx) error {
		// the result may not be saved yet: the proof is the result this screen got
		if err := livecheck.Record(tx, last); err != nil {
			return err
		}
		return tx.RotationProved(org, user)
	}})
}

func (s *rotateScreen) addNewKey() *effect {
	keyID := s.form.value(fieldKeyID)
	if err := validate.KeyID(keyID); err != nil {
		s.form.fail(err)
		return nil
	}
	secret, err := keystore.NewSecret(s.form.raw(fieldSecret))
	if err != nil {
		s.form.fail(err)
		return nil
	}
	org, user, popup := s.orgID, s.user, s.form.value(fieldPopupOrg)
	add := func(tx *keystore.Tx) error { return tx.RotationAddNewKey(org, user, keyID, secret, popup) }
	if err := s.c.dryRun(add); err != nil {
		s.form.fail(err)
		return nil
	}
	s.form.saving = true
	return s.change(sentAdd, changeMsg{what: "add " + shortID(keyID) + " to " + clean(user), done: "added " + shortID(keyID) + " — testing it", apply: add})
}

// saved takes the answer to a change this screen (or a form over it) asked for.
func (s *rotateScreen) saved(msg savedMsg) *effect {
	sent := s.sent
	s.sent = sentNone
	if msg.err != nil {
		if sent == sentAdd {
			s.form.fail(msg.err) // what was typed stays
			return nil
		}
		s.refusal = plain(msg.err)
		return nil
	}
	s.refusal = ""
	switch sent {
	case sentAdd:
		s.form = newForm(s.form.fields...) // the secret does not stay in the form
		for i := range s.form.fields {
			s.form.clear(i)
		}
		s.form.resize(s.w)
		var test *effect
		if r := s.rotation(); r != nil {
			test = s.test(r)
		}
		return both(test, s.say(msg))
	case sentFinish:
		s.finished, s.doneAt = &s.finishing, s.c.now()
		return say("rotation of " + clean(s.user) + " done — recorded in history (h)")
	case sentCancel:
		return do(popMsg{saved: &msg})
	}
	return s.say(msg)
}

// say reports a change this wizard saved, when it has something to say.
func (s *rotateScreen) say(msg savedMsg) *effect {
	if msg.change.done != "" {
		return report(msg)
	}
	return nil
}

func (s *rotateScreen) enableKeys(k *KeyMap) {
	r := s.rotation()
	if s.inForm(r) {
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
		on = append(on, s.planKeys(k)...)
		describe(&k.Back, "back")
	default:
		on = append(on, &k.Delete)
		describe(&k.Delete, "cancel rotation")
		on = append(on, s.stepKeys(k, r)...)
	}
	k.only(on...)
}

// planKeys are the keys that work on the plan: start (or confirm freeing a deployed key), swap.
func (s *rotateScreen) planKeys(k *KeyMap) []*key.Binding {
	var on []*key.Binding
	switch {
	case s.planErr == nil:
		on = append(on, &k.Open)
		describe(&k.Open, "start")
	case errors.Is(s.planErr, keystore.ErrFreesDeployed):
		on = append(on, &k.Open)
		describe(&k.Open, "free "+shortID(s.plan.Free)+" anyway")
	}
	if s.plan.Free != "" && !s.plan.Fixed {
		on = append(on, &k.Toggle)
		describe(&k.Toggle, "replace "+shortID(s.plan.Free)+" instead")
	}
	return on
}

// stepKeys are the keys that work at the rotation's step, described for it.
func (s *rotateScreen) stepKeys(k *KeyMap, r *keystore.Rotation) []*key.Binding {
	var on []*key.Binding
	enter := func(desc string) {
		on = append(on, &k.Open)
		describe(&k.Open, desc)
	}
	switch r.Step {
	case keystore.StepFreeSlot, keystore.StepRetire:
		if r.Step == keystore.StepFreeSlot && s.key(r.OldKeyID) == nil {
			break
		}
		on = append(on, s.retireKeys(k, testedKey(r))...)
	case keystore.StepProve:
		if s.key(r.NewKeyID) != nil && s.testing == "" {
			on = append(on, &k.Test)
			describe(&k.Test, "test again")
			switch {
			case s.wrongUser(r):
				enter("remove the wrong key")
			case s.provable(r):
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
			describe(&k.Deployed, "edit the new key's note")
			enter("it runs on the new key")
		}
	case keystore.StepDone:
		enter("finish")
	}
	return on
}

// retireKeys are the keys that take a key out of use (steps 1 and 5): inactivate, test, remove.
func (s *rotateScreen) retireKeys(k *KeyMap, id string) []*key.Binding {
	target := s.key(id)
	if target == nil {
		return nil
	}
	on := []*key.Binding{&k.Open}
	switch {
	case target.Status == keystore.Active:
		describe(&k.Open, "make "+shortID(id)+" INACTIVE")
	case target.Retired():
		describe(&k.Open, "remove "+shortID(id))
	case s.anyway:
		describe(&k.Open, "remove anyway (2nd of 2)")
	default:
		describe(&k.Open, "remove anyway")
	}
	if target.Status == keystore.Inactive && s.testing == "" {
		on = append(on, &k.Test)
		describe(&k.Test, "test "+shortID(id))
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
	return !c.At.Before(r.AddedAt) && c.Result == authclient.Valid && c.Verified && c.WrongServiceUser == ""
}
