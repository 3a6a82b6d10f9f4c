package keystore

import (
	"strings"
	"testing"

	"github.com/m3keys/m3keys/internal/validate"
)

func TestValidateAPIURLCases(t *testing.T) {
	tests := []struct {
		url     string
		wantErr string // "" for valid
	}{
		{"https://api.m3ter.com", ""},
		{"https://api.dev.m3ter.com/", ""},
		{"https://proxy.example.com:8443/m3ter", ""},
		{"HTTPS://api.m3ter.com", ""},
		{"http://localhost:8080", ""},
		{"http://LOCALHOST", ""},
		{"http://127.0.0.1:9000", ""},
		{"http://127.8.9.10", ""},
		{"http://[::1]:9000", ""},
		{"", "empty"},
		{"   ", "empty"},
		{"http://api.m3ter.com", "https"},
		{"http://10.0.0.1", "https"},
		{"http://localhost.evil.com", "https"},
		{"ftp://api.m3ter.com", "https://"},
		{"api.m3ter.com", "no host"},
		{"https://user:hunter2@api.m3ter.com", "user name or password"},
		{"https://api.m3ter.com?x=1", "query"},
		{"https://api.m3ter.com/?", "query"},
		{"https://api.m3ter.com#frag", "fragment"},
		{"https://", "no host"},
		{"https://api.m3ter.com:port", "not a valid URL"},
		{"mailto:x@example.com", "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := validate.APIURL(tt.url)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("validate.APIURL(%q) = %v, want nil", tt.url, err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("validate.APIURL(%q) = nil, want an error about %q", tt.url, tt.wantErr)
			case err != nil && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("validate.APIURL(%q) = %q, want it to mention %q", tt.url, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error repeats the URL's password: %v", err)
			}
		})
	}
}
