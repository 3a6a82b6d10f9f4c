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

// connRetryDelay is the back-off before retrying after a connection error.
const connRetryDelay = 200 * time.Millisecond

var errTooLarge = errors.New("response larger than 1 MiB")

// policy is what happens around each HTTP request of one check: a single
// Check neither waits nor retries; a Batch rate-limits and retries once.
type policy struct {
	beforeRequest func(ctx context.Context) error
	retry         bool
	sleep         func(ctx context.Context, d time.Duration) error
}

// response is an HTTP answer with its body read in full (up to maxBody).
type response struct {
	status  int
	header  http.Header
	body    []byte
	latency time.Duration
}

// send makes one request, as newRequest builds it, and retries it once
// after a 429 and once after a connection error when p says so. The
// returned response is the last one; its latency is the whole time from
// the first attempt, retries and the waits before them included, because
// that is how long the user waited for the answer.
func (c *Client) send(ctx context.Context, p policy, newRequest func(ctx context.Context) (*http.Request, error)) (response, error) {
	retried429, retriedConn := false, false
	var first time.Time
	for {
		if p.beforeRequest != nil {
			if err := p.beforeRequest(ctx); err != nil {
				return response{latency: since(first)}, err
			}
		}
		if first.IsZero() {
			first = time.Now()
		}
		resp, err := c.once(ctx, newRequest)
		resp.latency = time.Since(first)
		var wait time.Duration
		switch {
		case !p.retry:
			return resp, err
		case err != nil && !retriedConn && isConnectionError(ctx, err):
			retriedConn = true
			wait = connRetryDelay
		case err == nil && resp.status == http.StatusTooManyRequests && !retried429:
			retried429 = true
			wait = retryAfter(resp.header, c.now())
		default:
			return resp, err
		}
		if err := p.sleep(ctx, wait); err != nil {
			resp.latency = time.Since(first)
			return resp, err
		}
	}
}

// since is the time from t, or 0 when t is not set.
func since(t time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return time.Since(t)
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
