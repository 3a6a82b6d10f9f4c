package ui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/internal/livecheck"
	"github.com/m3keys/m3keys/keystore"
)

// orgScreen is one organization: each service user as a header over its keys.
// The lines are built when the document changes; View draws only the visible
// ones, so its cost does not depend on how many keys are off screen.
type orgScreen struct {
	c     *common
	orgID string
	list  list // over lines; the cursor is always on a key or a user without keys
	lines []orgLine
	// counted when the lines are built, so View does not walk every key
	active, total int
	keyIDWidth    int // of the longest Access Key ID
	widths        []int
	h             int
}

type lineKind int

const (
	lineUser      lineKind = iota // a service user's header above its keys
	lineEmptyUser                 // a service user without keys: selectable
	lineKey
)

type orgLine struct {
	kind      lineKind
	user, key int // indices into the organization's users and that user's keys
	// The names, so the selection can be found again after the document changed under the indices.
	userName, keyID string
}

func keyColumns() []column {
	return []column{
		{title: "ACCESS KEY ID", min: 14, ideal: 20, give: 1},
		{title: "STATUS", min: 8, ideal: 8},
		{title: "AGE", min: 5, ideal: 10, give: 2},
		{title: "SECRET", min: 9, ideal: 17, give: 3},
		{title: "LAST CHECK", min: 10, ideal: 23, grow: true, give: 1}, // spare room goes last, not between an ID and its status
	}
}

func newOrgScreen(c *common, orgID string) *orgScreen {
	s := &orgScreen{c: c, orgID: orgID, list: newList()}
	s.refresh()
	s.list.cursor = s.firstKey()
	s.list.fit()
	return s
}

func (s *orgScreen) about() string { return s.orgID }

// showsKey says the detail line is about keyID: it is the selected key.
func (s *orgScreen) showsKey(keyID string) bool {
	_, k := s.selected()
	return k != nil && k.AccessKeyID == keyID
}

func (s *orgScreen) organization() *keystore.Organization { return s.c.org(s.orgID) }

// refresh rebuilds the lines from the document, keeping the selected row.
func (s *orgScreen) refresh() {
	o := s.organization()
	keyID, userName := s.selectedNames()
	s.lines = s.lines[:0]
	defer s.layout()
	if o == nil { // removed meanwhile: nothing to move over, test, filter or add to
		s.active, s.total = 0, 0
		s.setRows()
		return
	}
	s.active, s.total = o.KeyCount()
	s.keyIDWidth = 0
	for ui := range o.ServiceUsers {
		u := &o.ServiceUsers[ui]
		whole := s.list.filter.matches(u.Name)
		if len(u.Keys) == 0 {
			if whole && !s.list.only {
				s.lines = append(s.lines, orgLine{kind: lineEmptyUser, user: ui, userName: u.Name})
			}
			continue
		}
		header := len(s.lines)
		for ki := range u.Keys {
			k := &u.Keys[ki]
			if (s.list.only && !s.c.needsAttention(k)) || (!whole && !s.list.filter.matches(k.AccessKeyID) && !s.list.filter.matches(s.c.keyWords(k)...)) {
				continue
			}
			s.keyIDWidth = max(s.keyIDWidth, lipgloss.Width(clean(u.Keys[ki].AccessKeyID)))
			if header == len(s.lines) {
				s.lines = append(s.lines, orgLine{kind: lineUser, user: ui, userName: u.Name})
			}
			s.lines = append(s.lines, orgLine{kind: lineKey, user: ui, key: ki, userName: u.Name, keyID: u.Keys[ki].AccessKeyID})
		}
	}
	s.setRows()
	s.list.cursor = s.find(keyID, userName)
}

// setRows tells the list about the lines: the users' headers are passed over.
func (s *orgScreen) setRows() {
	header := make([]bool, len(s.lines))
	for i, l := range s.lines {
		header[i] = l.kind == lineUser
	}
	s.list.setRows(len(s.lines), header)
}

// layout sizes the columns (the first as wide as the IDs, within reason) and the page.
func (s *orgScreen) layout() {
	cols := keyColumns()
	cols[0].ideal = max(cols[0].min, min(s.keyIDWidth, 40))
	s.widths = fitColumns(cols, s.list.width-4)
	if s.h > 0 { // sized
		s.list.resize(s.list.width, s.h-2-detailLines) // under the summary and the column titles
	}
}

func (s *orgScreen) setSize(w, h int) {
	s.list.width, s.h = w, h
	s.layout()
}

// selectedNames are the key ID and user name of the selected line, to find it again.
func (s *orgScreen) selectedNames() (keyID, user string) {
	if s.list.cursor < 0 || s.list.cursor >= len(s.lines) {
		return "", ""
	}
	l := s.lines[s.list.cursor]
	return l.keyID, l.userName
}

