package keystore

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// sampleWireDocument sets every field the document can hold, with text that needs
// escaping (HTML, control characters, U+2028, invalid UTF-8), nil and empty lists.
func sampleWireDocument() *Document {
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC)
	t1 := time.Date(2025, 12, 31, 23, 59, 59, 0, time.FixedZone("x", 5*3600+1800))
	sec := func(s string) Secret { return Secret{value: &s} }
	odd := "a<b>&\"q\"\\ \n\t\x01 \u2028\u2029 é \xff end"
	return &Document{
		Version: 1, // the encoder writes CurrentVersion
		Organizations: []Organization{
			{ID: "00000000-0000-4000-8000-000000000001", Name: odd, APIURL: "https://api.m3ter.com", ServiceUsers: []ServiceUser{
				{Name: "ci", ID: "u-1", OverLimitAfterMerge: true, Keys: []AccessKey{
					{AccessKeyID: "Z-key", Secret: sec("s<e>cret&"), Status: Active, CreatedAt: t0, InactivatedAt: t1, SecretCopiedAt: t0,
						DeployedTo: odd, Exposed: true, ExposedAt: t1,
						LastCheck: &Check{At: t0, Result: "valid", Verified: true, HTTPStatus: 200, LatencyMs: -3, Message: odd, WhileInactive: true, WrongServiceUser: "w"},
						HandOuts:  []HandOut{{Member: "ann", At: t0, Unconfirmed: true}, {At: t1}}, HandedOutTwice: true},
					{AccessKeyID: "A-key", Secret: sec("two"), Status: Inactive, CreatedAt: t1, LastCheck: &Check{}, HandOuts: []HandOut{}},
					{AccessKeyID: "A-key", Secret: sec("dup-later-wins"), Status: Active},
				}, Rotation: &Rotation{Step: 3, FreeKeyID: "f", OldKeyID: "o", NewKeyID: "n", StartedAt: t0, FreeDeployedConfirmed: true,
					FreedDeployedTo: odd, FreedAt: t0, AddedAt: t1, ProvedAt: t0, DeployedAt: t1, RetiredAt: t0, RemovedAt: t1}},
				{Name: "empty", Keys: []AccessKey{}, Rotation: &Rotation{}},
				{Name: "nil"},
			}},
			{ID: "00000000-0000-4000-8000-000000000002", APIURL: ""},
		},
		History: []Event{
			{At: t0, Action: "add", OrgID: "o", ServiceUser: "u", AccessKeyID: "k", Detail: odd, Member: "m"},
			{},
		},
	}
}

// TestEncoderMatchesJSON: the hand-written encoder writes what encoding/json wrote, byte for
// byte, and the sample's bytes are those the encoder wrote before it (testdata/sample-wire.json).
func TestEncoderMatchesJSON(t *testing.T) {
	for name, d := range map[string]*Document{
		"sample": sampleWireDocument(), "zero": {}, "empty": {Organizations: []Organization{}, History: []Event{}},
	} {
		got, err := encodeDocument(d)
		if err != nil {
			t.Fatal(err)
		}
		want, err := encodeDocumentReflect(d)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	got, _ := encodeDocument(sampleWireDocument())
	golden := filepath.Join("testdata", "sample-wire.json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("sample encodes differently from %s:\n got %s\nwant %s", golden, got, want)
	}
}

// TestEncoderTimeOutOfRange: a year json.Marshal refuses is refused alike.
func TestEncoderTimeOutOfRange(t *testing.T) {
	d := sampleWireDocument()
	d.History[1].At = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := encodeDocument(d)
	_, want := encodeDocumentReflect(d)
	if err == nil || want == nil || err.Error() != want.Error() {
		t.Fatalf("got %v, want %v", err, want)
	}
}

// TestFastDecodeMatchesJSON: what the encoder writes, the hand-written decoder reads (it does
// not fall back) and reads as encoding/json does.
func TestFastDecodeMatchesJSON(t *testing.T) {
	for name, d := range map[string]*Document{
		"sample": sampleWireDocument(), "zero": {}, "empty": {Organizations: []Organization{}, History: []Event{}},
	} {
		data, err := encodeDocument(d)
		if err != nil {
			t.Fatal(err)
		}
		fast, ok := fastDecode(data)
		if !ok {
			t.Fatalf("%s: the fast decoder gave up on the encoder's output", name)
		}
		var slow wireDocument
		if err := json.Unmarshal(data, &slow); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*fast, slow) {
			t.Errorf("%s:\nfast %#v\nslow %#v", name, *fast, slow)
		}
	}
}
