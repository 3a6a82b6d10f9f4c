package authclient

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	defaultRetryAfter = time.Second
	maxRetryAfter     = 10 * time.Second
)

// retryAfter reads a 429's Retry-After, in seconds or as an HTTP date,
// capped so that a batch is never held up for long.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		d = time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		d = at.Sub(now)
	} else {
		return defaultRetryAfter
	}
	return min(max(d, 0), maxRetryAfter)
}
