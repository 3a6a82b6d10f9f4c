package authclient

import (
	"context"
	"strings"
	"sync"
	"time"
)

// orgLimiter spaces the requests to each organization evenly, interval
// apart, without bursts: m3ter's limit is per organization and per second.
type orgLimiter struct {
	interval time.Duration
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error

	mu   sync.Mutex
	next map[string]time.Time // earliest start of the next request, by org
}

func newOrgLimiter(perSecond float64, now func() time.Time, sleep func(context.Context, time.Duration) error) *orgLimiter {
	return &orgLimiter{
		interval: time.Duration(float64(time.Second) / perSecond),
		now:      now,
		sleep:    sleep,
		next:     map[string]time.Time{},
	}
}

// wait reserves the next slot for orgID and sleeps until it comes.
func (l *orgLimiter) wait(ctx context.Context, orgID string) error {
	if l.interval <= 0 {
		return ctx.Err()
	}
	orgID = strings.ToLower(orgID)
	l.mu.Lock()
	now := l.now()
	at := l.next[orgID]
	if at.Before(now) {
		at = now
	}
	l.next[orgID] = at.Add(l.interval)
	l.mu.Unlock()
	return l.sleep(ctx, at.Sub(now))
}
