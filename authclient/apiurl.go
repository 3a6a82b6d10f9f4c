package authclient

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// ValidateAPIURL accepts an m3ter API base URL: https, or plain http for a
// loopback host (a local fake or tunnel); no user info, query or fragment.
// The messages never repeat the URL, which might hold a password.
func ValidateAPIURL(raw string) error {
	if strings.TrimSpace(raw) == "" {
		return errors.New("api url is empty — use https://api.m3ter.com, or https://api.<env>.m3ter.com for another environment")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return errors.New("api url is not a valid URL — use the form https://api.m3ter.com")
	}
	if u.User != nil {
		return errors.New("api url must not contain a user name or password — remove the part before @")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(raw, "?#") {
		return errors.New("api url must not contain a query or a fragment — remove the part from ? or #")
	}
	if u.Hostname() == "" {
		return errors.New("api url has no host — use the form https://api.m3ter.com")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return errors.New("api url must use https — plain http is allowed only for localhost")
	}
	return errors.New("api url must start with https:// — for example https://api.m3ter.com")
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
