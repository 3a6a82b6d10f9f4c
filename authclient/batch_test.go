package authclient

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient/m3tertest"
)

// sleepRecorder is an injected Sleep that returns at once (unless ctx is
// done) and remembers what it was asked to wait.
// Its clock (Now) moves on by each wait, so latencies count the waits.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
	at    time.Time
}

func (s *sleepRecorder) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.at = s.at.Add(d)
	s.mu.Unlock()
	return ctx.Err()
}

// Now is the recorder's clock: noon on 26 November 2026 plus every wait.
func (s *sleepRecorder) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC).Add(s.at.Sub(time.Time{}))
}

func (s *sleepRecorder) recorded() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.waits)
}

// nonZero drops the zero waits the rate limiter asks for when no wait is due.
func nonZero(ds []time.Duration) []time.Duration {
	return slices.DeleteFunc(ds, func(d time.Duration) bool { return d == 0 })
}

// runBatch runs b and checks that done came exactly once per key.
func runBatch(t *testing.T, ctx context.Context, b *Batch, keys []Key) []Result {
	t.Helper()
	results := make([]Result, len(keys))
	calls := make([]int, len(keys))
	total := 0
	b.Run(ctx, keys, func(i int, r Result) {
		total++ // no lock: Run promises calls never overlap, and -race checks it
		calls[i]++
		results[i] = r
	})
	for i, n := range calls {
		if n != 1 {
			t.Errorf("done called %d times for key %d", n, i)
		}
	}
	return results
}

// manyKeys registers n admin keys in each of orgs organizations.
func manyKeys(s *m3tertest.Server, orgs, n int) []Key {
	var keys []Key
	for o := range orgs {
		org := fmt.Sprintf("00000000-0000-4000-8000-%012d", o)
		for i := range n {
			id := fmt.Sprintf("AKID-%d-%d", o, i)
			secret := fmt.Sprintf("secret-%d-%d", o, i)
			s.AddKey(m3tertest.Key{AccessKeyID: id, Secret: secret, OrgID: org, ServiceUserID: "su-" + id, ServiceUserName: "svc", Admin: true})
			keys = append(keys, Key{OrgID: org, APIURL: s.URL, AccessKeyID: id, Secret: secret})
		}
	}
	return keys
}

func countClasses(results []Result) map[Class]int {
	n := map[Class]int{}
	for _, r := range results {
		n[r.Class]++
	}
	return n
}

func TestBatchChecksEveryKey(t *testing.T) {
	s := newFake(t)
	keys := manyKeys(s, 3, 5)
	s.RemoveKey(keys[4].AccessKeyID)
	keys[7].Secret = "wrong"
	b := &Batch{Client: newClient(t, Options{}), Verify: true, Rate: math.Inf(1)}
	results := runBatch(t, context.Background(), b, keys)
	want := map[Class]int{Valid: 13, Rejected: 2}
	if got := countClasses(results); !mapsEqual(got, want) {
		t.Errorf("classes %v, want %v", got, want)
	}
	if results[4].Class != Rejected || results[7].Class != Rejected {
		t.Errorf("results landed at the wrong index: %v / %v", results[4], results[7])
	}
}

func TestBatchConcurrencyCap(t *testing.T) {
	s := newFake(t)
	s.AddFault(m3tertest.Fault{Latency: 20 * time.Millisecond})
	keys := manyKeys(s, 4, 6)
	b := &Batch{Client: newClient(t, Options{}), Concurrency: 3, Verify: true, Rate: math.Inf(1)}
	results := runBatch(t, context.Background(), b, keys)
	if got := countClasses(results)[Valid]; got != len(keys) {
		t.Fatalf("%d valid of %d: %v", got, len(keys), results)
	}
	if got := s.MaxInFlight(); got > 3 || got < 2 {
		t.Errorf("max requests in flight %d, want 3 at most (and some parallelism)", got)
	}
}

