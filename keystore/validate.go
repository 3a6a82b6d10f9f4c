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

// DefaultAPIURL is m3ter's production API, for organizations created without one.
const DefaultAPIURL = "https://api.m3ter.com"

// ValidateAPIURL accepts an m3ter API base URL: https, or plain http for a loopback host
// (a local fake or tunnel); no user info, query or fragment. The messages never repeat
// the URL, which might hold a password.
func ValidateAPIURL(raw string) error {
	problem := apiURLProblem(raw)
	if problem == "" {
		return nil
	}
	return invalid("API URL", "%s", problem)
}

func apiURLProblem(raw string) string {
	if strings.TrimSpace(raw) == "" {
		return "is empty — use https://api.m3ter.com, or https://api.<env>.m3ter.com for another environment"
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Opaque != "":
		return "is not a valid URL — use the form https://api.m3ter.com"
	case u.User != nil:
		return "must not contain a user name or password — remove the part before @"
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(raw, "?#"):
		return "must not contain a query or a fragment — remove the part from ? or #"
	case u.Hostname() == "":
		return "has no host — use the form https://api.m3ter.com"
	case strings.EqualFold(u.Scheme, "https"):
		return ""
	case strings.EqualFold(u.Scheme, "http") && isLoopback(u.Hostname()):
		return ""
	case strings.EqualFold(u.Scheme, "http"):
		return "must use https — plain http is allowed only for localhost"
	}
	return "must start with https:// — for example https://api.m3ter.com"
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}
