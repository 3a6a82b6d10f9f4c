package keystore

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const testPass = "correct horse battery staple"

func newStore(t *testing.T) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	s, err := Create(dir, testPass)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := s.Update(func(tx *Tx) error {
		if err := tx.AddOrg(NewOrg{ID: orgA, Name: "Acme", APIURL: "https://api.m3ter.com"}); err != nil {
			return err
		}
		if err := tx.AddUser(orgA, "ci"); err != nil {
			return err
		}
		return tx.AddKey(orgA, "ci", NewKey{AccessKeyID: "k1", Secret: mustSecret(t, secret)})
	}); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return s, dir
}

func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range []string{IdentityFile, DocumentFile, BackupFile} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			out[name] = b
		}
	}
	return out
}

func assertUnchanged(t *testing.T, dir string, before map[string][]byte) {
	t.Helper()
	after := snapshot(t, dir)
	for name, b := range before {
		if !bytes.Equal(b, after[name]) {
			t.Errorf("%s changed", name)
		}
	}
}

func TestCreateOpenRoundTrip(t *testing.T) {
	_, dir := newStore(t)
	s, err := Open(dir, testPass)
	if err != nil {
		t.Fatal(err)
	}
	ref, ok := s.Document().Key("k1")
	if !ok || ref.Key.Secret.Reveal() != secret || ref.Org.Name != "Acme" {
		t.Fatalf("reopened store lost data: ok=%v", ok)
	}
	for _, name := range []string{IdentityFile, DocumentFile, BackupFile, LockFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v mode %v, want 0600", name, err, fi.Mode().Perm())
		}
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", fi.Mode().Perm())
	}
	if _, err := Create(dir, testPass); !errors.Is(err, ErrStoreExists) {
		t.Errorf("Create over an existing store: %v", err)
	}
	if _, err := Open(t.TempDir(), testPass); !errors.Is(err, ErrNoStore) {
		t.Errorf("Open of an empty dir: %v", err)
	}
}

func TestNoSecretInAnyFileButTheEncryptedOnes(t *testing.T) {
	_, dir := newStore(t)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the secret in clear", e.Name())
		}
	}
}

func TestWrongPassphraseWritesNothing(t *testing.T) {
	_, dir := newStore(t)
	before := snapshot(t, dir)
	_, err := Open(dir, "wrong")
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("got %v, want ErrWrongPassphrase", err)
	}
	assertUnchanged(t, dir, before)
}

func TestDamagedFilesAreRefused(t *testing.T) {
	cases := []struct {
		name   string
		file   string
		damage func([]byte) []byte
	}{
		{"truncated document", DocumentFile, func(b []byte) []byte { return b[:len(b)/2] }},
		{"document cut to header", DocumentFile, func(b []byte) []byte { return b[:40] }},
		{"empty document", DocumentFile, func(b []byte) []byte { return nil }},
		{"bit flip in document body", DocumentFile, func(b []byte) []byte { b[len(b)-10] ^= 1; return b }},
		{"bit flip in document header", DocumentFile, func(b []byte) []byte { b[30] ^= 1; return b }},
		{"truncated identity", IdentityFile, func(b []byte) []byte { return b[:len(b)/2] }},
		{"bit flip in identity body", IdentityFile, func(b []byte) []byte { b[len(b)-5] ^= 1; return b }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, dir := newStore(t)
			path := filepath.Join(dir, c.file)
			b, _ := os.ReadFile(path)
			if err := os.WriteFile(path, c.damage(b), 0o600); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)
			_, err := Open(dir, testPass)
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrWrongPassphrase) {
				t.Fatalf("got %v, want ErrCorrupt", err)
			}
			if c.file == DocumentFile && !errors.Is(err, ErrCorrupt) {
				t.Errorf("a damaged document must not read as a wrong passphrase: %v", err)
			}
			assertUnchanged(t, dir, before)
		})
	}
}

func TestMissingDocumentIsNotAnEmptyStore(t *testing.T) {
	_, dir := newStore(t)
	os.Remove(filepath.Join(dir, DocumentFile))
	var missing *MissingError
	if _, err := Open(dir, testPass); !errors.As(err, &missing) || !errors.Is(err, ErrCorrupt) || filepath.Base(missing.Backup) != BackupFile {
		t.Fatalf("got %v, want ErrCorrupt naming the backup", err)
	}
	os.Remove(filepath.Join(dir, BackupFile))
	if _, err := Open(dir, testPass); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "so is its backup") {
		t.Fatalf("without a backup: got %v", err)
	}
}

