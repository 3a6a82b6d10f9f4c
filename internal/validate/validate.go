// Package validate holds the input rules shared by the keystore and the m3ter client:
// organization IDs, names, tokens, free text and API URLs. It imports nothing of
// m3keys, so both can use it.
package validate

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error names the field that is wrong and why. It never quotes the value.
type Error struct {
	Field   string
	Problem string
}

func (e *Error) Error() string { return e.Field + ": " + e.Problem }

// Invalid builds an *Error.
func Invalid(field, format string, args ...any) error {
	return &Error{Field: field, Problem: fmt.Sprintf(format, args...)}
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// OrgID checks that id is a UUID, as m3ter's organization IDs are.
func OrgID(id string) error {
	if !uuidPattern.MatchString(id) {
		return Invalid("organization ID", "must be a UUID like 3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b")
	}
	return nil
}

// Name checks a service user or organization name: 1–100 printable characters.
func Name(field, name string) error {
	if name == "" {
		return Invalid(field, "must be 1 to 100 characters")
	}
	return PrintableText(field, name, 100)
}

// PrintableText checks text shown as a label: valid UTF-8, at most max characters,
// printable, no bidi controls, no surrounding spaces. Empty text passes.
func PrintableText(field, s string, max int) error {
	// unicode.IsPrint(utf8.RuneError) is true, so invalid bytes must be refused first:
	// JSON would turn each of them into U+FFFD, and two distinct names into one.
	if !utf8.ValidString(s) {
		return Invalid(field, "is not valid UTF-8 text")
	}
	if utf8.RuneCountInString(s) > max {
		return Invalid(field, "must be 1 to %d characters", max)
	}
	if strings.TrimSpace(s) != s {
		return Invalid(field, "must not start or end with a space")
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || isBidiControl(r) {
			return Invalid(field, "must contain printable characters only")
		}
	}
	return nil
}

// Text checks free text kept in the document (a check message, a history detail):
// valid UTF-8, so it survives the JSON round trip unchanged, and at most max bytes.
func Text(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return Invalid(field, "is not valid UTF-8 text")
	}
	if len(s) > max {
		return Invalid(field, "must be at most %d bytes", max)
	}
	return nil
}

// Token checks an identifier: 1 to max printable, non-space ASCII characters.
func Token(field, s string, max int) error {
	if s == "" || len(s) > max {
		return Invalid(field, "must be 1 to %d characters", max)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return Invalid(field, "must be printable ASCII without spaces")
		}
	}
	return nil
}

// DefaultAPIURL is m3ter's production API.
const DefaultAPIURL = "https://api.m3ter.com"

// APIURL accepts an m3ter API base URL: https, or plain http for a loopback host (a
// local fake or tunnel); no user info, query or fragment; a port in 1–65535. The
// messages never repeat the URL, which might hold a password.
func APIURL(raw string) error {
	_, err := CanonicalAPIURL(raw)
	return err
}

// CanonicalAPIURL validates raw like APIURL and returns the one spelling m3keys stores:
// scheme and host in lower case (Go's proxy bypass matches only lower-case localhost),
// no default or empty port, no trailing slash.
func CanonicalAPIURL(raw string) (string, error) {
	u, problem := parseAPIURL(raw)
	if problem != "" {
		return "", Invalid("API URL", "%s", problem)
	}
	scheme := strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		n, _ := strconv.Atoi(port) // parseAPIURL checked it
		if !(scheme == "https" && n == 443) && !(scheme == "http" && n == 80) {
			host += ":" + strconv.Itoa(n)
		}
	}
	c := url.URL{Scheme: scheme, Host: host, Path: strings.TrimRight(u.Path, "/"), RawPath: strings.TrimRight(u.RawPath, "/")}
	return c.String(), nil
}

func parseAPIURL(raw string) (*url.URL, string) {
	if strings.TrimSpace(raw) == "" {
		return nil, "is empty — use https://api.m3ter.com, or https://api.<env>.m3ter.com for another environment"
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] <= ' ' || raw[i] > '~' {
			return nil, "must be printable ASCII without spaces — write an international domain name in its xn-- form"
		}
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Opaque != "":
		return nil, "is not a valid URL — use the form https://api.m3ter.com"
	case u.User != nil:
		return nil, "must not contain a user name or password — remove the part before @"
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(raw, "?#"):
		return nil, "must not contain a query or a fragment — remove the part from ? or #"
	case u.Hostname() == "":
		return nil, "has no host — use the form https://api.m3ter.com"
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, "has a port outside 1–65535 — use a port like 443 or 8443, or leave it out"
		}
	}
	switch {
	case strings.EqualFold(u.Scheme, "https"):
		return u, ""
	case strings.EqualFold(u.Scheme, "http") && IsLoopback(u.Hostname()):
		return u, ""
	case strings.EqualFold(u.Scheme, "http"):
		return nil, "must use https — plain http is allowed only for localhost"
	}
	return nil, "must start with https:// — for example https://api.m3ter.com"
}

// IsLoopback reports whether host (without port) names this machine: localhost in any
// letter case (with or without a final dot), or a loopback IP address. Subdomains of
// localhost are not: a DNS server may answer them with any address.
func IsLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// KeyID checks an Access Key ID: 1–128 printable, non-space ASCII.
func KeyID(id string) error { return Token("access key ID", id, 128) }
