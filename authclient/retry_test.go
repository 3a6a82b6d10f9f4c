package authclient

import (
	"context"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient/m3tertest"
)

// TestBatchRetriesAsTheSDKs: twice on 408, 409, 429, 5xx and connection
// errors, backing off 0.5s × 2ⁿ unless the server says how long, on both
// endpoints; never on an answer that decides.
func TestBatchRetriesAsTheSDKs(t *testing.T) {
	token, me := m3tertest.TokenEndpoint, m3tertest.UsersMeEndpoint
	half := initialBackoff
	tests := []struct {
		name         string
		fault        m3tertest.Fault
		wantClass    Class
		wantStatus   int
		wantRequests int
		wantAttempts int
		wantWaits    []time.Duration
	}{
		{"token 500 once", m3tertest.FailOnce(token, 500), Valid, 200, 3, 2, []time.Duration{half}},
		{"users/me 502 once", m3tertest.FailOnce(me, 502), Valid, 200, 3, 2, []time.Duration{half}},
		{"token 408 once", m3tertest.FailOnce(token, 408), Valid, 200, 3, 2, []time.Duration{half}},
		{"token 409 once", m3tertest.FailOnce(token, 409), Valid, 200, 3, 2, []time.Duration{half}},
		{"token 429 once, retry-after seconds",
			m3tertest.Fault{Endpoint: token, Status: 429, RetryAfter: "3", Times: 1}, Valid, 200, 3, 2, []time.Duration{3 * time.Second}},
		{"users/me 429 once, no retry-after", m3tertest.FailOnce(me, 429), Valid, 200, 3, 2, []time.Duration{half}},
		{"retry-after date",
			m3tertest.Fault{Endpoint: token, Status: 429, RetryAfter: "Thu, 26 Nov 2026 12:00:05 GMT", Times: 1}, Valid, 200, 3, 2, []time.Duration{5 * time.Second}},
		{"retry-after over a minute: the backoff instead",
			m3tertest.Fault{Endpoint: token, Status: 429, RetryAfter: "3600", Times: 1}, Valid, 200, 3, 2, []time.Duration{half}},
		{"503 three times is undetermined",
			m3tertest.Fault{Endpoint: token, Status: 503}, Undetermined, 503, 3, 3, []time.Duration{half, 2 * half}},
		{"429 three times is undetermined",
			m3tertest.Fault{Endpoint: token, Status: 429, RetryAfter: "2"}, Undetermined, 429, 3, 3, []time.Duration{2 * time.Second, 2 * time.Second}},
		{"connection dropped once", m3tertest.Fault{Endpoint: token, Disconnect: true, Times: 1}, Valid, 200, 3, 2, []time.Duration{half}},
		{"connection dropped always", m3tertest.Fault{Endpoint: token, Disconnect: true}, Undetermined, 0, 3, 3, []time.Duration{half, 2 * half}},
		{"401 is not retried", m3tertest.FailOnce(token, 401), Rejected, 401, 1, 1, nil},
		{"users/me 403 is not retried", m3tertest.FailOnce(me, 403), Forbidden, 403, 2, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFake(t)
			s.AddFault(tt.fault)
			sleeps := &sleepRecorder{}
			var waits []Wait
			b := &Batch{
				Client: newClient(t, Options{Now: sleeps.Now}),
				Rate:   math.Inf(1), Verify: true, Sleep: sleeps.Sleep,
				Jitter: func() float64 { return 0 },
				OnWait: func(w Wait) { waits = append(waits, w) },
			}
			r := runBatch(t, context.Background(), b, []Key{keyFor(s)})[0]
			if r.Class != tt.wantClass || r.HTTPStatus != tt.wantStatus || r.Attempts != tt.wantAttempts {
				t.Errorf("got %v after %d attempts, want %s %d after %d", r, r.Attempts, tt.wantClass, tt.wantStatus, tt.wantAttempts)
			}
			if n := len(s.Requests()); n != tt.wantRequests {
				t.Errorf("fake saw %d requests, want %d", n, tt.wantRequests)
			}
			got := nonZero(sleeps.recorded())
			if !slices.Equal(got, tt.wantWaits) {
				t.Errorf("waits %v, want %v", got, tt.wantWaits)
			}
			if len(waits) != len(tt.wantWaits) {
				t.Errorf("OnWait heard %v, want %d waits", waits, len(tt.wantWaits))
			}
			var waited time.Duration
			for _, d := range got {
				waited += d
			}
			if r.Latency() < waited {
				t.Errorf("latency %s, want at least the %s waited", r.Latency(), waited)
			}
		})
	}
}