func TestDamageSeenByAnOpenStoreWritesNothing(t *testing.T) {
	s, dir := newStore(t)
	path := filepath.Join(dir, DocumentFile)
	b, _ := os.ReadFile(path)
	os.WriteFile(path, b[:len(b)-3], 0o600)
	before := snapshot(t, dir)
	err := s.Update(func(tx *Tx) error { return tx.AddUser(orgA, "x") })
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Update on a damaged file: %v", err)
	}
	assertUnchanged(t, dir, before)
}

func writeDocument(t *testing.T, s *Store, plain string) {
	t.Helper()
	enc, err := encrypt([]byte(plain), s.identity.recipient)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, DocumentFile), enc, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestFutureVersionRefused(t *testing.T) {
	s, dir := newStore(t)
	writeDocument(t, s, `{"version":99,"organizations":[]}`)
	before := snapshot(t, dir)
	_, err := Open(dir, testPass)
	if !errors.Is(err, ErrFutureVersion) {
		t.Fatalf("got %v, want ErrFutureVersion", err)
	}
	assertUnchanged(t, dir, before)
}

func TestDocumentBreakingRulesRefused(t *testing.T) {
	s, dir := newStore(t)
	key := `{"accessKeyId":"k%d","status":"ACTIVE","createdAt":"2026-01-01T00:00:00Z"}`
	three := fmt.Sprintf(`{"version":1,"organizations":[{"id":"%s","apiUrl":"https://api.m3ter.com","serviceUsers":[{"name":"ci","keys":[%s,%s,%s]}]}],"secrets":{"k1":"a","k2":"b","k3":"c"}}`,
		orgA, fmt.Sprintf(key, 1), fmt.Sprintf(key, 2), fmt.Sprintf(key, 3))
	writeDocument(t, s, three)
	if _, err := Open(dir, testPass); !errors.Is(err, ErrCorrupt) {
		t.Errorf("three keys for one user: %v", err)
	}
	writeDocument(t, s, fmt.Sprintf(`{"version":1,"organizations":[{"id":"%s","apiUrl":"x","serviceUsers":[{"name":"ci","keys":[%s]}]}],"secrets":{}}`, orgA, fmt.Sprintf(key, 1)))
	if _, err := Open(dir, testPass); !errors.Is(err, ErrCorrupt) {
		t.Errorf("key without secret: %v", err)
	}
}

func TestBadPermissionsRefusedWithTheFix(t *testing.T) {
	cases := []struct {
		name string
		path func(dir string) string
		mode os.FileMode
		fix  os.FileMode
	}{
		{"directory readable by group", func(d string) string { return d }, 0o750, 0o700},
		{"document readable by others", func(d string) string { return filepath.Join(d, DocumentFile) }, 0o604, 0o600},
		{"identity writable by group", func(d string) string { return filepath.Join(d, IdentityFile) }, 0o620, 0o600},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, dir := newStore(t)
			p := c.path(dir)
			if err := os.Chmod(p, c.mode); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir, testPass)
			var mode *ModeError
			if !errors.Is(err, ErrPermissions) || !errors.As(err, &mode) || mode.Path != p || mode.Mode != c.mode || mode.Private() != c.fix {
				t.Fatalf("got %v, want ErrPermissions naming %s, its mode %04o and %04o", err, p, c.mode, c.fix)
			}
		})
	}
}

// TestBackupHoldsThePreviousVersion saves a few times, once with the backup already the same
// file as keystore.age (as a save that failed after linking it leaves them): each time the
// backup is the previous keystore.age, a file of its own, and no temp file is left.
func TestBackupHoldsThePreviousVersion(t *testing.T) {
	s, dir := newStore(t)
	doc, bakPath := filepath.Join(dir, DocumentFile), filepath.Join(dir, BackupFile)
	for _, user := range []string{"second", "third", "fourth"} {
		if user == "fourth" {
			if err := os.Remove(bakPath); err != nil {
				t.Fatal(err)
			}
			if err := os.Link(doc, bakPath); err != nil {
				t.Skip("no hard links here:", err)
			}
		}
		prev, _ := os.ReadFile(doc)
		if err := s.Update(func(tx *Tx) error { return tx.AddUser(orgA, user) }); err != nil {
			t.Fatal(err)
		}
		bak, _ := os.ReadFile(bakPath)
		if !bytes.Equal(prev, bak) {
			t.Fatalf("%s: backup is not the previous keystore.age", user)
		}
		a, _ := os.Stat(doc)
		b, _ := os.Stat(bakPath)
		if os.SameFile(a, b) {
			t.Fatalf("%s: the backup is keystore.age itself", user)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				t.Fatalf("%s: %s left in the store", user, e.Name())
			}
		}
	}
}

