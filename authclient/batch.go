package authclient

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

const (
	DefaultConcurrency = 8
	DefaultRate        = 40 // requests per second per organization
)

// Batch checks many keys: at most Concurrency requests in flight, at most
// Rate requests per second to each organization (token and users/me
// requests both count), and each request retried as m3ter's SDKs retry:
// twice on 408, 409, 429, 5xx and connection errors, within KeyBudget.
type Batch struct {
	Client      *Client // default New(Options{})
	Concurrency int     // default 8
	Rate        float64 // requests per second per organization; default 40
	Verify      bool    // prove each token with users/me
	// KeyBudget bounds one key's check: no retry starts whose wait would
	// end after it. Default DefaultKeyBudget.
	KeyBudget time.Duration
	// Sleep waits between requests and before retries; default a timer
	// that stops when ctx is done. Tests inject one that records.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1) that shortens a backoff by up to
	// a quarter; default math/rand. Tests inject a fixed one.
	Jitter func() float64
	// OnWait, when set, hears of each wait before a retry, for a progress
	// line. It is called from the goroutine that checks the key.
	OnWait func(Wait)

	setup   sync.Once
	client  *Client
	sleep   func(ctx context.Context, d time.Duration) error
	limiter *orgLimiter // shared by every check of this Batch, so separate Check calls respect the rate too
}

func (b *Batch) init() {
	b.setup.Do(func() {
		b.client = b.Client
		if b.client == nil {
			b.client = New(Options{})
		}
		b.sleep = b.Sleep
		if b.sleep == nil {
			b.sleep = sleep
		}
		rate := b.Rate
		if rate <= 0 {
			rate = DefaultRate
		}
		b.limiter = newOrgLimiter(rate, b.client.now, b.sleep)
	})
}

// Check tests one key with the batch's rate limit and retries; verify overrides b.Verify.
// A TUI that runs its own queue calls this once per key.
func (b *Batch) Check(ctx context.Context, k Key, verify bool) Result {
	return b.CheckWaiting(ctx, k, verify, b.OnWait)
}

// CheckWaiting is Check telling onWait (when not nil), instead of b.OnWait, of each wait
// before a retry: a TUI shows the waits of the keys it asked for.
func (b *Batch) CheckWaiting(ctx context.Context, k Key, verify bool, onWait func(Wait)) Result {
	b.init()
	if ctx.Err() != nil {
		return cancelled()
	}
	budget := b.KeyBudget
	if budget <= 0 {
		budget = DefaultKeyBudget
	}
	jitter := b.Jitter
	if jitter == nil {
		jitter = rand.Float64
	}
	return b.client.check(ctx, k, verify, policy{
		beforeRequest: func(ctx context.Context) error { return b.limiter.wait(ctx, k.OrgID) },
		retry:         true,
		sleep:         b.sleep,
		jitter:        jitter,
		deadline:      b.client.now().Add(budget),
		onWait:        onWait,
		accessKeyID:   k.AccessKeyID,
	})
}

// Run checks every key and calls done once per key with its index in keys.
// Calls to done never overlap, but come from several goroutines and in no
// particular order. Run returns when every key is done. Once ctx is done,
// the keys not yet checked get an undetermined "cancelled" result.
func (b *Batch) Run(ctx context.Context, keys []Key, done func(i int, r Result)) {
	workers := b.Concurrency
	if workers <= 0 {
		workers = DefaultConcurrency
	}
	workers = min(workers, len(keys))

	var mu sync.Mutex
	report := func(i int, r Result) {
		mu.Lock()
		defer mu.Unlock()
		done(i, r)
	}

	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				report(i, b.Check(ctx, keys[i], b.Verify))
			}
		})
	}
	order := interleaveByOrg(keys)
	next := 0
feed:
	for ; next < len(order); next++ {
		select {
		case jobs <- order[next]:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	for _, i := range order[next:] {
		report(i, cancelled())
	}
	wg.Wait()
}

// interleaveByOrg orders key indexes round-robin across organizations, so
// that workers waiting on one organization's rate limit do not hold up the
// others. Within an organization the keys keep their order.
func interleaveByOrg(keys []Key) []int {
	var orgs []string
	byOrg := map[string][]int{}
	for i, k := range keys {
		org := strings.ToLower(k.OrgID)
		if _, ok := byOrg[org]; !ok {
			orgs = append(orgs, org)
		}
		byOrg[org] = append(byOrg[org], i)
	}
	order := make([]int, 0, len(keys))
	for round := 0; len(order) < len(keys); round++ {
		for _, org := range orgs {
			if round < len(byOrg[org]) {
				order = append(order, byOrg[org][round])
			}
		}
	}
	return order
}
