package keystore

import (
	"io/fs"
	"os"
	"path/filepath"
)

// fileStamp is what stat says of keystore.age: a replaced file (every save renames a new
// one into place) has another inode, and almost surely another size or time.
type fileStamp struct {
	dev, ino uint64
	size     int64
	mtime    int64 // nanoseconds
}

func stampOf(fi fs.FileInfo) fileStamp {
	st := fileStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	st.dev, st.ino = fileIdentity(fi)
	return st
}

// Refresh shows what another process (the CLI, a sync, another TUI) saved: it re-reads
// keystore.age only when stat says the file changed, and decrypts it only when its bytes
// differ from what this Store last read or wrote, with the identity already unlocked. It
// reports whether Document changed. It takes no directory lock (every save is an atomic
// rename), and it does nothing while this process saves: the save re-reads anyway.
func (s *Store) Refresh() (changed bool, err error) {
	if !s.writeMu.TryLock() {
		return false, nil
	}
	defer s.writeMu.Unlock()
	fi, err := os.Stat(filepath.Join(s.dir, DocumentFile))
	if err == nil && s.stamp != nil && *s.stamp == stampOf(fi) {
		return false, nil
	}
	before := s.current()
	if err := s.refresh(); err != nil {
		return false, err
	}
	if fi != nil {
		st := stampOf(fi) // taken before the read: a file replaced meanwhile is read again next time
		s.stamp = &st
	}
	return s.current() != before, nil
}
