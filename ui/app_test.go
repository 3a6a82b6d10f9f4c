package ui

import "testing"

func TestSmoke(t *testing.T) {
	h, _ := unlocked(t)
	t.Log("\n" + h.view())
	h.openOrg("Acme production")
	t.Log("\n" + h.view())
	h.press("?")
	t.Log("\n" + h.view())
}
