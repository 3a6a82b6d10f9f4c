package keystore

import (
	"os"
	"time"
)

// Option configures a Store for Open, Create and every later change: how it waits for its
// lock (WithLockTimeout, WithLockNotice) and what runs after each save (WithAfterSave, team.go).
type Option func(*options)

type options struct {
	lockTimeout time.Duration
	lockNotice  func(LockWait)
	noticeAfter time.Duration
	uid         func() int // the current user, injectable so tests can play a non-root user
	afterSave   func(summary string) error
	saved       func(*Document)
}

// DefaultLockTimeout is how long a Store waits for another process to release the lock.
const DefaultLockTimeout = 10 * time.Second

func newOptions(opts []Option) options {
	o := options{lockTimeout: DefaultLockTimeout, noticeAfter: time.Second, uid: os.Geteuid}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithLockTimeout bounds the wait for the store's lock (DefaultLockTimeout when not given).
// Zero or less means: do not wait, fail at once when another process holds it.
func WithLockTimeout(d time.Duration) Option { return func(o *options) { o.lockTimeout = d } }

// WithLockNotice calls notice once when the lock has not been had after about a second,
// so the user learns what m3keys waits for. It runs on the waiting goroutine.
func WithLockNotice(notice func(LockWait)) Option { return func(o *options) { o.lockNotice = notice } }

// WithSaved calls fn after every save that changed keystore.age, with a copy of the document
// saved, under the store's lock (fn must not use the store). The demo mirrors saves in its fake
// m3ter.
func WithSaved(fn func(doc *Document)) Option { return func(o *options) { o.saved = fn } }

// LockWait describes a wait for the store's lock.
type LockWait struct {
	Path    string        // the lock file
	PID     int           // the holder's process ID, 0 when unknown
	Timeout time.Duration // how long the wait lasts at most
}

// withNoticeAfter and withUID are for tests.
func withNoticeAfter(d time.Duration) Option { return func(o *options) { o.noticeAfter = d } }
func withUID(uid int) Option                 { return func(o *options) { o.uid = func() int { return uid } } }
