package keystore

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestNoFormatVerbRevealsASecret(t *testing.T) {
	d := docWithUser(t)
	if err := addKey(t, d, "k1"); err != nil {
		t.Fatal(err)
	}
	ref, _ := d.Key("k1")
	values := []any{ref.Key.Secret, *ref.Key, ref.Key, *ref.User, *d, d, ref}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, secret) || strings.Contains(out, fmt.Sprintf("%x", secret)) {
				t.Errorf("%s of %T reveals the secret", verb, v)
			}
		}
	}
	for _, v := range []any{ref.Key, d} {
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), secret) {
			t.Errorf("json of %T reveals the secret", v)
		}
	}
}
