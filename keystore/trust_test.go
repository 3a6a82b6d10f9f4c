package keystore

import (
	"bufio"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/validate"
)

// holdFlock takes the lock file's flock through its own descriptor, as another process would.
func holdFlock(t *testing.T, dir string) (release func()) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }
}

func TestLockWaitIsBoundedAndNamesTheHolder(t *testing.T) {
	_, dir := newStore(t)
	var notices atomic.Int32
	var seen LockWait
	// The notice is due 100ms into a 1s wait: a waiter stalled by a busy machine past the
	// whole timeout would time out without it, so the margin is wide.
	const timeout = time.Second
	s, err := Open(dir, testPass, WithLockTimeout(timeout), withNoticeAfter(100*time.Millisecond),
		WithLockNotice(func(w LockWait) { notices.Add(1); seen = w }))
	if err != nil {
		t.Fatal(err)
	}
	release := holdFlock(t, dir)
	defer release()
	os.WriteFile(filepath.Join(dir, LockFile), []byte("4242\n"), 0o600)
	before := snapshot(t, dir)
	start := time.Now()
	err = s.Update(func(tx *Tx) error { return tx.AddUser(orgA, "waits") })
	if waited := time.Since(start); waited > 20*time.Second { // a hang guard
		t.Fatalf("Update waited %s with a %s timeout", waited, timeout)
	}
	var lt *LockTimeoutError
	if !errors.Is(err, ErrLockTimeout) || !errors.As(err, &lt) || lt.PID != 4242 {
		t.Fatalf("got %v, want ErrLockTimeout naming pid 4242", err)
	}
	if !strings.Contains(err.Error(), "4242") || !strings.Contains(err.Error(), filepath.Join(dir, LockFile)) {
		t.Errorf("message does not name the pid and the path: %v", err)
	}
	if notices.Load() != 1 || seen.PID != 4242 || seen.Timeout != timeout || seen.Path != filepath.Join(dir, LockFile) {
		t.Errorf("notice called %d times with %+v, want once with pid 4242", notices.Load(), seen)
	}
	assertUnchanged(t, dir, before)
	release()
	if err := s.Update(func(tx *Tx) error { return tx.AddUser(orgA, "waits") }); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

func TestLockHeldByAStoppedProcessTimesOut(t *testing.T) {
	_, dir := newStore(t)
	cmd := childCmd(t, "hold", dir, "")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		t.Fatalf("child said %q", line)
	}
	syscall.Kill(cmd.Process.Pid, syscall.SIGSTOP)
	_, err := Open(dir, testPass, WithLockTimeout(200*time.Millisecond))
	if !errors.Is(err, ErrLockTimeout) || !strings.Contains(err.Error(), strconv.Itoa(cmd.Process.Pid)) {
		t.Fatalf("got %v, want ErrLockTimeout naming pid %d", err, cmd.Process.Pid)
	}
}

func TestTempFilesStayInTheStoreDir(t *testing.T) {
	tmp := t.TempDir() // same disk as the store, so renameio would use it
	t.Setenv("TMPDIR", tmp)
	s, dir := newStore(t)
	stale := filepath.Join(dir, ".keystore.age123456789")
	os.WriteFile(stale, []byte("old copy"), 0o600)
	other := filepath.Join(dir, ".keystore.agent")
	os.WriteFile(other, nil, 0o600)
	if err := s.Update(func(tx *Tx) error { return tx.AddUser(orgA, "more") }); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("$TMPDIR holds %v after saves", left)
	}
	if fileExists(stale) {
		t.Error("stale temp file not removed by the next save")
	}
	if !fileExists(other) {
		t.Error("a file that is not ours was removed")
	}
}

