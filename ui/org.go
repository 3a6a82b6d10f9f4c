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

// orgScreen is one organization: each service user as a header over its keys.
// The lines are built when the document changes; View draws only the visible
// ones, so its cost does not depend on how many keys are off screen.
type orgScreen struct {
	c      *common
	orgID  string
	filter filter
	only   bool // failing only (f)
	lines  []orgLine
	cursor int // index into lines, always a key or a user without keys
	offset int
	page   int
	// counted when the lines are built, so View does not walk every key
	active, total int
	keyIDWidth    int // of the longest Access Key ID
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

func newOrgScreen(c *common, orgID string) orgScreen {
	s := orgScreen{c: c, orgID: orgID, filter: newFilter(), page: 10}
	s.refresh()
	s.cursor = s.firstKey()
	return s
}

func (s *orgScreen) organization() *keystore.Organization { return s.c.org(s.orgID) }

// refresh rebuilds the lines from the document, keeping the selected row.
func (s *orgScreen) refresh() {
	o := s.organization()
	keyID, userName := s.selectedNames()
	s.lines = s.lines[:0]
	if o == nil {
		return
	}
	s.active, s.total = o.KeyCount()
	s.keyIDWidth = 0
	for ui := range o.ServiceUsers {
		u := &o.ServiceUsers[ui]
		whole := s.filter.matches(u.Name)
		if len(u.Keys) == 0 {
			if whole && !s.only {
				s.lines = append(s.lines, orgLine{kind: lineEmptyUser, user: ui, userName: u.Name})
			}
			continue
		}
		header := len(s.lines)
		for ki := range u.Keys {
			k := &u.Keys[ki]
			if (s.only && !s.c.failing(k)) || (!whole && !s.filter.matches(k.AccessKeyID) && !s.filter.matches(s.c.keyWords(k)...)) {
				continue
			}
			s.keyIDWidth = max(s.keyIDWidth, lipgloss.Width(clean(u.Keys[ki].AccessKeyID)))
			if header == len(s.lines) {
				s.lines = append(s.lines, orgLine{kind: lineUser, user: ui, userName: u.Name})
			}
			s.lines = append(s.lines, orgLine{kind: lineKey, user: ui, key: ki, userName: u.Name, keyID: u.Keys[ki].AccessKeyID})
		}
	}
	s.cursor = s.find(keyID, userName)
}

// selectedNames are the key ID and user name of the selected line, to find it again.
func (s *orgScreen) selectedNames() (keyID, user string) {
	if s.cursor < 0 || s.cursor >= len(s.lines) {
		return "", ""
	}
	l := s.lines[s.cursor]
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
	return s.step(-1, 1)
}

// step finds the next selectable line from i in direction dir, or i itself when there is none.
func (s *orgScreen) step(i, dir int) int {
	for j := i + dir; j >= 0 && j < len(s.lines); j += dir {
		if s.lines[j].kind != lineUser {
			return j
		}
	}
	if i < 0 {
		return 0
	}
	return i
}

// selected is the user and key (nil on a user without keys) under the cursor.
func (s *orgScreen) selected() (*keystore.ServiceUser, *keystore.AccessKey) {
	o := s.organization()
	if o == nil || s.cursor < 0 || s.cursor >= len(s.lines) {
		return nil, nil
	}
	l := s.lines[s.cursor]
	u := &o.ServiceUsers[l.user]
	if l.kind == lineKey {
		return u, &u.Keys[l.key]
	}
	return u, nil
}

func (s orgScreen) update(msg tea.Msg) (orgScreen, tea.Cmd) {
	if s.filter.typing {
		cmd := s.filter.typeKey(msg, s.c.keys, s.refresh) // narrows s: call before returning it
		return s, cmd
	}
	key, ok := msg.(tea.KeyMsg)
	if !ok {
		return s, nil
	}
	s.act(key)
	return s, nil
}

func (s *orgScreen) act(msg tea.KeyMsg) {
	k := s.c.keys
	if s.move(msg) {
		return
	}
	u, key := s.selected()
	switch {
	case keyIs(msg, k.Back) && s.filter.active():
		s.filter.clear()
		s.refresh()
	case keyIs(msg, k.Back):
		s.c.emit(goBackMsg{})
	case keyIs(msg, k.Filter):
		s.filter.start()
	case keyIs(msg, k.Failing):
		s.only = !s.only
		s.refresh()
	case keyIs(msg, k.New):
		s.c.emit(openUserFormMsg{orgID: s.orgID})
	case keyIs(msg, k.History):
		s.c.emit(openHistoryMsg{orgID: s.orgID})
	case keyIs(msg, k.TestAll):
		s.c.emit(testKeysMsg{keyIDs: activeKeyIDs(s.organization())})
	case u == nil:
	case keyIs(msg, k.AddKey):
		s.addKey(u)
	case key == nil:
	case keyIs(msg, k.Test):
		s.c.emit(testKeysMsg{keyIDs: []string{key.AccessKeyID}})
	case keyIs(msg, k.Toggle):
		s.askToggle(u, key)
	case keyIs(msg, k.Delete):
		s.askRemove(u, key)
	case keyIs(msg, k.Copy) && key.SecretCopied():
		s.c.send(statusMsg{text: handedOut(key.AccessKeyID, key.SecretCopiedAt, s.c.now()), isErr: true})
	case keyIs(msg, k.Copy):
		s.c.emit(copySecretMsg{keyID: key.AccessKeyID})
	case keyIs(msg, k.CopyToken):
		s.c.emit(copyTokenMsg{keyID: key.AccessKeyID})
	}
}

func (s *orgScreen) move(msg tea.KeyMsg) bool {
	k := s.c.keys
	switch {
	case keyIs(msg, k.Up):
		s.cursor = s.step(s.cursor, -1)
	case keyIs(msg, k.Down):
		s.cursor = s.step(s.cursor, 1)
	case keyIs(msg, k.PageUp):
		s.cursor = s.step(max(s.cursor-s.page, 0)+1, -1)
	case keyIs(msg, k.PageDown):
		s.cursor = s.step(min(s.cursor+s.page, len(s.lines))-1, 1)
	case keyIs(msg, k.Top):
		s.cursor = s.step(-1, 1)
	case keyIs(msg, k.Bottom):
		s.cursor = s.step(len(s.lines), -1)
	default:
		return false
	}
	return true
}

// addKey opens the form, unless the keystore already refuses a key for this user.
func (s *orgScreen) addKey(u *keystore.ServiceUser) {
	if err := u.FreeSlot(); err != nil {
		s.c.fail(err)
		return
	}
	s.c.emit(openAddKeyMsg{orgID: s.orgID, user: u.Name})
}

func (s *orgScreen) askToggle(u *keystore.ServiceUser, k *keystore.AccessKey) {
	id, user := k.AccessKeyID, clean(u.Name)
	if k.Status == keystore.Inactive {
		s.c.emit(askMsg{
			question: "Make " + shortID(id) + " ACTIVE again?",
			detail:   "Activate it in the m3ter Console too, or checks will keep failing.",
			yes: changeMsg{what: "make " + shortID(id) + " ACTIVE", done: shortID(id) + " is ACTIVE", selectKey: id, apply: func(tx *keystore.Tx) error {
				return tx.SetStatus(id, keystore.Active, false)
			}},
		})
		return
	}
	inactivate := func(force bool) func(*keystore.Tx) error {
		return func(tx *keystore.Tx) error { return tx.SetStatus(id, keystore.Inactive, force) }
	}
	what, done := "make "+shortID(id)+" INACTIVE", shortID(id)+" is INACTIVE — inactivate it in the m3ter Console too"
	s.c.emit(askMsg{
		question: "Make " + shortID(id) + " INACTIVE?",
		detail:   "Service user " + user + ". Then inactivate it in the m3ter Console (Settings › Access › Service Users).",
		yes: changeMsg{
			apply: inactivate(false), what: what, done: done, selectKey: id,
			forced:         &changeMsg{apply: inactivate(true), what: what, done: done, selectKey: id},
			forcedQuestion: "Really make " + shortID(id) + " INACTIVE? It is " + user + "'s last ACTIVE key.",
		},
	})
}

func (s *orgScreen) askRemove(u *keystore.ServiceUser, k *keystore.AccessKey) {
	id := k.AccessKeyID
	remove := func(tx *keystore.Tx) error { return tx.RemoveKey(id) }
	if err := s.c.dryRun(remove); err != nil {
		s.c.fail(err)
		return
	}
	s.c.emit(askMsg{
		question: "Remove " + shortID(id) + " from " + clean(u.Name) + "?",
		detail:   "Its secret is gone for good. Delete it in the m3ter Console too, to free the slot there.",
		yes:      changeMsg{apply: remove, what: "remove " + shortID(id), done: "removed " + shortID(id) + " — delete it in the m3ter Console too"},
	})
}

func (s *orgScreen) enableKeys(k *KeyMap) {
	if s.filter.typing {
		s.filter.enableKeys(k)
		return
	}
	on := []*key.Binding{&k.Filter, &k.Failing, &k.New, &k.History, &k.Back, &k.Help, &k.Quit}
	u, key := s.selected()
	if len(s.lines) > 0 {
		on = append(on, k.listKeys()...)
	}
	if u != nil {
		on = append(on, &k.AddKey)
	}
	if key != nil {
		on = append(on, &k.Test, &k.Toggle, &k.Delete)
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
	describe(&k.Failing, failingHelp(s.only))
	describe(&k.Back, "back")
	if s.filter.active() {
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

func (s *orgScreen) view(w, h int) string {
	st := s.c.styles
	o := s.organization()
	if o == nil {
		return st.Dim.Render("This organization is gone. Press esc to go back.")
	}
	lines := []string{s.summary(o, w)}
	if len(s.lines) == 0 {
		empty := "No service users yet. Press n to add one."
		switch {
		case s.filter.query() != "":
			empty = "Nothing matches the filter. Press esc to clear it."
		case s.only:
			empty = "No failing key here. Press f to show them all."
		}
		return strings.Join(append(lines, "", st.Dim.Render(empty)), "\n")
	}
	cols := keyColumns()
	cols[0].ideal = max(cols[0].min, min(s.keyIDWidth, 40)) // as wide as the IDs, within reason
	widths := fitColumns(cols, w-4)
	lines = append(lines, "    "+st.ColumnHeader.Render(renderCells(headerCells(cols), widths)))
	visible := max(1, h-len(lines)-detailLines)
	s.page = visible
	s.offset = s.scroll(visible)
	for i := s.offset; i < len(s.lines) && i < s.offset+visible; i++ {
		lines = append(lines, s.line(o, s.lines[i], widths, w, i == s.cursor))
	}
	for len(lines) < h-detailLines {
		lines = append(lines, "")
	}
	return strings.Join(append(lines, s.detail(w)), "\n")
}

// scroll keeps the cursor in view, and with it its user's header when that fits.
func (s *orgScreen) scroll(visible int) int {
	top := s.cursor
	if top > 0 && s.lines[top-1].kind == lineUser {
		top--
	}
	off := s.offset
	if top < off {
		off = top
	}
	return window(off, s.cursor, visible, len(s.lines))
}

func (s *orgScreen) summary(o *keystore.Organization, w int) string {
	parts := []string{count(len(o.ServiceUsers), "user"), fmt.Sprintf("%d/%d keys ACTIVE", s.active, s.total), clean(o.APIURL), clean(o.ID)}
	return listTop(s.c.styles, &s.filter, s.only, strings.Join(parts, " · "), w)
}

func (s *orgScreen) line(o *keystore.Organization, l orgLine, widths []int, w int, selected bool) string {
	st := s.c.styles
	u := &o.ServiceUsers[l.user]
	if l.kind == lineKey {
		return "  " + selectable(st, s.keyCells(&u.Keys[l.key]), widths, selected)
	}
	info := fmt.Sprintf(" · %d/%d slots", len(u.Keys), keystore.MaxKeysPerUser)
	if u.ID != "" {
		info += " · m3ter id " + clean(u.ID)
	}
	if l.kind == lineEmptyUser {
		info += " · no keys — press a to add one"
	}
	if selected {
		return st.Selected.Render(textcut.End("› "+clean(u.Name)+info, w))
	}
	return textcut.End("  "+st.UserHeader.Render(clean(u.Name))+st.Dim.Render(info), w)
}

func (s *orgScreen) keyCells(k *keystore.AccessKey) []cell {
	st := &s.c.styles
	status := styled(&st.Good, string(k.Status))
	if k.Status != keystore.Active {
		status = styled(&st.Dim, string(k.Status))
	}
	secret := styled(&st.Warn, "copy once")
	if k.SecretCopied() {
		secret = styled(&st.Dim, "copied "+k.SecretCopiedAt.Format("2006-01-02"), "copied")
	}
	return []cell{
		idCell(clean(k.AccessKeyID)),
		status,
		ageCell(k.AgeDays(s.c.now()), s.c.stale(k), st),
		secret,
		s.checkCell(k),
	}
}

func (s *orgScreen) checkCell(k *keystore.AccessKey) cell {
	st := &s.c.styles
	switch {
	case s.c.checks.testing(k.AccessKeyID):
		return styled(&st.Warn, s.c.spinner()+" testing…")
	case s.c.checks.waiting(k.AccessKeyID):
		return styled(&st.Dim, "… queued")
	}
	return lastCheckCell(k.LastCheck, s.c.now(), st)
}

// lastCheckCell is `✓ valid 184ms 2h ago`, `✗ rejected 401`, `! forbidden`, `? undetermined`,
// shrinking to a shorter form when the column is narrow.
func lastCheckCell(c *keystore.Check, now time.Time, st *Styles) cell {
	style := &st.Unknown
	switch {
	case c == nil:
		style = &st.Dim
	case authclient.Class(c.Result) == authclient.Valid:
		style = &st.Good
	case authclient.Class(c.Result).Failing():
		style = &st.Bad
	}
	return styled(style, lastcheck.Forms(c, now)...)
}

// detail says more about the selected row: the last live result, or what to do next.
func (s *orgScreen) detail(w int) string {
	st := s.c.styles
	u, k := s.selected()
	var text string
	switch {
	case u == nil:
		return ""
	case k == nil:
		text = clean(u.Name) + " has no keys yet. Press a to add the one m3ter's Console generated."
	default:
		text = shortID(k.AccessKeyID) + ": " + s.checkSentence(k) + s.staleHint(u, k)
	}
	lines := strings.Split(lipgloss.NewStyle().Width(w).Render(text), "\n")
	if len(lines) > detailLines { // say that there is more
		lines = lines[:detailLines]
		last := strings.TrimRight(lines[detailLines-1], " ")
		lines[detailLines-1] = textcut.End(last, w-1) + "…"
	}
	return st.Dim.Render(fitLines(strings.Join(lines, "\n"), w, detailLines))
}

// staleHint says how to replace a stale ACTIVE key with the keys that exist today.
func (s *orgScreen) staleHint(u *keystore.ServiceUser, k *keystore.AccessKey) string {
	if k.Status != keystore.Active || !s.c.stale(k) {
		return ""
	}
	days := fmt.Sprintf(" · stale (%dd, over %dd)", k.AgeDays(s.c.now()), int(s.c.deps.MaxAge/(24*time.Hour)))
	if u.FreeSlot() != nil {
		return days + ": make the other key INACTIVE (s), remove it (d), add a new one (a)"
	}
	return days + ": add a new key (a), deploy it, make this one INACTIVE (s)"
}

func (s *orgScreen) checkSentence(k *keystore.AccessKey) string {
	if res, ok := s.c.results[k.AccessKeyID]; ok {
		return resultSentence(res)
	}
	c := k.LastCheck
	if c == nil {
		return "never tested — press t to test it"
	}
	return "last check " + lastcheck.Ago(c.At, s.c.now()) + ": " + checkWords(c) + fmt.Sprintf(" · %dms", c.LatencyMs)
}
