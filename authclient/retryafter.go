package authclient

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The retry policy of m3ter's own SDKs (TypeScript, Go, Python): two
// retries, backing off 0.5s × 2ⁿ up to 8s less up to 25% jitter, unless the
// server says how long to wait (Retry-After, retry-after-ms) and that is
// at most a minute.
const (
	maxRetries     = 2
	initialBackoff = 500 * time.Millisecond
	maxBackoff     = 8 * time.Second
	maxJitter      = 0.25
	maxRetryAfter  = 60 * time.Second
	// DefaultKeyBudget bounds the time one key's check may take with its
	// retries: no retry starts whose wait would end past it.
	DefaultKeyBudget = 90 * time.Second
)

// Wait is a pause before a retry, as a progress line shows it.
type Wait struct {
	AccessKeyID string
	For         time.Duration
	// Reason is the status that is retried ("429", "503") or "connection error".
	Reason string
}

// String is "waiting 7 s: 429".
func (w Wait) String() string {
	secs := w.For.Seconds()
	if secs < 10 && secs != math.Trunc(secs) {
		return fmt.Sprintf("waiting %.1f s: %s", secs, w.Reason)
	}
	return fmt.Sprintf("waiting %d s: %s", int(math.Round(secs)), w.Reason)
}

// retryReason says why an answer is worth another attempt, or "" when it
// is not: 408, 409, 429, 5xx, and a connection that failed or timed out.
func retryReason(ctx context.Context, resp response, err error) string {
	switch {
	case err != nil && ctx.Err() == nil && isTimeout(err):
		return "timeout"
	case err != nil && isConnectionError(ctx, err):
		return "connection error"
	case err != nil:
		return ""
	}
	switch s := resp.status; {
	case s == http.StatusRequestTimeout, s == http.StatusConflict, s == http.StatusTooManyRequests, s >= 500 && s <= 599:
		return strconv.Itoa(s)
	}
	return ""
}

// retryDelay is the wait before retry n (0 for the first): the server's
// word when it gives one within a minute, else the SDKs' backoff.
// jitter returns a number in [0, 1).
func retryDelay(n int, h http.Header, now time.Time, jitter func() float64) time.Duration {
	if d, ok := serverDelay(h, now); ok {
		return d
	}
	d := min(initialBackoff<<n, maxBackoff)
	return d - time.Duration(float64(d)*maxJitter*jitter())
}

// serverDelay reads retry-after-ms, then Retry-After in seconds or as an
// HTTP date; ok only for a wait of 0 to 60 seconds.
func serverDelay(h http.Header, now time.Time) (time.Duration, bool) {
	var d time.Duration
	if ms, err := strconv.ParseFloat(strings.TrimSpace(h.Get("Retry-After-Ms")), 64); err == nil {
		d = time.Duration(ms * float64(time.Millisecond))
	} else if v := strings.TrimSpace(h.Get("Retry-After")); v == "" {
		return 0, false
	} else if secs, err := strconv.ParseFloat(v, 64); err == nil {
		d = time.Duration(secs * float64(time.Second))
	} else if at, err := http.ParseTime(v); err == nil {
		d = at.Sub(now)
	} else {
		return 0, false
	}
	// NaN and huge values fail here as well.
	if !(d >= 0 && d <= maxRetryAfter) {
		return 0, false
	}
	return d, true
}
