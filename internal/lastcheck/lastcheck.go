// Package lastcheck turns a live check into a key's stored last check, and a stored last
// check into the short text the CLI and the TUI both show ("✓ valid 184ms 2h ago").
package lastcheck

import (
	"fmt"
	"time"

	"github.com/m3keys/m3keys/authclient"
	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/keystore"
)

// Record stores r as the key's last check, and the service user's m3ter ID when users/me
// named it. A key removed meanwhile is skipped: the result has nowhere to go.
func Record(tx *keystore.Tx, keyID string, r authclient.Result, at time.Time) error {
	ref, ok := tx.Doc().Key(keyID)
	if !ok {
		return nil
	}
	err := tx.RecordCheck(keyID, keystore.Check{At: at.UTC(), Result: string(r.Class), HTTPStatus: r.HTTPStatus,
		LatencyMs: r.Latency().Milliseconds(), Message: sanitize.Line(r.Message)})
	if err == nil && r.Class == authclient.Valid && r.ServiceUserID != "" {
		err = tx.SetUserID(ref.Org.ID, ref.User.Name, sanitize.Text(r.ServiceUserID, 100))
	}
	return err
}

// Mark is the one-character sign of a result class.
func Mark(result string) string {
	switch authclient.Class(result) {
	case authclient.Valid:
		return "✓"
	case authclient.Rejected:
		return "✗"
	case authclient.Forbidden:
		return "!"
	}
	return "?"
}

// Forms of a last check, longest first, for a cell that may have to shrink:
// "✓ valid 184ms 2h ago", "✓ valid 184ms", "✓ valid". Nil is "untested".
func Forms(c *keystore.Check, now time.Time) []string {
	if c == nil {
		return []string{"untested"}
	}
	result := sanitize.Text(c.Result, 20)
	short := Mark(c.Result) + " " + result
	mid := short
	switch authclient.Class(c.Result) {
	case authclient.Valid:
		mid = fmt.Sprintf("%s %dms", short, c.LatencyMs)
	case authclient.Rejected, authclient.Forbidden:
		if c.HTTPStatus != 0 {
			mid = fmt.Sprintf("%s %d", short, c.HTTPStatus)
		}
	}
	forms := []string{mid + " " + Ago(c.At, now)}
	if mid != short {
		forms = append(forms, mid)
	}
	return append(forms, short)
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
