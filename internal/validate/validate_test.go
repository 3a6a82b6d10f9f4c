package validate

import "testing"

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true}, {"LOCALHOST", true}, {"LocalHost", true}, {"localhost.", true},
		{"127.0.0.1", true}, {"127.8.9.10", true}, {"::1", true}, {"::ffff:127.0.0.1", true},
		{"api.localhost", false}, {"fe80::1%lo0", false},
		{"", false}, {"localhost.evil.com", false}, {"notlocalhost", false}, {"api.m3ter.com", false},
		{"10.0.0.1", false}, {"::2", false}, {"128.0.0.1", false},
	}
	for _, tt := range tests {
		if got := IsLoopback(tt.host); got != tt.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestCanonicalAPIURL(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"http://LOCALHOST:8080", "http://localhost:8080"},
		{"HTTPS://API.M3TER.COM/", "https://api.m3ter.com"},
		{"https://api.m3ter.com:443", "https://api.m3ter.com"},
		{"http://[::1]:9", "http://[::1]:9"},
	}
	for _, tt := range tests {
		got, err := CanonicalAPIURL(tt.raw)
		if err != nil || got != tt.want {
			t.Errorf("CanonicalAPIURL(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
		}
	}
	for _, bad := range []string{"http://localhost:99999", "http://localhost:0", "http://api.localhost", "http://10.0.0.1", "ftp://x", ""} {
		if _, err := CanonicalAPIURL(bad); err == nil {
			t.Errorf("CanonicalAPIURL(%q) accepted, want a refusal", bad)
		}
	}
}
