package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/internal/livecheck"
	"github.com/m3keys/m3keys/keystore"
)

// orgsScreen is the table of organizations.
type orgsScreen struct {
	c     *common
	table table
	rows  []orgRow
}

// orgRow is an organization summarized for its table row.
type orgRow struct {
	id, name      string
	users         int
	active, total int
	// Last checks of ACTIVE keys: failing (with INACTIVE keys m3ter still accepts); undetermined,
	// of which unreachable (no answer at all), the newest at unsureAt; never tested.
	failing, undetermined, unreachable, untested int
	// ACTIVE keys to rotate: a removed team member could read them (exposed), or two members
	// each handed them out.
	exposed, handedOutTwice int
	unsureAt                time.Time
	oldest                  int // days, of the oldest key
	stale                   bool
	keyIDs                  []string
	rotating                string // a service user with a rotation in progress
	rotatingStep            keystore.RotationStep
}

func orgColumns() []column {
	return []column{
		{title: "NAME", min: 6, ideal: 20, grow: true, give: 1},
		{title: "ORGANIZATION ID", min: 13, ideal: 36, give: 2}, // cut in the middle, it stays told apart
		{title: "USERS", min: 5, ideal: 5},
		{title: "KEYS", min: 5, ideal: 5},
		{title: "HEALTH", min: 6, ideal: 24, give: 1}, // "? 2 unreachable just now"
		{title: "OLDEST", min: 6, ideal: 10, give: 2},
	}
}

func newOrgsScreen(c *common) *orgsScreen {
	s := &orgsScreen{c: c, table: newTable(orgColumns())}
	s.refresh()
	return s
}

// refresh rebuilds the rows from the document, keeping the selection.
func (s *orgsScreen) refresh() {
	if s.c == nil || s.c.doc == nil {
		return
	}
	selected := s.selectedID()
	s.rows = s.rows[:0]
	for i := range s.c.doc.Organizations {
		o := &s.c.doc.Organizations[i]
		if (s.table.only && !s.c.orgFailing(o)) || !s.matches(o) {
			continue
		}
		s.rows = append(s.rows, s.summarize(o))
	}
	s.table.setRows(len(s.rows), nil)
	s.selectID(selected)
}

// refreshOrg re-summarizes one organization's row after one of its keys changed.
func (s *orgsScreen) refreshOrg(id string) {
	if s.table.only || s.table.filter.active() { // the row may come or go
		s.refresh()
		return
	}
	o := s.c.org(id)
	for i := range s.rows {
		if s.rows[i].id == id && o != nil {
			s.rows[i] = s.summarize(o)
		}
	}
}

// selectID puts the cursor on the organization with this ID, or on the first row.
func (s *orgsScreen) selectID(id string) {
	s.table.cursor = 0
	for i, r := range s.rows {
		if strings.EqualFold(r.id, id) {
			s.table.cursor = i
		}
	}
	s.table.fit()
}

// matches is the `/` filter on an organization: its name, ID and API URL, or the
// result words of any of its keys (/rejected).
func (s *orgsScreen) matches(o *keystore.Organization) bool {
	if s.table.filter.matches(o.Name, o.ID, o.APIURL) {
		return true
	}
	for _, u := range o.ServiceUsers {
		for i := range u.Keys {
			if s.table.filter.matches(s.c.keyWords(&u.Keys[i])...) {
				return true
			}
		}
	}
	return false
}

func (s *orgsScreen) summarize(o *keystore.Organization) orgRow {
	r := orgRow{id: o.ID, name: o.Name, users: len(o.ServiceUsers), oldest: -1}
	r.active, r.total = o.KeyCount()
	r.keyIDs = make([]string, 0, r.total)
	for _, u := range o.ServiceUsers {
		if u.Rotation != nil && r.rotating == "" {
			r.rotating, r.rotatingStep = u.Name, u.Rotation.Step
		}
		for i := range u.Keys {
			k := &u.Keys[i]
			r.keyIDs = append(r.keyIDs, k.AccessKeyID)
			if age := k.AgeDays(s.c.now()); age > r.oldest {
				r.oldest = age
			}
			r.stale = r.stale || s.c.stale(k)
			if k.Status != keystore.Active {
				if k.StillAccepted() {
					r.failing++
				}
				continue
			}
			if k.Exposed {
				r.exposed++
			} else if k.HandedOutTwice {
				r.handedOutTwice++
			}
			switch c := k.LastCheck; {
			case c == nil:
				r.untested++
			case c.Result.Failing():
				r.failing++
			case c.Result == authclient.Undetermined:
				r.undetermined++
				if unreachable(c) {
					r.unreachable++
				}
				if c.At.After(r.unsureAt) {
					r.unsureAt = c.At
				}
			}
		}
	}
	return r
}

