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
	var e struct {
		Message          string `json:"message"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	msg := e.Message
	switch {
	case msg != "":
	case e.Error != "" && e.ErrorDescription != "":
		msg = e.Error + ": " + e.ErrorDescription
	default:
		msg = e.Error + e.ErrorDescription
	}
	return clean(msg, secrets...)
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
