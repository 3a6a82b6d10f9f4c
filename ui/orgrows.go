package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/lastcheck"
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/internal/timefmt"
	"github.com/m3keys/m3keys/keystore"
)

// The organization screen's rows and the detail under them.

// overLimit marks a service user a team sync left with more than two keys: the keystore
// refuses every other change to it.
const overLimit = "over the limit after merge — inactivate and remove one"

func (s *orgScreen) line(o *keystore.Organization, l orgLine, widths []int, w int, selected bool) string {
	st := s.c.styles
	u := &o.ServiceUsers[l.user]
	if l.kind == lineKey {
		return "  " + selectable(st, s.keyCells(&u.Keys[l.key]), widths, selected)
	}
	info := fmt.Sprintf(" · %d/%d slots", len(u.Keys), keystore.MaxKeysPerUser)
	if r := u.Rotation; r != nil {
		info += fmt.Sprintf(" · rotating: step %d/6", r.Step)
	}
	if u.ID != "" {
		info += " · m3ter id " + clean(u.ID)
	}
	if l.kind == lineEmptyUser {
		info += " · no keys — press a to add one"
	}
	over := ""
	if u.OverLimit() {
		over = " · " + overLimit
	}
	if selected {
		return st.Selected.Render(textcut.End("› "+clean(u.Name)+info+over, w))
	}
	return textcut.End("  "+st.UserHeader.Render(clean(u.Name))+st.Dim.Render(info)+st.Bad.Render(over), w)
}

func (s *orgScreen) keyCells(k *keystore.AccessKey) []cell {
	st := &s.c.styles
	status := styled(&st.Good, string(k.Status))
	if k.Status != keystore.Active {
		status = styled(&st.Dim, string(k.Status))
	}
	secret := styled(&st.Warn, "copy once")
	switch {
	case k.Exposed:
		secret = styled(&st.Bad, "exposed — rotate", "exposed")
	case k.HandedOutTwice:
		secret = styled(&st.Bad, "handed out twice — rotate", "twice — rotate", "twice")
	case k.SecretCopied():
		secret = styled(&st.Dim, "copied "+timefmt.Day(k.SecretCopiedAt), "copied")
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
	return lastCheckCell(lastcheck.ForKey(k), s.c.now(), st)
}

// lastCheckCell is `✓ valid 184ms 2h ago`, `✗ rejected 401`, `! forbidden`, `? undetermined`,
// `✓ retired (rejected)`, `! still accepted`, shrinking to a shorter form when the column is
// narrow. Pass lastcheck.ForKey(k): a retired key's rejection is healthy, and an INACTIVE key
// m3ter still accepts, or one users/me names another service user for, is a warning.
func lastCheckCell(c *keystore.Check, now time.Time, st *Styles) cell {
	style := &st.Unknown
	switch {
	case c == nil:
		style = &st.Dim
	case c.Outcome().StillAccepted(), lastcheck.WrongServiceUser(c):
		style = &st.Warn
	case c.Outcome().Failing():
		style = &st.Bad
	case c.Outcome().Retired(), c.Result == authclient.Valid:
		style = &st.Good
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
		where := ""
		if k.DeployedTo != "" {
			where = " (deployed to " + clean(k.DeployedTo) + ")"
		}
		text = shortID(k.AccessKeyID) + where + ": " + s.checkSentence(k) + s.staleHint(u, k)
		if k.Exposed {
			text = shortID(k.AccessKeyID) + ": exposed — rotate: a removed team member could read its secret · " + s.checkSentence(k)
		}
		if k.HandedOutTwice {
			text = shortID(k.AccessKeyID) + ": handed out twice — rotate: two team members each handed its secret out" + handOutsBy(k) + " · " + s.checkSentence(k)
		}
	}
	if u.OverLimit() {
		text = clean(u.Name) + " is " + overLimit + " (make a key INACTIVE with s, then d)"
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
	return fmt.Sprintf(" · stale (%dd, over %dd): press r to rotate it", k.AgeDays(s.c.now()), int(s.c.deps.MaxAge/(24*time.Hour)))
}

func (s *orgScreen) checkSentence(k *keystore.AccessKey) string {
	c := lastcheck.ForKey(k)
	switch {
	case c.Outcome().StillAccepted():
		return checkWords(c) + " by m3ter " + lastcheck.Ago(c.At, s.c.now()) + " — inactivate it in the m3ter Console, then press t"
	case lastcheck.WrongServiceUser(c):
		return checkWords(c) + " users/me named m3ter service user " + clean(c.WrongServiceUser) + " — was it generated for another service user?"
	}
	if res, ok := s.c.results[k.AccessKeyID]; ok && !c.Outcome().Retired() {
		return resultSentence(res)
	}
	if c == nil {
		return "never tested — press t to test it"
	}
	return "last check " + lastcheck.Ago(c.At, s.c.now()) + ": " + checkWords(c) + fmt.Sprintf(" · %dms", c.LatencyMs)
}

// handOutsBy names who handed a secret out and when: " (alice 2026-12-01, bob 2026-12-01 offline)".
func handOutsBy(k *keystore.AccessKey) string {
	var who []string
	for _, h := range k.HandOuts {
		w := clean(h.Member) + " " + timefmt.Day(h.At)
		if h.Unconfirmed {
			w += " offline"
		}
		who = append(who, w)
	}
	if len(who) == 0 {
		return ""
	}
	return " (" + strings.Join(who, ", ") + ")"
}
