package keystore

import (
	"testing"
)

func TestRefreshSeesAnotherWriterAndDecryptsOnlyWhenChanged(t *testing.T) {
	a, dir := newStore(t)
	b, err := Open(dir, testPass)
	if err != nil {
		t.Fatal(err)
	}
	refresh := func(want bool) {
		t.Helper()
		changed, err := a.Refresh()
		if err != nil || changed != want {
			t.Fatalf("Refresh = %v, %v; want %v", changed, err, want)
		}
	}
	refresh(false)
	before := a.decrypts
	for range 3 {
		refresh(false)
	}
	if a.decrypts != before {
		t.Fatalf("an unchanged file was decrypted %d times", a.decrypts-before)
	}

	if err := b.Update(func(tx *Tx) error { return tx.AddUser(orgA, "from-b") }); err != nil {
		t.Fatal(err)
	}
	refresh(true)
	if o, _ := a.Document().Org(orgA); o == nil {
		t.Fatal("organization gone")
	} else if _, ok := o.User("from-b"); !ok {
		t.Fatal("Refresh did not bring the other writer's change")
	}
	refresh(false)

	// This Store's own save: the file changed, but to what it wrote, so nothing is decrypted.
	if err := a.Update(func(tx *Tx) error { return tx.AddUser(orgA, "from-a") }); err != nil {
		t.Fatal(err)
	}
	before = a.decrypts
	refresh(false)
	if a.decrypts != before {
		t.Fatal("Refresh decrypted this Store's own save")
	}
}

func TestRefreshWaitsForNoSave(t *testing.T) {
	a, _ := newStore(t)
	a.writeMu.Lock() // a save of this process in flight
	changed, err := a.Refresh()
	a.writeMu.Unlock()
	if changed || err != nil {
		t.Fatalf("Refresh during a save = %v, %v; want false, nil", changed, err)
	}
}

func BenchmarkRefreshUnchanged(b *testing.B) {
	dir := b.TempDir() + "/store"
	s, err := Create(dir, testPass)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Refresh(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Refresh(); err != nil {
			b.Fatal(err)
		}
	}
}
