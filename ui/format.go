package ui

import (
	"errors"
	"fmt"
	"time"

	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/internal/textcut"
	"github.com/m3keys/m3keys/keystore"
)

// Caps on outside strings, in runes, before they reach a cell.
const (
	maxNameRunes    = 100
	maxMessageRunes = 200
)

// clean is how every string from outside (store, server) is made safe to render.
func clean(s string) string { return sanitize.Text(s, maxNameRunes) }

// maxIDCells is how much of an Access Key ID a sentence shows, so a long one leaves room for the rest.
const maxIDCells = 40

// shortID is an Access Key ID made safe and short enough for a sentence.
func shortID(id string) string { return textcut.Middle(clean(id), maxIDCells) }

// message is how server text and stored check messages are made safe to render.
func message(s string) string { return sanitize.Text(s, maxMessageRunes) }

// plain turns an error into a sentence with what to do about it, in keys to press.
func plain(err error) string {
	msg := sanitize.Text(err.Error(), maxMessageRunes)
	advice := keyAdvice(err)
	if advice == "" {
		advice = keystore.Advice(err)
	}
	if advice != "" {
		return msg + " — " + advice
	}
	return msg
}

// keyAdvice replaces keystore.Advice where that names a command, a flag or nothing to do.
func keyAdvice(err error) string {
	switch {
	case errors.Is(err, keystore.ErrKeyLimit):
		return "press r to rotate: the wizard frees a slot without locking the integration out"
	case errors.Is(err, keystore.ErrFreesDeployed):
		return "press s to replace it instead, or enter to confirm that nothing runs on it any more"
	case errors.Is(err, keystore.ErrMustFree):
		return "select the other key and press r: this one is removed first to make room"
	case errors.Is(err, keystore.ErrKeyActive):
		return "press s to make it INACTIVE first, then d to remove it"
	case errors.Is(err, keystore.ErrLastActiveKey):
		return "the integration would be locked out; add and deploy a new key first, or press y to go ahead"
	case errors.Is(err, keystore.ErrWrongPassphrase):
		return "type it again"
	case errors.Is(err, keystore.ErrDuplicateOrg):
		return "press esc, select it and press e to edit it"
	case errors.Is(err, keystore.ErrDuplicateUser):
		return "choose another name, or press esc to find it in the list"
	}
	return ""
}

// count is "1 organization", "2 organizations".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	h := int(d / time.Hour)
	if m := int(d%time.Hour) / int(time.Minute); m > 0 {
		return fmt.Sprintf("%dh%02dm", h, m)
	}
	return fmt.Sprintf("%dh", h)
}

func orgLabel(o *keystore.Organization) string {
	if o == nil {
		return "(gone)"
	}
	if o.Name != "" {
		return clean(o.Name)
	}
	return clean(o.ID)
}
