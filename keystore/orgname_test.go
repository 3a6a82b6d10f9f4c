package keystore

import (
	"errors"
	"strings"
	"testing"
)

func TestFindOrgByIDOrName(t *testing.T) {
	d := &Document{Organizations: []Organization{
		{ID: "11111111-1111-4111-8111-111111111111", Name: "Acme Billing"},
		{ID: "22222222-2222-4222-8222-222222222222", Name: "Staging"},
		{ID: "33333333-3333-4333-8333-333333333333", Name: "staging"},
	}}
	tests := []struct {
		arg, wantID string
		wantErr     error
	}{
		{"11111111-1111-4111-8111-111111111111", "11111111-1111-4111-8111-111111111111", nil},
		{"11111111-1111-4111-8111-111111111111 ", "", ErrNotFound},
		{"acme billing", "11111111-1111-4111-8111-111111111111", nil},
		{"ACME BILLING", "11111111-1111-4111-8111-111111111111", nil},
		{"Staging", "", ErrAmbiguousOrg},
		{"nobody", "", ErrNotFound},
		{"", "", ErrNotFound},
	}
	for _, tt := range tests {
		o, err := d.FindOrg(tt.arg)
		if !errors.Is(err, tt.wantErr) || tt.wantErr == nil && o.ID != tt.wantID {
			t.Errorf("FindOrg(%q) = %v, %v; want %s, %v", tt.arg, o, err, tt.wantID, tt.wantErr)
		}
	}
	_, err := d.FindOrg("staging")
	if msg := err.Error(); !strings.Contains(msg, "22222222-2222-4222-8222-222222222222") || !strings.Contains(msg, "33333333-3333-4333-8333-333333333333") {
		t.Errorf("ambiguous name error %q does not list both IDs", msg)
	}
}
