package leaktest

import (
	"os"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/m3keys/m3keys/keystore"
	"github.com/muesli/termenv"
)

func TestMain(m *testing.M) {
	// Stores made in this process use a cheap scrypt work factor (the keystore's test hook);
	// the binary reads that factor from identity.age, so its unlocks are cheap too. Only
	// commands that write a new identity (creating a store, passwd) pay the real one.
	keystore.TestOnlySetWorkFactor(10)
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}
