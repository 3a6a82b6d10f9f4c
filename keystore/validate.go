package keystore

import (
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidateOrgID checks that id is a UUID, as m3ter's organization IDs are.
func ValidateOrgID(id string) error {
	if !uuidPattern.MatchString(id) {
		return invalid("organization ID", "must be a UUID like 3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b")
	}
	return nil
}

// ValidateName checks a service user or organization name: 1–100 printable characters.
func ValidateName(field, name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 || n > 100 {
		return invalid(field, "must be 1 to 100 characters")
	}
	if strings.TrimSpace(name) != name {
		return invalid(field, "must not start or end with a space")
	}
	for _, r := range name {
		if !unicode.IsPrint(r) || isBidiControl(r) {
			return invalid(field, "must contain printable characters only")
		}
	}
	return nil
}

// ValidateKeyID checks an Access Key ID: 1–128 printable, non-space ASCII.
func ValidateKeyID(id string) error { return checkToken("access key ID", id, 128) }

func checkToken(field, s string, max int) error {
	if s == "" || len(s) > max {
		return invalid(field, "must be 1 to %d characters", max)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return invalid(field, "must be printable ASCII without spaces")
		}
	}
	return nil
}

// ValidateAPIURL checks the shape of an API URL: https, or http for a loopback host.
func ValidateAPIURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return invalid("API URL", "must be a URL like https://api.m3ter.com")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return invalid("API URL", "must not carry a user, query or fragment")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return invalid("API URL", "must use https (http is allowed for localhost only)")
	}
	return invalid("API URL", "must start with https://")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}