func (s *orgScreen) find(keyID, user string) int {
	fallback := -1
	for i, l := range s.lines {
		if l.kind == lineUser {
			continue
		}
		if l.kind == lineKey && keyID != "" && l.keyID == keyID {
			return i
		}
		if fallback < 0 && l.userName == user {
			fallback = i
		}
	}
	if fallback >= 0 {
		return fallback
	}
	return s.firstKey()
}

// firstKey is where opening an organization puts the cursor: its first key, else its first user.
func (s *orgScreen) firstKey() int {
	for i, l := range s.lines {
		if l.kind == lineKey {
			return i
		}
	}
	return s.list.step(-1, 1)
}

// selected is the user and key (nil on a user without keys) under the cursor.
func (s *orgScreen) selected() (*keystore.ServiceUser, *keystore.AccessKey) {
	o := s.organization()
	if o == nil || s.list.cursor < 0 || s.list.cursor >= len(s.lines) {
		return nil, nil
	}
	l := s.lines[s.list.cursor]
	u := &o.ServiceUsers[l.user]
	if l.kind == lineKey {
		return u, &u.Keys[l.key]
	}
	return u, nil
}

func (s *orgScreen) update(msg tea.Msg) (screen, *effect) {
	eff := updateDocumentList(&s.list, s.c.keys, s, msg)
	if msg, ok := msg.(checkedMsg); ok && msg.orgID == s.orgID && (s.list.only || s.list.filter.active()) {
		s.refresh() // a result can move a key in or out
	}
	return s, eff
}

func (s *orgScreen) act(msg tea.KeyMsg) *effect {
	k := s.c.keys
	u, key := s.selected()
	switch {
	case keyIs(msg, k.Back):
		return pop()
	case keyIs(msg, k.New):
		return push(newUserFormScreen(s.c, s.orgID))
	case keyIs(msg, k.History):
		return push(newHistoryScreen(s.c, s.orgID))
	case keyIs(msg, k.TestAll):
		return do(testKeysMsg{keyIDs: s.c.keysToTest(livecheck.Selection{OrgID: s.orgID})})
	case u == nil:
	case keyIs(msg, k.AddKey):
		return s.addKey(u)
	case keyIs(msg, k.Rotate):
		keyID := ""
		if key != nil {
			keyID = key.AccessKeyID
		}
		return push(newRotateScreen(s.c, s.orgID, u.Name, keyID))
	case key == nil:
	case keyIs(msg, k.Deployed):
		return push(newDeployedToScreen(s.c, s.orgID, key))
	case keyIs(msg, k.Test):
		return do(testKeysMsg{keyIDs: []string{key.AccessKeyID}})
	case keyIs(msg, k.Toggle):
		return s.askToggle(u, key)
	case keyIs(msg, k.Delete):
		return s.askRemove(u, key)
	case keyIs(msg, k.Copy) && key.SecretCopied():
		return do(statusMsg{text: handedOut(key.AccessKeyID, key.HandedOutBy(), key.SecretCopiedAt), isErr: true})
	case keyIs(msg, k.Copy):
		return do(askHandOut(key))
	case keyIs(msg, k.CopyToken):
		return do(copyTokenMsg{keyID: key.AccessKeyID})
	}
	return nil
}

// saved selects the row a change (here or in a form closed over this screen) was about.
func (s *orgScreen) saved(msg savedMsg) *effect {
	if ch := msg.change; msg.err == nil && (ch.selectKey != "" || ch.selectUser != "") {
		s.list.cursor = s.find(ch.selectKey, ch.selectUser)
		s.list.fit()
	}
	return report(msg)
}

// addKey opens the form, unless the keystore already refuses a key for this user.
func (s *orgScreen) addKey(u *keystore.ServiceUser) *effect {
	if err := u.FreeSlot(); err != nil {
		return fail(err)
	}
	return push(newAddKeyScreen(s.c, s.orgID, u.Name))
}

func (s *orgScreen) askToggle(u *keystore.ServiceUser, k *keystore.AccessKey) *effect {
	id, user := k.AccessKeyID, clean(u.Name)
	if k.Status == keystore.Inactive {
		return do(askMsg{
			question: "Make " + shortID(id) + " ACTIVE again?",
			detail:   "Activate it in the m3ter Console too, or checks will keep failing.",
			yes: changeMsg{what: "make " + shortID(id) + " ACTIVE", done: shortID(id) + " is ACTIVE", selectKey: id, apply: func(tx *keystore.Tx) error {
				return tx.SetStatus(id, keystore.Active, false)
			}},
		})
	}
	inactivate := func(force bool) func(*keystore.Tx) error {
		return func(tx *keystore.Tx) error { return tx.SetStatus(id, keystore.Inactive, force) }
	}
	what, done := "make "+shortID(id)+" INACTIVE", shortID(id)+" is INACTIVE — inactivate it in the m3ter Console too"
	return do(askMsg{
		question: "Make " + shortID(id) + " INACTIVE?",
		detail:   "Service user " + user + ". Then inactivate it in the m3ter Console (Settings › Access › Service Users).",
		yes: changeMsg{
			apply: inactivate(false), what: what, done: done, selectKey: id,
			forced:         &changeMsg{apply: inactivate(true), what: what, done: done, selectKey: id},
			forcedQuestion: "Really make " + shortID(id) + " INACTIVE? It is " + user + "'s last ACTIVE key.",
		},
	})
}