// TestBatchRetryJitterAndBudget: jitter shortens a backoff by up to a
// quarter; no retry starts whose wait would end past the key's budget.
func TestBatchRetryJitterAndBudget(t *testing.T) {
	s := newFake(t)
	s.AddFault(m3tertest.FailOnce(m3tertest.TokenEndpoint, 500))
	sleeps := &sleepRecorder{}
	b := &Batch{Client: newClient(t, Options{Now: sleeps.Now}), Rate: math.Inf(1), Sleep: sleeps.Sleep,
		Jitter: func() float64 { return 0.5 }}
	if r := b.Check(context.Background(), keyFor(s), false); r.Class != Valid {
		t.Fatalf("got %v, want valid after a retry", r)
	}
	if got, want := nonZero(sleeps.recorded()), []time.Duration{initialBackoff * 7 / 8}; !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}

	s.AddFault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Status: 429, RetryAfter: "30", Times: 1})
	b = &Batch{Client: newClient(t, Options{Now: sleeps.Now}), Rate: math.Inf(1), Sleep: sleeps.Sleep, KeyBudget: 10 * time.Second}
	if r := b.Check(context.Background(), keyFor(s), false); r.Class != Undetermined || r.HTTPStatus != 429 || r.Attempts != 1 {
		t.Errorf("got %v after %d attempts, want 429 undetermined with no retry past the budget", r, r.Attempts)
	}
}

func TestServerDelay(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		header, value string
		want          time.Duration
		ok            bool
	}{
		{"Retry-After", "", 0, false},
		{"Retry-After", "3", 3 * time.Second, true},
		{"Retry-After", "0", 0, true},
		{"Retry-After", " 7 ", 7 * time.Second, true},
		{"Retry-After", "1.5", 1500 * time.Millisecond, true},
		{"Retry-After", "60", time.Minute, true},
		{"Retry-After", "61", 0, false},
		{"Retry-After", "99999999999999999999", 0, false},
		{"Retry-After", "-4", 0, false},
		{"Retry-After", "NaN", 0, false},
		{"Retry-After", "soon", 0, false},
		{"Retry-After", now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second, true},
		{"Retry-After", now.Add(time.Hour).Format(http.TimeFormat), 0, false},
		{"Retry-After-Ms", "250", 250 * time.Millisecond, true},
		{"Retry-After-Ms", "60001", 0, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set(tt.header, tt.value)
		}
		if got, ok := serverDelay(h, now); got != tt.want || ok != tt.ok {
			t.Errorf("%s: %q = %s, %t; want %s, %t", tt.header, tt.value, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRetryDelayBacksOff(t *testing.T) {
	none := func() float64 { return 0 }
	for n, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second} {
		if got := retryDelay(n, http.Header{}, time.Time{}, none); got != want {
			t.Errorf("retry %d: %s, want %s", n, got, want)
		}
	}
}

func TestWaitString(t *testing.T) {
	for d, want := range map[time.Duration]string{
		7 * time.Second:        "waiting 7 s: 429",
		500 * time.Millisecond: "waiting 0.5 s: 429",
		30 * time.Second:       "waiting 30 s: 429",
	} {
		if got := (Wait{For: d, Reason: "429"}).String(); got != want {
			t.Errorf("%s: %q, want %q", d, got, want)
		}
	}
}
