package authclient

import (
	"fmt"
	"time"

	"github.com/m3keys/m3keys/internal/outcome"
)

// Class is the verdict of a live check (outcome.Class: one type from check to store to screen).
type Class = outcome.Class

const (
	Valid        = outcome.Valid
	Rejected     = outcome.Rejected
	Forbidden    = outcome.Forbidden
	Undetermined = outcome.Undetermined
)

// Result is what a live check found. Its fmt output never shows the token.
type Result struct {
	Class Class
	// Verified says users/me was asked about the token. It is false for a
	// token-only check and for one that ended at the token step: such a
	// result says nothing about what users/me would answer.
	Verified bool
	// HTTPStatus is the status of the request that decided the class; 0
	// when there was no response.
	HTTPStatus    int
	TokenLatency  time.Duration
	VerifyLatency time.Duration
	// Attempts is 1 plus the retries the check made (0 when no request
	// was made).
	Attempts int
	// ExpiresIn is the token lifetime m3ter announced.
	ExpiresIn time.Duration
	// TokenOrgID is the orgId claim of the token.
	TokenOrgID string
	// TokenSubject is the sub claim of the token.
	TokenSubject     string
	ServiceUserID    string
	ServiceUserName  string
	OrganizationName string
	// Message is a short sentence for people; server text in it is
	// sanitized.
	Message string

	// token is a pointer so that even a Result printed as part of another
	// value's unexported field shows an address, not the token.
	token *bearerToken
}

type bearerToken struct{ value string }

// BearerToken is the access token of a valid check, or "".
func (r Result) BearerToken() string {
	if r.token == nil {
		return ""
	}
	return r.token.value
}

// Latency is the time spent on the token and users/me requests, retries
// and the waits before them included.
func (r Result) Latency() time.Duration {
	return r.TokenLatency + r.VerifyLatency
}

// String is the class, status and latency, then the message.
func (r Result) String() string {
	return fmt.Sprintf("%s (%d, %s): %s", r.Class, r.HTTPStatus, r.Latency().Round(time.Millisecond), r.Message)
}

// GoString lists the fields with the token redacted.
func (r Result) GoString() string {
	return fmt.Sprintf("authclient.Result{Class:%q, Verified:%t, HTTPStatus:%d, TokenLatency:%d, VerifyLatency:%d, ExpiresIn:%d, "+
		"TokenOrgID:%q, TokenSubject:%q, ServiceUserID:%q, ServiceUserName:%q, OrganizationName:%q, Message:%q, token:%s}",
		r.Class, r.Verified, r.HTTPStatus, r.TokenLatency, r.VerifyLatency, r.ExpiresIn,
		r.TokenOrgID, r.TokenSubject, r.ServiceUserID, r.ServiceUserName, r.OrganizationName, r.Message, r.redactedToken())
}

// Format makes every verb go through String, GoString or a field list
// that redacts the token.
func (r Result) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, r.GoString())
	case verb == 'v' && f.Flag('+'):
		fmt.Fprintf(f, "{Class:%s Verified:%t HTTPStatus:%d Attempts:%d TokenLatency:%s VerifyLatency:%s ExpiresIn:%s "+
			"TokenOrgID:%s TokenSubject:%s ServiceUserID:%s ServiceUserName:%s OrganizationName:%s Message:%s Token:%s}",
			r.Class, r.Verified, r.HTTPStatus, r.Attempts, r.TokenLatency, r.VerifyLatency, r.ExpiresIn,
			r.TokenOrgID, r.TokenSubject, r.ServiceUserID, r.ServiceUserName, r.OrganizationName, r.Message, r.redactedToken())
	case verb == 'q':
		fmt.Fprintf(f, "%q", r.String())
	default:
		fmt.Fprint(f, r.String())
	}
}

func (r Result) redactedToken() string {
	if r.token == nil {
		return "none"
	}
	return "[redacted]"
}