// toRotate counts the ACTIVE keys to rotate whatever m3ter says of them.
func (r *orgRow) toRotate() int { return r.exposed + r.handedOutTwice }

// rotateWhy is why they are to be rotated, in a word or three.
func (r *orgRow) rotateWhy() string {
	switch {
	case r.handedOutTwice == 0:
		return "exposed"
	case r.exposed == 0:
		return "handed out twice"
	}
	return "exposed or twice out"
}

func (s *orgsScreen) selected() *orgRow {
	if s.table.cursor < 0 || s.table.cursor >= len(s.rows) {
		return nil
	}
	return &s.rows[s.table.cursor]
}

func (s *orgsScreen) selectedID() string {
	if r := s.selected(); r != nil {
		return r.id
	}
	return ""
}

func (s *orgsScreen) update(msg tea.Msg) (screen, *effect) {
	eff := updateDocumentList(&s.table.list, s.c.keys, s, msg)
	if msg, ok := msg.(checkedMsg); ok && msg.orgDone {
		s.refreshOrg(msg.orgID)
	}
	return s, eff
}

func (s *orgsScreen) act(key tea.KeyMsg) *effect {
	k := s.c.keys
	row := s.selected()
	switch {
	case keyIs(key, k.New):
		return push(newOrgFormScreen(s.c, ""))
	case keyIs(key, k.TestAll):
		return s.testEvery()
	case row == nil:
	case keyIs(key, k.Open):
		return push(newOrgScreen(s.c, row.id))
	case keyIs(key, k.Edit):
		return push(newOrgFormScreen(s.c, row.id))
	case keyIs(key, k.Delete):
		return s.askDelete(row)
	case keyIs(key, k.Test):
		return s.testOrg(row)
	case keyIs(key, k.Rotate) && row.rotating != "":
		return do(pushMsg{newOrgScreen(s.c, row.id)}, pushMsg{newRotateScreen(s.c, row.id, row.rotating, "")})
	}
	return nil
}

// saved selects the organization a change (here or in a form closed over this screen) was about.
func (s *orgsScreen) saved(msg savedMsg) *effect {
	if id := msg.change.selectOrg; id != "" && msg.err == nil {
		s.selectID(id)
	}
	return report(msg)
}

func (s *orgsScreen) askDelete(row *orgRow) *effect {
	id := row.id
	remove := func(tx *keystore.Tx) error { return tx.RemoveOrg(id) }
	if err := s.c.dryRun(remove); err != nil {
		return fail(err)
	}
	label := orgLabel(s.c.org(id))
	return do(askMsg{
		question: "Delete organization " + label + "?",
		detail:   "It holds no access keys. Its history stays.",
		yes:      changeMsg{apply: remove, what: "delete organization " + label, done: "deleted organization " + label},
	})
}

// testOrg tests every ACTIVE key of the selected organization (t).
func (s *orgsScreen) testOrg(row *orgRow) *effect {
	return do(testKeysMsg{keyIDs: s.c.keysToTest(livecheck.Selection{OrgID: row.id})})
}

// testEvery tests every ACTIVE key of every organization, as one run (T).
func (s *orgsScreen) testEvery() *effect {
	return do(testKeysMsg{keyIDs: s.c.keysToTest(livecheck.Selection{})})
}

func (s *orgsScreen) enableKeys(k *KeyMap) {
	on, done := s.table.enableKeys(k)
	if done {
		return
	}
	on = append(on, &k.Failing, &k.New, &k.Help, &k.Quit)
	on = append(on, s.c.syncKey(k)...)
	if len(s.rows) > 0 {
		on = append(on, &k.Open, &k.Edit, &k.Delete)
	}
	if row := s.selected(); row != nil && row.active > 0 {
		on = append(on, &k.Test)
	}
	if row := s.selected(); row != nil && row.rotating != "" {
		on = append(on, &k.Rotate)
		describe(&k.Rotate, "resume rotation of "+clean(row.rotating))
	}
	if s.c.doc != nil && slices.ContainsFunc(s.c.doc.Organizations, func(o keystore.Organization) bool { n, _ := o.KeyCount(); return n > 0 }) {
		on = append(on, &k.TestAll)
	}
	k.only(on...)
	describe(&k.Open, "open")
	describe(&k.New, "new organization")
	describe(&k.Edit, "edit")
	describe(&k.Delete, "delete")
	describe(&k.Test, "test organization")
	describe(&k.TestAll, "test every organization")
	describe(&k.Failing, failingHelp(s.table.only))
	describe(&k.Back, "clear filter")
}

