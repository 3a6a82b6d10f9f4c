package ui

import (
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
	msg := fact(err)
	if h := hintFor(err); h != "" {
		return msg + " — " + h
	}
	return msg
}

// fact is an error's sentence alone, for a message that says itself what to do next.
func fact(err error) string { return message(err.Error()) }

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