// TestBatchRatePerOrganization uses a stopped clock: at 4/s the limiter lets each org's
// first 4 requests (token and users/me alike) go at once, the next 4 a second later,
// the last 2 two seconds later, whatever the order the workers get there.
func TestBatchRatePerOrganization(t *testing.T) {
	s := newFake(t)
	keys := manyKeys(s, 2, 5)
	frozen := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	sleeps := &sleepRecorder{}
	b := &Batch{
		Client: newClient(t, Options{Now: func() time.Time { return frozen }}),
		Rate:   4, Verify: true, Sleep: sleeps.Sleep,
	}
	runBatch(t, context.Background(), b, keys)

	var want []time.Duration
	for range 2 { // organizations
		for k := range 10 { // 5 keys × (token + users/me)
			want = append(want, time.Duration(k/4)*time.Second)
		}
	}
	got := sleeps.recorded()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("limiter waits %v, want %v", got, want)
	}
}

// TestBatchRateRealClock: 8 token requests to one org at 4/s on the real clock: the first
// 4 go at once, the other 4 not before a second has passed. Measured from before the run,
// not between arrivals at the fake: a busy machine can delay an early request's arrival,
// which would bring two arrivals closer than the limiter let them go.
func TestBatchRateRealClock(t *testing.T) {
	s := newFake(t)
	keys := manyKeys(s, 1, 8)
	b := &Batch{Client: newClient(t, Options{}), Rate: 4}
	start := time.Now()
	runBatch(t, context.Background(), b, keys)
	reqs := s.Requests()
	if len(reqs) != 8 {
		t.Fatalf("%d requests, want 8", len(reqs))
	}
	early := 0
	for _, r := range reqs {
		if r.Time.Sub(start) < time.Second {
			early++
		}
	}
	if early > 4 {
		t.Errorf("%d of 8 requests within the first second at 4/s", early)
	}
	// Only a hang guard: the limiter's waits are checked exactly on a frozen clock above.
	if span := reqs[len(reqs)-1].Time.Sub(start); span > 30*time.Second {
		t.Errorf("8 requests at 4/s took %s, want about 1s", span)
	}
}

// TestBatchRetryUsesRealSleepByDefault: the default Sleep really waits.
func TestBatchRetryUsesRealSleepByDefault(t *testing.T) {
	s := newFake(t)
	s.AddFault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 429, RetryAfter: "0", Times: 1})
	s.AddFault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Disconnect: true, Times: 1})
	start := time.Now()
	r := runBatch(t, context.Background(), &Batch{Client: newClient(t, Options{})}, []Key{keyFor(s)})[0]
	if r.Class != Valid {
		t.Fatalf("got %v, want valid after retries", r)
	}
	if elapsed := time.Since(start); elapsed < initialBackoff*3/4 {
		t.Errorf("retried after a connection error in %s, want a %s back-off less a quarter at most", elapsed, initialBackoff)
	}
}

func TestBatchCancellation(t *testing.T) {
	s := newFake(t)
	s.AddFault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Hang: true})
	keys := manyKeys(s, 2, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Cancel once both workers are stuck on a hanging request.
	go func() {
		for deadline := time.Now().Add(10 * time.Second); s.MaxInFlight() < 2 && time.Now().Before(deadline); {
			runtime.Gosched()
		}
		cancel()
	}()
	start := time.Now()
	b := &Batch{Client: newClient(t, Options{Timeout: time.Minute}), Concurrency: 2, Verify: true}
	results := runBatch(t, ctx, b, keys)
	if elapsed := time.Since(start); elapsed > 30*time.Second { // well short of the minute's timeout
		t.Errorf("Run took %s to stop after cancellation", elapsed)
	}
	for i, r := range results {
		if r.Class != Undetermined || r.Message != "cancelled" {
			t.Errorf("key %d: %v, want undetermined cancelled", i, r)
		}
	}
	if n := len(s.Requests()); n > 2 {
		t.Errorf("fake saw %d requests; want only the 2 that hung", n)
	}
}