func (s *orgScreen) askRemove(u *keystore.ServiceUser, k *keystore.AccessKey) *effect {
	id := k.AccessKeyID
	remove := func(tx *keystore.Tx) error { return tx.RemoveKey(id) }
	if err := s.c.dryRun(remove); err != nil {
		return fail(err)
	}
	return do(askMsg{
		question: "Remove " + shortID(id) + " from " + clean(u.Name) + "?",
		detail:   "Its secret is gone for good. Delete it in the m3ter Console too, to free the slot there.",
		yes:      changeMsg{apply: remove, what: "remove " + shortID(id), done: "removed " + shortID(id) + " — delete it in the m3ter Console too"},
	})
}

func (s *orgScreen) enableKeys(k *KeyMap) {
	if s.organization() == nil {
		k.only(&k.Back, &k.Help, &k.Quit)
		return
	}
	on, done := s.list.enableKeys(k)
	if done {
		return
	}
	on = append(on, &k.Failing, &k.New, &k.History, &k.Back, &k.Help, &k.Quit)
	on = append(on, s.c.syncKey(k)...)
	u, key := s.selected()
	if u != nil {
		on = append(on, &k.AddKey)
		if len(u.Keys) > 0 || u.Rotation != nil {
			on = append(on, &k.Rotate)
			describe(&k.Rotate, "rotate key")
			if u.Rotation != nil {
				describe(&k.Rotate, "resume rotation")
			}
		}
	}
	if key != nil {
		on = append(on, &k.Test, &k.Toggle, &k.Delete, &k.Deployed)
		if s.c.deps.Clipboard != nil {
			on = append(on, &k.Copy, &k.CopyToken)
			describe(&k.Copy, "copy secret (once)")
			if key.SecretCopied() { // still answers: when it was handed out, and what to do
				describe(&k.Copy, "secret copied already")
			}
		}
		describe(&k.Toggle, "inactivate")
		if key.Status == keystore.Inactive {
			describe(&k.Toggle, "activate")
		}
	}
	if s.active > 0 {
		on = append(on, &k.TestAll)
	}
	k.only(on...)
	describe(&k.New, "new service user")
	describe(&k.AddKey, "add key")
	describe(&k.Delete, "remove key")
	describe(&k.Test, "test key")
	describe(&k.TestAll, "test all ACTIVE")
	describe(&k.Failing, failingHelp(s.list.only))
	describe(&k.Back, "back")
	if s.list.filter.active() {
		describe(&k.Back, "clear filter")
	}
}

func (s *orgScreen) crumbs() []string {
	if o := s.organization(); o != nil {
		return []string{"Organizations", orgLabel(o)}
	}
	return []string{"Organizations"}
}

const detailLines = 2

func (s *orgScreen) view() string {
	st := s.c.styles
	w, h := s.list.width, s.h
	o := s.organization()
	if o == nil {
		return st.Dim.Render("This organization is gone. Press esc to go back.")
	}
	empty := s.list.empty("No service users yet. Press n to add one.",
		"Nothing matches the filter. Press esc to clear it.", "No failing key here. Press f to show them all.")
	header := "    " + st.ColumnHeader.Render(renderCells(headerCells(keyColumns()), s.widths))
	lines := s.list.draw(st, s.summary(o, w), empty, header, func(i int, selected bool) string {
		return s.line(o, s.lines[i], s.widths, w, selected)
	})
	if len(s.lines) == 0 {
		return strings.Join(lines, "\n")
	}
	for len(lines) < h-detailLines {
		lines = append(lines, "")
	}
	return strings.Join(append(lines, s.detail(w)), "\n")
}

func (s *orgScreen) summary(o *keystore.Organization, w int) string {
	parts := []string{count(len(o.ServiceUsers), "user"), fmt.Sprintf("%d/%d keys ACTIVE", s.active, s.total), clean(o.APIURL), clean(o.ID)}
	return listTop(s.c.styles, &s.list.filter, s.list.only, strings.Join(parts, " · "), w)
}
