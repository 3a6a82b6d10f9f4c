package authclient

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/m3keys/m3keys/internal/sanitize"
)

// redactMinLen keeps a very short secret from being "found" inside
// ordinary words.
const redactMinLen = 4

// clean makes server-provided text fit for a Result: sanitized, with any
// of the given secrets replaced, then capped.
func clean(s string, secrets ...string) string {
	s = sanitize.Text(s, 4096)
	for _, secret := range secrets {
		if len(secret) >= redactMinLen {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return strings.TrimSpace(sanitize.Line(s))
}

// serverMessage extracts the human part of an m3ter error body:
// {"message"} or {"error","error_description"}. Anything else gives "".
func serverMessage(body []byte, secrets ...string) string {
	msg, _ := m3terError(body)
	return clean(msg, secrets...)
}

// m3terError reads an error body in m3ter's JSON form, {"message"} or
// {"error","error_description"}; ok is false for anything else (an HTML
// page from a proxy, an empty body), which m3ter did not write.
func m3terError(body []byte) (msg string, ok bool) {
	var e struct {
		Message          string `json:"message"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", false
	}
	switch {
	case e.Message != "":
		return e.Message, true
	case e.Error != "" && e.ErrorDescription != "":
		return e.Error + ": " + e.ErrorDescription, true
	}
	return e.Error + e.ErrorDescription, e.Error != ""
}

// withServerMessage appends the server's own words to a sentence.
func withServerMessage(sentence, serverMsg string) string {
	if serverMsg == "" {
		return sentence
	}
	return sentence + ": " + serverMsg
}

// humanDuration prints 5h0m rather than 5h0m0s.
func humanDuration(d time.Duration) string {
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	s := d.Round(time.Minute).String()
	return strings.TrimSuffix(s, "0s")
}

func statusSentence(endpoint string, status int) string {
	switch {
	case status == 429:
		return fmt.Sprintf("m3ter is throttling requests (429 from %s) — try again in a moment", endpoint)
	case status >= 500:
		return fmt.Sprintf("m3ter server error (%d from %s) — try again later", status, endpoint)
	}
	return fmt.Sprintf("unexpected answer %d from %s — check the API URL", status, endpoint)
}