func TestFailedChangeWritesNothing(t *testing.T) {
	s, dir := newStore(t)
	before := snapshot(t, dir)
	err := s.Update(func(tx *Tx) error {
		if err := tx.AddUser(orgA, "half"); err != nil {
			return err
		}
		return tx.AddKey(orgA, "ci", NewKey{AccessKeyID: "k1", Secret: mustSecret(t, secret)})
	})
	if !errors.Is(err, ErrDuplicateKey) {
		t.Fatalf("got %v", err)
	}
	assertUnchanged(t, dir, before)
	if o, _ := s.Document().Org(orgA); len(o.ServiceUsers) != 1 {
		t.Error("half-applied change is visible in memory")
	}
}

func TestTwoStoresInOneProcessKeepEachOthersChanges(t *testing.T) {
	a, dir := newStore(t)
	b, err := Open(dir, testPass)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Update(func(tx *Tx) error { return tx.AddUser(orgA, "from-a") }); err != nil {
		t.Fatal(err)
	}
	// b still holds the old document; its change must be applied on top of a's.
	if err := b.Update(func(tx *Tx) error { return tx.AddUser(orgA, "from-b") }); err != nil {
		t.Fatal(err)
	}
	c, err := Open(dir, testPass)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := c.Document().Org(orgA)
	for _, name := range []string{"from-a", "from-b"} {
		if _, ok := o.User(name); !ok {
			t.Errorf("lost update: %s missing", name)
		}
	}
}

func childCmd(t *testing.T, role, dir, prefix string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "KEYSTORE_TEST_CHILD="+role, "KEYSTORE_TEST_DIR="+dir, "KEYSTORE_TEST_PREFIX="+prefix)
	return cmd
}

func TestTwoProcessesAddingConcurrentlyLoseNothing(t *testing.T) {
	_, dir := newStore(t)
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for _, p := range []string{"a", "b"} {
		cmd := childCmd(t, "add", dir, p)
		out := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v: %s", i, err, outs[i])
		}
	}
	s, err := Open(dir, testPass)
	if err != nil {
		t.Fatal(err)
	}
	d := s.Document()
	for _, p := range []string{"a", "b"} {
		for i := 0; i < 40; i++ {
			if _, ok := d.Key(fmt.Sprintf("%s-%d", p, i)); !ok {
				t.Errorf("key %s-%d lost", p, i)
			}
		}
	}
}

func TestKilledMidSaveLeavesAReadableStore(t *testing.T) {
	_, dir := newStore(t)
	tmp := t.TempDir() // on the store's disk, so renameio would put its temp files there
	for round := 0; round < 5; round++ {
		cmd := childCmd(t, "forever", dir, fmt.Sprintf("r%d", round))
		cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until it is saving, then kill it at a varying point.
		bufio.NewReader(stdout).ReadString('\n')
		time.Sleep(time.Duration(round*7) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		s, err := Open(dir, testPass)
		if err != nil {
			t.Fatalf("round %d: store unreadable after kill: %v", round, err)
		}
		d := s.Document()
		if _, ok := d.Key("k1"); !ok {
			t.Fatalf("round %d: original key lost", round)
		}
		// Every saved user has its key: each save was whole or absent.
		o, _ := d.Org(orgA)
		for _, u := range o.ServiceUsers {
			if len(u.Keys) != 1 {
				t.Fatalf("round %d: user %s has %d keys: torn save", round, u.Name, len(u.Keys))
			}
		}
		if len(o.ServiceUsers) < 2+round {
			t.Fatalf("round %d: only %d users saved", round, len(o.ServiceUsers))
		}
		if left, _ := filepath.Glob(filepath.Join(tmp, ".*")); len(left) > 0 {
			t.Fatalf("round %d: a kill left %v in $TMPDIR", round, left)
		}
	}
}

func TestPassphraseChangeReencryptsIdentityOnly(t *testing.T) {
	s, dir := newStore(t)
	doc, _ := os.ReadFile(filepath.Join(dir, DocumentFile))
	if err := s.ChangePassphrase("new pass"); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, DocumentFile)); !bytes.Equal(doc, after) {
		t.Error("keystore.age rewritten by a passphrase change")
	}
	if _, err := Open(dir, testPass); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("old passphrase still opens: %v", err)
	}
	if _, err := Open(dir, "new pass"); err != nil {
		t.Errorf("new passphrase: %v", err)
	}
	if err := s.ChangePassphrase(""); err == nil {
		t.Error("empty passphrase accepted")
	}
}