func TestNonRegularFilesAreRefused(t *testing.T) {
	cases := []struct {
		name  string
		file  string
		plant func(t *testing.T, path string)
		want  error
	}{
		{"fifo as lock", LockFile, mkfifo, ErrNotRegular},
		{"fifo as identity", IdentityFile, mkfifo, ErrNotRegular},
		{"fifo as document", DocumentFile, mkfifo, ErrNotRegular},
		{"char device via symlink as document", DocumentFile, symlinkTo("/dev/zero"), ErrNotRegular},
		{"symlink lock", LockFile, symlinkTo(filepath.Join(os.TempDir(), "m3keys-lock-target-test")), ErrNotRegular},
		{"1 GiB document", DocumentFile, sparse(1 << 30), ErrCorrupt},
		{"1 GiB identity", IdentityFile, sparse(1 << 30), ErrCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, dir := newStore(t)
			path := filepath.Join(dir, c.file)
			os.Remove(path)
			c.plant(t, path)
			done := make(chan error, 1)
			go func() { _, err := Open(dir, testPass, WithLockTimeout(time.Second)); done <- err }()
			select {
			case err := <-done:
				if !errors.Is(err, c.want) || !strings.Contains(err.Error(), path) {
					t.Fatalf("got %v, want %v naming %s", err, c.want, path)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Open hangs")
			}
			if _, err := os.Lstat(filepath.Join(os.TempDir(), "m3keys-lock-target-test")); err == nil {
				os.Remove(filepath.Join(os.TempDir(), "m3keys-lock-target-test"))
				t.Fatal("a lock symlink created a file elsewhere")
			}
		})
	}
}

func mkfifo(t *testing.T, path string) {
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
}

func symlinkTo(target string) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
	}
}

func sparse(size int64) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAnotherStoresIdentityIsToldApartFromDamage(t *testing.T) {
	_, dir := newStore(t)
	_, other := newStore(t)
	copyFile(t, filepath.Join(other, IdentityFile), filepath.Join(dir, IdentityFile))
	before := snapshot(t, dir)
	_, err := Open(dir, testPass)
	if !errors.Is(err, ErrWrongIdentity) || errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrWrongIdentity", err)
	}
	assertUnchanged(t, dir, before)
}

