package clipboard

import (
	"testing"
	"time"
)

func TestPending(t *testing.T) {
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	f := &Fake{}
	secret := marker(t)
	h, _ := f.Write(secret)
	p := NewPending(f, h, start, 30*time.Second)

	if !p.Held() || p.Due(start) || p.Due(start.Add(29*time.Second)) {
		t.Fatal("pending should be held and not yet due")
	}
	for _, tc := range []struct {
		after, want time.Duration
	}{{0, 30 * time.Second}, {7*time.Second + 200*time.Millisecond, 23 * time.Second}, {29*time.Second + time.Millisecond, time.Second}, {31 * time.Second, 0}} {
		if left, ok := p.Remaining(start.Add(tc.after)); !ok || left != tc.want {
			t.Errorf("Remaining after %v = %v, %v; want %v", tc.after, left, ok, tc.want)
		}
	}
	if !p.Due(start.Add(30 * time.Second)) {
		t.Fatal("not due at the deadline")
	}
	if cleared, err := p.ClearIfUnchanged(); !cleared || err != nil || !f.Empty() {
		t.Fatal("clipboard still holds the marker")
	}

	h, _ = f.Write(secret)
	p = NewPending(f, h, start, time.Minute)
	f.Set("the user copied something else")
	if cleared, _ := p.ClearIfUnchanged(); cleared || !f.Holds("the user copied something else") {
		t.Fatal("Pending cleared what the user copied afterwards")
	}

	never := NewPending(f, h, start, 0)
	if _, ok := never.Remaining(start); ok || never.Due(start.Add(1000*time.Hour)) || !never.Held() {
		t.Fatal("timeout 0 should hold but never be due")
	}
	var none Pending
	if cleared, err := none.ClearIfUnchanged(); none.Held() || cleared || err != nil || none.Due(start) {
		t.Fatal("the zero Pending should hold nothing and clear nothing")
	}
	if _, ok := none.Remaining(start); ok {
		t.Fatal("the zero Pending has a countdown")
	}
}
