package authclient

import (
	"context"
	"math"
	"strings"
	"sync"
	"time"
)

// orgLimiter keeps each organization at most `perSecond` requests in any window of one
// second (a sliding window): bursts up to the limit go at once, as m3ter's per-organization
// limit allows, and a strict spacing would only add waiting.
type orgLimiter struct {
	capacity int           // requests allowed per window
	window   time.Duration // capacity / perSecond: one second for whole rates
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	recent map[string][]time.Time // start times of the last `capacity` requests, by org, oldest first
}

func newOrgLimiter(perSecond float64, now func() time.Time, sleep func(context.Context, time.Duration) error) *orgLimiter {
	l := &orgLimiter{now: now, sleep: sleep, recent: map[string][]time.Time{}}
	if math.IsInf(perSecond, 1) || perSecond <= 0 {
		return l
	}
	l.capacity = max(1, int(perSecond))
	l.window = time.Duration(float64(l.capacity) / perSecond * float64(time.Second))
	return l
}

// wait reserves the next slot for orgID and sleeps until it comes.
func (l *orgLimiter) wait(ctx context.Context, orgID string) error {
	if l.capacity == 0 {
		return ctx.Err()
	}
	orgID = strings.ToLower(orgID)
	l.mu.Lock()
	now := l.now()
	at := now
	starts := l.recent[orgID]
	if len(starts) == l.capacity {
		if free := starts[0].Add(l.window); free.After(at) {
			at = free
		}
		starts = starts[1:]
	}
	l.recent[orgID] = append(starts, at)
	l.mu.Unlock()
	return l.sleep(ctx, at.Sub(now))
}