func TestSwappedDocumentSaysWhatItIs(t *testing.T) {
	_, dir := newStore(t)
	_, other := newStore(t)
	copyFile(t, filepath.Join(other, DocumentFile), filepath.Join(dir, DocumentFile))
	_, err := Open(dir, testPass)
	if err == nil || !strings.Contains(err.Error(), "copied from another store") || strings.Contains(err.Error(), "truncated or altered") {
		t.Fatalf("got %v, want it to say keystore.age comes from another store", err)
	}
	// An identity file copied over keystore.age.
	copyFile(t, filepath.Join(dir, IdentityFile), filepath.Join(dir, DocumentFile))
	if _, err := Open(dir, testPass); err == nil || !strings.Contains(err.Error(), "looks like an identity file") {
		t.Fatalf("got %v, want it to say keystore.age is an identity file", err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.WriteFile(to, mustRead(t, from), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestStoreOfAnotherUserIsRefused(t *testing.T) {
	_, dir := newStore(t) // owned by the user running the tests
	me := os.Geteuid()
	_, err := Open(dir, testPass, withUID(me+12345))
	if !errors.Is(err, ErrOwner) || !strings.Contains(err.Error(), fmt.Sprintf("uid %d", me)) {
		t.Fatalf("got %v, want ErrOwner naming uid %d", err, me)
	}
	if _, err := Create(dir, testPass, withUID(me+12345)); !errors.Is(err, ErrOwner) {
		t.Fatalf("Create: got %v, want ErrOwner", err)
	}
}

func TestRootKeepsTheStoreOwnedByItsUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown")
	}
	dir := filepath.Join(t.TempDir(), "store")
	os.Mkdir(dir, 0o700)
	if err := os.Chown(dir, 12345, 12345); err != nil {
		t.Fatal(err)
	}
	s, err := Create(dir, testPass)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := s.Update(func(tx *Tx) error {
			return tx.AddOrg(NewOrg{ID: []string{orgA, orgB}[i], APIURL: validate.DefaultAPIURL})
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ChangeIdentity(testPass); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fi, _ := e.Info()
		if uid := fi.Sys().(*syscall.Stat_t).Uid; uid != 12345 {
			t.Errorf("%s is owned by uid %d, want 12345", e.Name(), uid)
		}
	}
	if len(entries) != 4 {
		t.Errorf("store holds %d files, want 4", len(entries))
	}
	// A file of root's in that store is refused, naming the owner it must have.
	os.Chown(filepath.Join(dir, BackupFile), 0, 0)
	var owner *OwnerError
	if _, err := Open(dir, testPass); !errors.Is(err, ErrOwner) || !errors.As(err, &owner) || owner.Want != 12345 || owner.UID != 0 || owner.Dir {
		t.Fatalf("got %v, want ErrOwner: uid 0 where the store's is 12345", err)
	}
}

func TestChangeIdentityLocksOutTheOldIdentity(t *testing.T) {
	s, dir := newStore(t)
	if err := s.Update(func(tx *Tx) error { return tx.AddUser(orgA, "second") }); err != nil {
		t.Fatal(err)
	}
	oldID := mustRead(t, filepath.Join(dir, IdentityFile))
	if err := s.ChangeIdentity(""); err == nil {
		t.Fatal("empty passphrase accepted")
	}
	if err := s.ChangeIdentity("new passphrase"); err != nil {
		t.Fatal(err)
	}
	// The store keeps working, and another process opens it with the new passphrase.
	if err := s.Update(func(tx *Tx) error { return tx.AddUser(orgA, "third") }); err != nil {
		t.Fatal(err)
	}
	if s2, err := Open(dir, "new passphrase"); err != nil {
		t.Fatal(err)
	} else if _, ok := s2.Document().Organizations[0].User("third"); !ok {
		t.Fatal("change lost")
	}
	// The old identity (with the old passphrase) opens neither file.
	stolen := filepath.Join(t.TempDir(), "stolen")
	os.Mkdir(stolen, 0o700)
	os.WriteFile(filepath.Join(stolen, IdentityFile), oldID, 0o600)
	for _, f := range []string{DocumentFile, BackupFile} {
		copyFile(t, filepath.Join(dir, f), filepath.Join(stolen, DocumentFile))
		if _, err := Open(stolen, testPass); !errors.Is(err, ErrWrongIdentity) {
			t.Fatalf("old identity on the new %s: got %v, want ErrWrongIdentity", f, err)
		}
	}
	// The backup restores with the new identity.
	copyFile(t, filepath.Join(dir, BackupFile), filepath.Join(dir, DocumentFile))
	s3, err := Open(dir, "new passphrase")
	if err != nil {
		t.Fatalf("backup does not open with the new identity: %v", err)
	}
	if _, ok := s3.Document().Organizations[0].User("second"); !ok {
		t.Fatal("backup lost the previous version")
	}
}

func TestDocumentDoesNotWaitForASave(t *testing.T) {
	s, _ := newStore(t)
	entered, release := make(chan struct{}), make(chan struct{})
	s.beforeIO = func() { close(entered); <-release }
	saved := make(chan error, 1)
	go func() { saved <- s.Update(func(tx *Tx) error { return tx.AddUser(orgA, "slow") }) }()
	<-entered
	defer func() {
		close(release)
		if err := <-saved; err != nil {
			t.Error(err)
		}
	}()
	got := make(chan *Document, 1)
	go func() { got <- s.Document() }()
	select {
	case d := <-got:
		if _, ok := d.Organizations[0].User("slow"); ok {
			t.Fatal("Document shows an uncommitted change")
		}
	case <-time.After(20 * time.Second): // the save is held until the test ends: any wait is a hang
		t.Fatal("Document waits for a save in progress")
	}
}

func TestProductionCodeDoesNotImportTesting(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			if imp.Path.Value == `"testing"` {
				t.Errorf("%s imports testing", f)
			}
		}
	}
}
