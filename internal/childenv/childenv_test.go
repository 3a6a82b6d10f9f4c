package childenv

import (
	"slices"
	"testing"
)

func TestStripDropsEveryM3keysVariable(t *testing.T) {
	in := []string{"PATH=/bin", "M3KEYS_PASSPHRASE=p", "M3KEYS_HOME=/h", "m3keys_passphrase=p", "HOME=/home/u",
		"NOT_M3KEYS_X=1", "M3KEYS_CLIP_TIMEOUT=3s", "DISPLAY=:0", "EMPTY="}
	want := []string{"PATH=/bin", "HOME=/home/u", "NOT_M3KEYS_X=1", "DISPLAY=:0", "EMPTY="}
	if got := Strip(in); !slices.Equal(got, want) {
		t.Errorf("Strip kept %q, want %q", got, want)
	}
}

func TestEnvironHasNoPassphrase(t *testing.T) {
	t.Setenv("M3KEYS_PASSPHRASE", "not for children")
	t.Setenv("CHILDENV_MARK", "kept")
	env := Environ()
	if !slices.Contains(env, "CHILDENV_MARK=kept") {
		t.Error("Environ lost an ordinary variable")
	}
	for _, kv := range env {
		if len(kv) >= len(Prefix) && kv[:len(Prefix)] == Prefix {
			t.Errorf("Environ keeps an M3KEYS_ variable (%d bytes)", len(kv))
		}
	}
}