func TestBatchCancelledBeforeStart(t *testing.T) {
	s := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	results := runBatch(t, ctx, &Batch{Client: newClient(t, Options{})}, manyKeys(s, 1, 5))
	if got := countClasses(results)[Undetermined]; got != 5 {
		t.Errorf("%d undetermined of 5", got)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("fake saw %d requests after cancellation", n)
	}
}

func TestBatchEmpty(t *testing.T) {
	(&Batch{}).Run(context.Background(), nil, func(int, Result) { t.Error("done called for no key") })
}

func TestBatchLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		s := m3tertest.NewServer()
		defer s.Close()
		keys := manyKeys(s, 2, 4)
		s.AddFault(m3tertest.Fault{KeyID: keys[0].AccessKeyID, Hang: true})
		c := New(Options{Timeout: 100 * time.Millisecond})
		defer c.CloseIdleConnections()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		(&Batch{Client: c, Verify: true}).Run(ctx, keys, func(int, Result) {})
	}()
	deadline := time.Now().Add(30 * time.Second) // a hang guard: the loop ends once they have gone
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // waiting for goroutines to exit, not for an event we could observe
	}
	if after := runtime.NumGoroutine(); after > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

func BenchmarkBatch(b *testing.B) {
	s := m3tertest.NewServer()
	defer s.Close()
	s.AddFault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Latency: 50 * time.Millisecond})
	keys := manyKeys(s, 5, 8)
	c := New(Options{})
	defer c.CloseIdleConnections()
	batch := &Batch{Client: c, Verify: true}
	for b.Loop() {
		failed := 0
		batch.Run(context.Background(), keys, func(_ int, r Result) {
			if r.Class != Valid {
				failed++
			}
		})
		if failed > 0 {
			b.Fatalf("%d keys not valid", failed)
		}
	}
	b.ReportMetric(float64(len(keys)), "keys/op")
}

func mapsEqual(a, b map[Class]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestInterleaveByOrg(t *testing.T) {
	keys := []Key{{OrgID: "a"}, {OrgID: "a"}, {OrgID: "a"}, {OrgID: "B"}, {OrgID: "c"}, {OrgID: "b"}}
	if got, want := interleaveByOrg(keys), []int{0, 3, 4, 1, 5, 2}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestBatchCancelledDuringUsersMe(t *testing.T) {
	s := newFake(t)
	s.AddFault(m3tertest.Fault{Endpoint: m3tertest.UsersMeEndpoint, Hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for deadline := time.Now().Add(10 * time.Second); len(s.Requests()) < 2 && time.Now().Before(deadline); {
			runtime.Gosched()
		}
		cancel()
	}()
	r := runBatch(t, ctx, &Batch{Client: newClient(t, Options{}), Verify: true}, []Key{keyFor(s)})[0]
	if r.Class != Undetermined || r.Message != "cancelled" {
		t.Errorf("got %v, want undetermined cancelled", r)
	}
}

// TestBatchCheckSharesTheLimitAndRetries: single Check calls (as the TUI makes them) count
// against the same per-organization limit and get the same retry after a 429.
func TestBatchCheckSharesTheLimitAndRetries(t *testing.T) {
	s := newFake(t)
	keys := manyKeys(s, 1, 5)
	frozen := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	sleeps := &sleepRecorder{}
	b := &Batch{Client: newClient(t, Options{Now: func() time.Time { return frozen }}), Rate: 4, Sleep: sleeps.Sleep}
	for _, k := range keys[:4] {
		if r := b.Check(context.Background(), k, false); r.Class != Valid {
			t.Fatalf("%s: %v", k.AccessKeyID, r)
		}
	}
	s.AddFault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 429, RetryAfter: "2", Times: 1})
	if r := b.Check(context.Background(), keys[4], false); r.Class != Valid {
		t.Fatalf("after a 429: %v", r)
	}
	// Four free slots, then the fifth request waits a second, the 429 two, the retry a second more.
	want := []time.Duration{time.Second, 2 * time.Second, time.Second}
	if got := nonZero(sleeps.recorded()); !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
}
