// Package lastcheck turns a key's stored last check into the short text the CLI and the TUI
// both show ("✓ valid 184ms 2h ago"); internal/livecheck records it.
package lastcheck

import (
	"fmt"
	"time"

	"github.com/m3keys/m3keys/internal/outcome"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/keystore"
)

// Forms of a last check, longest first, for a cell that may have to shrink:
// "✓ valid 184ms 2h ago", "✓ valid 184ms", "✓ valid". Nil is "untested". A token-only
// valid says so down to its shortest form ("✓ token only"); a forbidden whose deciding
// answer was a 200 (the token's orgId claim, or users/me naming another organization)
// is "! wrong org", since "! forbidden 200" reads as a contradiction.
//
// A check made while the key was INACTIVE reads the other way round: rejected is healthy,
// "✓ retired (rejected)", and valid is a warning, "! still accepted". A valid whose users/me
// named another m3ter service user than the one learned is "! wrong service user?".
func Forms(c *keystore.Check, now time.Time) []string {
	if c == nil {
		return []string{"untested"}
	}
	switch {
	case c.Outcome().Retired():
		return []string{outcome.RetiredLabel + " " + Ago(c.At, now), outcome.RetiredLabel, "✓ retired"}
	case c.Outcome().StillAccepted(), WrongServiceUser(c):
		return []string{Label(c) + " " + Ago(c.At, now), Label(c)}
	}
	short := Label(c)
	mid := short
	var shortest string
	switch {
	case WrongOrg(c):
	case c.Result == outcome.Valid:
		if !c.Verified {
			shortest = "✓ token only"
		}
		mid = fmt.Sprintf("%s %dms", short, c.LatencyMs)
	case c.Result.Failing() && c.HTTPStatus != 0:
		mid = fmt.Sprintf("%s %d", short, c.HTTPStatus)
	}
	forms := []string{mid + " " + Ago(c.At, now)}
	if mid != short {
		forms = append(forms, mid)
	}
	forms = append(forms, short)
	if shortest != "" {
		forms = append(forms, shortest)
	}
	return forms
}

// Label is the mark and the result in words, for a table cell or a sentence: "✓ valid",
// "✓ valid (token only)", "✗ rejected", "! forbidden", "! wrong org", "? undetermined".
func Label(c *keystore.Check) string {
	switch {
	case c == nil:
		return "untested"
	case c.Outcome().Retired():
		return outcome.RetiredLabel
	case c.Outcome().StillAccepted():
		return outcome.StillAcceptedLabel
	case WrongServiceUser(c):
		return "! wrong service user?"
	case WrongOrg(c):
		return "! wrong org"
	case c.Result == outcome.Valid && !c.Verified:
		return "✓ valid (token only)"
	}
	return c.Result.Mark() + " " + sanitize.Text(string(c.Result), 20)
}

// WrongOrg reports whether a forbidden check means the key belongs to another organization:
// its deciding answer was a 200, so only the organization can have been wrong. A 403 from
// users/me may mean that too, or a missing permission; it stays "forbidden".
func WrongOrg(c *keystore.Check) bool {
	return c != nil && c.Result == outcome.Forbidden && c.HTTPStatus == 200
}

// WrongServiceUser reports whether users/me named another m3ter service user than the one
// learned for the key's service user, on a check the key passed.
func WrongServiceUser(c *keystore.Check) bool {
	return c != nil && c.WrongServiceUser != "" && c.Result == outcome.Valid
}

// NeedsAttention is what the TUI's `f` keeps and counts: an ACTIVE key whose last check
// failed or could not tell (undetermined), or that is stale, exposed (a removed team member
// could read it) or handed out twice (two members handed its secret out before either saw the
// other's) — the last two to rotate, as check's exit 1 says; an INACTIVE key m3ter still
// accepts (it still works: inactivate it in the Console). (A check's own verdict is
// keystore.Check.Outcome().Failing.)
func NeedsAttention(k *keystore.AccessKey, now time.Time, maxAge time.Duration) bool {
	if k.Status != keystore.Active {
		return k.StillAccepted()
	}
	if k.Stale(now, maxAge) || k.Exposed || k.HandedOutTwice {
		return true
	}
	c := k.LastCheck
	return c != nil && (c.Result.Failing() || c.Result == outcome.Undetermined)
}

// ForKey is the key's last check as it reads for the key now: one made while the key was INACTIVE
// reads as retired or still accepted only while the key is still INACTIVE. (The stored check is
// left as it was, so a team merge still sees one check, by its time.) Pass it to Forms and Label.
func ForKey(k *keystore.AccessKey) *keystore.Check {
	c := k.LastCheck
	if c == nil || !c.WhileInactive || k.Status == keystore.Inactive {
		return c
	}
	cp := *c
	cp.WhileInactive = false
	return &cp
}

// Text is the longest form.
func Text(c *keystore.Check, now time.Time) string { return Forms(c, now)[0] }

// Ago is how long before now t was, the way a person says it.
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
}