func TestExcessiveWorkFactorRefused(t *testing.T) {
	// Hand-craft an identity whose stanza demands 2^30: it must be refused before any work.
	s, _ := newStore(t)
	enc := bytes.Replace(mustRead(t, filepath.Join(s.dir, IdentityFile)), []byte(" 10\n"), []byte(" 30\n"), 1)
	os.WriteFile(filepath.Join(s.dir, IdentityFile), enc, 0o600)
	start := time.Now()
	_, err := Open(s.dir, testPass)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "work factor") {
		t.Fatalf("got %v, want a refusal naming the work factor", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("the demanded work was done before refusing")
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRealWorkFactor(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: one real scrypt takes about a second")
	}
	TestOnlySetWorkFactor(0)
	t.Cleanup(func() { TestOnlySetWorkFactor(10) })
	dir := filepath.Join(t.TempDir(), "s")
	if _, err := Create(dir, testPass); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(mustRead(t, filepath.Join(dir, IdentityFile)), []byte(" 18\n")) {
		t.Error("identity not protected with work factor 18")
	}
}

func TestDocumentWithDuplicateOrganizationsOrUsersRefused(t *testing.T) {
	s, dir := newStore(t)
	org := `{"id":"` + orgA + `","apiUrl":"https://api.m3ter.com","serviceUsers":[%s]}`
	for name, orgs := range map[string]string{
		"organization twice": fmt.Sprintf(org, "") + "," + fmt.Sprintf(org, ""),
		"user twice":         fmt.Sprintf(org, `{"name":"ci","keys":[]},{"name":"ci","keys":[]}`),
	} {
		writeDocument(t, s, `{"version":1,"organizations":[`+orgs+`],"secrets":{}}`)
		if _, err := Open(dir, testPass); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
}

func TestUnchangedUpdateKeepsTheBackup(t *testing.T) {
	s, dir := newStore(t)
	if err := s.Update(func(tx *Tx) error { return tx.AddUser(orgA, "second") }); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	if err := s.Update(func(tx *Tx) error { return tx.EnsureUser(orgA, "second") }); err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, dir, before)
}

func TestCreateRefusesADocumentWithoutItsIdentity(t *testing.T) {
	_, dir := newStore(t)
	os.Remove(filepath.Join(dir, IdentityFile))
	before := snapshot(t, dir)
	_, err := Create(dir, testPass)
	var noIdentity *NoIdentityError
	if !errors.Is(err, ErrStoreExists) || !errors.As(err, &noIdentity) || noIdentity.Document != filepath.Join(dir, DocumentFile) {
		t.Fatalf("got %v, want a refusal naming the document without its identity", err)
	}
	assertUnchanged(t, dir, before)
}

func TestDamagedIdentityAdviceNamesTheIdentity(t *testing.T) {
	_, dir := newStore(t)
	path := filepath.Join(dir, IdentityFile)
	b := mustRead(t, path)
	os.WriteFile(path, b[:len(b)-20], 0o600)
	_, err := Open(dir, testPass)
	if !errors.Is(err, ErrCorrupt) || !errors.As(err, new(*IdentityDamageError)) || !strings.Contains(err.Error(), IdentityFile) {
		t.Fatalf("got %v", err)
	}
}

// WithSaved sees every save that changed the document, with the document saved.
func TestWithSavedSeesEachChangedSave(t *testing.T) {
	_, dir := newStore(t)
	var saved []*Document
	s, err := Open(dir, testPass, WithSaved(func(d *Document) { saved = append(saved, d) }))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *Tx) error {
		return tx.AddOrg(NewOrg{ID: "00000000-0000-4000-8000-000000000009", Name: "Saved", APIURL: "https://api.m3ter.com"})
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(*Tx) error { return nil }); err != nil { // nothing changed: nothing written
		t.Fatal(err)
	}
	if len(saved) != 1 {
		t.Fatalf("the hook saw %d saves, want the one change", len(saved))
	}
	if _, ok := saved[0].Org("00000000-0000-4000-8000-000000000009"); !ok {
		t.Fatal("the hook did not get the document saved")
	}
}

// When keystore.age cannot be linked as the backup, the previous version is written instead.
func TestBackupIsWrittenWhenNoLinkCanBeMade(t *testing.T) {
	s, dir := newStore(t)
	doc, bakPath := filepath.Join(dir, DocumentFile), filepath.Join(dir, BackupFile)
	// The link's temporary name taken by a directory that cannot be removed: the link fails.
	blocker := filepath.Join(dir, fmt.Sprintf(".%s%d", BackupFile, os.Getpid()))
	if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	prev, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(tx *Tx) error { return tx.AddUser(orgA, "second") }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(blocker); err != nil {
		t.Fatalf("the blocker is gone, so the link may not have failed: %v", err)
	}
	bak, err := os.ReadFile(bakPath)
	if err != nil || !bytes.Equal(prev, bak) {
		t.Fatalf("backup is not the previous keystore.age (%v)", err)
	}
	a, _ := os.Stat(doc)
	b, _ := os.Stat(bakPath)
	if os.SameFile(a, b) {
		t.Fatal("the backup is keystore.age itself")
	}
}
