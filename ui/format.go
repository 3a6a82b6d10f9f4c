package ui

import (
	"fmt"
	"time"

	"github.com/m3keys/m3keys/internal/sanitize"
	"github.com/m3keys/m3keys/keystore"
)

// Caps on outside strings, in runes, before they reach a cell.
const (
	maxNameRunes    = 100
	maxMessageRunes = 200
)

// clean is how every string from outside (store, server) is made safe to render.
func clean(s string) string { return sanitize.Text(s, maxNameRunes) }

// message is how server text and stored check messages are made safe to render.
func message(s string) string { return sanitize.Text(s, maxMessageRunes) }

// plain turns an error into a sentence with what to do about it.
func plain(err error) string {
	msg := sanitize.Text(err.Error(), maxMessageRunes)
	if advice := keystore.Advice(err); advice != "" {
		return msg + " — " + advice
	}
	return msg
}

func ageText(k *keystore.AccessKey, now time.Time) string {
	return fmt.Sprintf("%dd", k.AgeDays(now))
}

func ago(t, now time.Time) string {
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
