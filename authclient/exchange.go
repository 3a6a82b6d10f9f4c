package authclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"
)

// maxBody is the most of a response body that is read; anything larger is
// refused rather than read to its end.
const maxBody = 1 << 20

var errTooLarge = errors.New("response larger than 1 MiB")

// policy is what happens around each HTTP request of one check: a single
// Check neither waits nor retries; a Batch rate-limits and retries as
// m3ter's SDKs do, within the key's deadline.
type policy struct {
	beforeRequest func(ctx context.Context) error
	retry         bool
	sleep         func(ctx context.Context, d time.Duration) error
	jitter        func() float64 // in [0, 1)
	deadline      time.Time      // no retry whose wait ends after it
	onWait        func(Wait)     // may be nil
	accessKeyID   string         // for onWait
}

// response is an HTTP answer with its body read in full (up to maxBody).
type response struct {
	status   int
	header   http.Header
	body     []byte
	latency  time.Duration
	attempts int
}

// send makes one request, as newRequest builds it, and retries it as p
// says. The returned response is the last one; its latency is the whole
// time from the first attempt, retries and the waits before them included,
// because that is how long the user waited for the answer.
func (c *Client) send(ctx context.Context, p policy, newRequest func(ctx context.Context) (*http.Request, error)) (response, error) {
	var first time.Time
	for attempt := 0; ; attempt++ {
		if p.beforeRequest != nil {
			if err := p.beforeRequest(ctx); err != nil {
				return response{latency: c.since(first), attempts: attempt}, err
			}
		}
		if first.IsZero() {
			first = c.now()
		}
		resp, err := c.once(ctx, newRequest)
		resp.latency, resp.attempts = c.since(first), attempt+1
		wait, reason := p.nextWait(ctx, attempt, resp, err, c.now())
		if reason == "" {
			return resp, err
		}
		if p.onWait != nil {
			p.onWait(Wait{AccessKeyID: p.accessKeyID, For: wait, Reason: reason})
		}
		if err := p.sleep(ctx, wait); err != nil {
			resp.latency = c.since(first)
			return resp, err
		}
	}
}

// nextWait is the wait before retrying an answer and why, or a reason of
// "" when the answer stands.
func (p policy) nextWait(ctx context.Context, attempt int, resp response, err error, now time.Time) (time.Duration, string) {
	if !p.retry || attempt >= maxRetries {
		return 0, ""
	}
	reason := retryReason(ctx, resp, err)
	if reason == "" {
		return 0, ""
	}
	wait := retryDelay(attempt, resp.header, now, p.jitter)
	if now.Add(wait).After(p.deadline) {
		return 0, ""
	}
	return wait, reason
}

// since is the time from t on the client's clock, or 0 when t is not set.
func (c *Client) since(t time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return c.now().Sub(t)
}

// once makes one request bound by the client's timeout and reads its body; send times it.
func (c *Client) once(ctx context.Context, newRequest func(ctx context.Context) (*http.Request, error)) (response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := newRequest(ctx)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)

	resp, err := c.http.Do(req)
	if err != nil {
		return response{}, err
	}
	// Closing an unread body drops the connection instead of draining it,
	// so an oversized body costs no more than what was read.
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	r := response{status: resp.StatusCode, header: resp.Header}
	if err != nil {
		return r, err
	}
	if len(body) > maxBody {
		return r, errTooLarge
	}
	r.body = body
	return r, nil
}
