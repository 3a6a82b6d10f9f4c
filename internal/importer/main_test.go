package importer

import (
	"os"
	"testing"

	"github.com/m3keys/m3keys/keystore"
)

func TestMain(m *testing.M) {
	keystore.TestOnlySetWorkFactor(10) // stores created here unlock cheaply
	os.Exit(m.Run())
}