func (s *orgsScreen) crumbs() []string { return []string{"Organizations"} }

func (s *orgsScreen) setSize(w, h int) {
	s.table.resize(w, h-2) // under the summary and the column titles
}

func (s *orgsScreen) view() string {
	st := s.c.styles
	w := s.table.width
	keys := 0
	for _, r := range s.rows {
		keys += r.total
	}
	top := listTop(st, &s.table.filter, s.table.only, count(len(s.rows), "organization")+" · "+count(keys, "access key"), w)
	empty := s.table.empty("No organizations yet. Press n to add the first one.",
		"No organization matches the filter. Press esc to clear it.", "No organization has a failing key. Press f to show them all.")
	return strings.Join(s.table.drawCells(st, top, empty, func(i int) []cell { return s.orgCells(&s.rows[i]) }), "\n")
}

func (s *orgsScreen) orgCells(r *orgRow) []cell {
	st := &s.c.styles
	name := text(clean(r.name))
	if r.name == "" {
		name = styled(&st.Dim, "(no name)")
	}
	if r.rotating != "" {
		name.forms[0] += " ↻" // a rotation in progress; the health cell names it when nothing fails
	}
	return []cell{
		name,
		idCell(clean(r.id)),
		text(fmt.Sprint(r.users)),
		text(fmt.Sprintf("%d/%d", r.active, r.total)),
		s.health(r),
		s.oldest(r),
	}
}

func (s *orgsScreen) health(r *orgRow) cell {
	st := &s.c.styles
	for _, id := range r.keyIDs {
		if s.c.checks.testing(id) || s.c.checks.waiting(id) {
			return styled(&st.Warn, s.c.spinner()+" testing", s.c.spinner())
		}
	}
	switch {
	case r.active == 0:
		return styled(&st.Dim, "–")
	case r.failing > 0 && r.toRotate() > 0:
		n, why := r.toRotate(), r.rotateWhy()
		return styled(&st.Bad, fmt.Sprintf("✗ %d failing, ! %d %s", r.failing, n, why), fmt.Sprintf("✗ %d ! %d %s", r.failing, n, why), fmt.Sprintf("✗ %d ! %d", r.failing, n))
	case r.failing > 0:
		return styled(&st.Bad, fmt.Sprintf("✗ %d failing", r.failing), fmt.Sprintf("✗ %d", r.failing))
	case r.toRotate() > 0:
		n, why := r.toRotate(), r.rotateWhy()
		return styled(&st.Bad, fmt.Sprintf("! %d %s — rotate", n, why), fmt.Sprintf("! %d %s", n, why), fmt.Sprintf("! %d", n))
	case r.rotating != "":
		step := fmt.Sprintf(" %d/6", r.rotatingStep)
		return styled(&st.Warn, "↻ rotating "+clean(r.rotating)+step, "↻ "+clean(r.rotating)+step, "↻ rotating", "↻"+step)
	case r.undetermined > 0:
		word := "undetermined"
		if r.unreachable == r.undetermined {
			word = "unreachable"
		}
		n := fmt.Sprintf("? %d", r.undetermined)
		return styled(&st.Unknown, n+" "+word+" "+lastcheck.Ago(r.unsureAt, s.c.now()), n+" "+word, n)
	case r.untested > 0:
		return styled(&st.Unknown, fmt.Sprintf("? %d untested", r.untested), fmt.Sprintf("? %d", r.untested))
	}
	return styled(&st.Good, "✓")
}

func (s *orgsScreen) oldest(r *orgRow) cell {
	if r.oldest < 0 {
		return styled(&s.c.styles.Dim, "–")
	}
	return ageCell(r.oldest, r.stale, &s.c.styles)
}

func ageCell(days int, stale bool, st *Styles) cell {
	if stale {
		return styled(&st.Stale, fmt.Sprintf("%dd stale", days), fmt.Sprintf("%dd!", days))
	}
	return text(fmt.Sprintf("%dd", days))
}

// selectable renders a row with the cursor marker; the selected row drops its
// cell colors so the highlight reads as one bar.
func selectable(st Styles, cells []cell, widths []int, selected bool) string {
	if !selected {
		return "  " + renderCells(cells, widths)
	}
	for i := range cells {
		cells[i].style = nil
	}
	return st.Selected.Render("› " + renderCells(cells, widths))
}
