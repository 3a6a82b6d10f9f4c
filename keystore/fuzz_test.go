package keystore

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func FuzzDecodeDocument(f *testing.F) {
	f.Add([]byte(`{"version":1,"organizations":[],"history":[]}`))
	f.Add([]byte(`{"version":1,"organizations":[{"id":"3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b","apiUrl":"https://api.m3ter.com","serviceUsers":[{"name":"ci","keys":[{"accessKeyId":"k1","status":"ACTIVE","createdAt":"2026-01-01T00:00:00Z"}]}]}],"secrets":{"k1":"abc"}}`))
	f.Add([]byte(`{"version":99}`))
	f.Add([]byte(`{"version":0}`))
	f.Add([]byte(`{"version":1,"organizations":[{"id":"x"}]}`))
	f.Add([]byte(`{"version":1,"secrets":{"k":"FUZZSECRET"},"organizations":"nope"}`))
	f.Add([]byte(`[`))
	f.Add(v2(orgJSON(orgA, "", "https://api.m3ter.com", userJSON("ci", "", "", "k1")), orgJSON(strings.ToUpper(orgA), "A", "", userJSON("ci", "u", "k2", "k2"))))
	f.Add(v2(orgJSON(orgA, "", "https://api.m3ter.com", userJSON("s\ufffd", "", "", "k1")+","+userJSON("s\ufffd", "", "", "k2", "k3"))))
	f.Add([]byte(`{"version":3,"organizations":[{"id":"00000000-0000-4000-8000-000000000001","serviceUsers":[{"name":"a\u00e9\n","keys":[],"rotation":{"step":2,"startedAt":"2026-01-01T00:00:00Z"}}]}],"history":null,"secrets":{"k":"a","k":"b"}}`))
	f.Add([]byte(" {\"version\" : 3 , \"organizations\":null,\"history\":[{\"at\":\"2026-01-01T00:00:00.5+01:00\",\"action\":\"x\"}],\"secrets\":{}} "))
	f.Add([]byte(`{"version":3,"VERSION":3,"organizations":[]}`))
	f.Add([]byte(`{"version":3e0,"organizations":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// What the hand-written decoder accepts, encoding/json reads the same.
		if fast, ok := fastDecode(data); ok {
			var slow wireDocument
			if err := json.Unmarshal(data, &slow); err != nil || !reflect.DeepEqual(*fast, slow) {
				t.Fatalf("fast decode differs from encoding/json (%v):\n fast %#v\n slow %#v", err, *fast, slow)
			}
		}
		d, err := DecodeDocument(data)
		if err != nil {
			// A refusal must never quote the document, which could hold a secret.
			if strings.Contains(err.Error(), "FUZZSECRET") {
				t.Fatalf("error quotes the document: %v", err)
			}
			return
		}
		// Whatever decodes must hold the rules and survive a round trip.
		seen := map[string]bool{}
		for _, o := range d.Organizations {
			for _, u := range o.ServiceUsers {
				if len(u.Keys) > MaxKeysPerUser {
					t.Fatalf("decoded a user with %d keys", len(u.Keys))
				}
				for _, k := range u.Keys {
					if seen[k.AccessKeyID] || k.Secret.IsZero() {
						t.Fatalf("decoded a duplicate or secretless key %q", k.AccessKeyID)
					}
					seen[k.AccessKeyID] = true
				}
			}
		}
		enc, err := encodeDocument(d)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := encodeDocumentReflect(d); string(enc) != string(want) {
			t.Fatalf("encoder differs from encoding/json:\n got %s\nwant %s", enc, want)
		}
		back, err := DecodeDocument(enc)
		if err != nil {
			t.Fatalf("re-decode of an encoded document failed: %v", err)
		}
		// What a load repairs stays repaired: the next load finds nothing to do.
		if len(back.History) != len(d.History) || len(back.Organizations) != len(d.Organizations) {
			t.Fatalf("a second load changed the document again")
		}
	})
}
