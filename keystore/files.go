package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/m3keys/m3keys/internal/atomicfile"
)

// MaxFileSize caps what the store reads before decrypting: far above any real store
// (10,000 keys are about 3 MiB), far below what would exhaust memory. A team store's sync
// holds what the remote sends to it too.
const MaxFileSize = 64 << 20

// owner is who must own the store's files, and whether files we create must be
// handed to them (root working on another user's store).
type owner struct {
	uid, gid int
	chown    bool
}

// checkStore checks the directory and every store file in it, as OpenSSH does for
// private keys: owned by the current user (or, for root, by the directory's owner),
// not accessible by group or others, and regular files.
func checkStore(dir string, o options) (owner, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return owner{}, err
	}
	if !fi.IsDir() {
		return owner{}, fmt.Errorf("%s is %w", dir, ErrNotDirectory)
	}
	if errPlatform != nil {
		return owner{}, errPlatform
	}
	dirUID, dirGID, ok := fileOwner(fi)
	if !ok {
		return owner{}, fmt.Errorf("cannot tell who owns %s", dir)
	}
	cur := o.uid()
	own := owner{uid: cur, gid: dirGID}
	switch {
	case cur == 0:
		own = owner{uid: dirUID, gid: dirGID, chown: dirUID != 0}
	case dirUID != cur:
		return owner{}, &OwnerError{Path: dir, UID: dirUID, Want: cur, Dir: true}
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return owner{}, &ModeError{Path: dir, Mode: fi.Mode().Perm(), Dir: true}
	}
	for _, name := range []string{IdentityFile, DocumentFile, BackupFile, LockFile, RecipientsFile, TrustFile} {
		path := filepath.Join(dir, name)
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return owner{}, err
		}
		if err := own.check(path, fi); err != nil {
			return owner{}, err
		}
	}
	return own, nil
}

// check refuses a store file that is not a regular file of ours, private to its owner.
func (own owner) check(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return notRegular(path, fi.Mode())
	}
	if uid, _, ok := fileOwner(fi); ok && uid != own.uid {
		return &OwnerError{Path: path, UID: uid, Want: own.uid}
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return &ModeError{Path: path, Mode: fi.Mode().Perm()}
	}
	return nil
}

func notRegular(path string, mode fs.FileMode) error {
	what := "not a regular file"
	switch {
	case mode&fs.ModeSymlink != 0:
		what = "a symbolic link"
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode.IsDir():
		what = "a directory"
	}
	return fmt.Errorf("%w: %s is %s", ErrNotRegular, path, what)
}

// openStoreFile opens path without following a symlink and without blocking on a FIFO,
// then checks what it opened. A file it creates (os.O_CREATE) is handed to the store's owner.
func openStoreFile(path string, flag int, own owner) (*os.File, error) {
	f, err := os.OpenFile(path, flag|openFlags, 0o600)
	if err != nil {
		if isSymlinkRefusal(err) {
			return nil, notRegular(path, fs.ModeSymlink)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && flag&os.O_CREATE != 0 && own.chown && fi.Mode().IsRegular() {
		if uid, _, ok := fileOwner(fi); ok && uid != own.uid {
			if err = f.Chown(own.uid, own.gid); err == nil {
				fi, err = f.Stat()
			}
		}
	}
	if err == nil {
		err = own.check(path, fi)
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// readStoreFile reads a store file, refusing anything but a regular file of ours
// and anything larger than MaxFileSize before reading it.
func readStoreFile(path string, own owner) ([]byte, error) {
	f, err := openStoreFile(path, os.O_RDONLY, own)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read-only
	tooLarge := fmt.Errorf("%w: %s is larger than any m3keys store (over %d MiB), so it is not one", ErrCorrupt, path, MaxFileSize>>20)
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	} else if fi.Size() > MaxFileSize {
		return nil, tooLarge
	}
	// Read into a buffer of the file's size (and a little, to see it end), not one grown
	// by doubling: a save reads the store file it replaces.
	buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxFileSize+1)); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	if len(data) > MaxFileSize {
		return nil, tooLarge
	}
	return data, nil
}

// writeFile is a crash-safe replace: a temp file in the store directory (never $TMPDIR,
// where a kill would leave a copy of the store), fsync, rename, fsync the directory.
func writeFile(path string, data []byte, own owner) error {
	var chown func(atomicfile.Pending) error
	if own.chown {
		chown = func(pf atomicfile.Pending) error { return pf.Chown(own.uid, own.gid) }
	}
	if err := atomicfile.Write(path, data, 0o600, chown); err != nil {
		return fmt.Errorf("cannot save %s: %w", path, err)
	}
	return nil
}

// tempPattern matches renameio's temp files for our files: "." + name + a decimal number.
var tempPattern = regexp.MustCompile(`^\.(identity\.age|keystore\.age|keystore\.age\.bak|recipients\.txt|recipients\.trusted)[0-9]+$`)

// removeStaleTemps deletes temp files left by a save that was killed. The caller holds
// the lock, so no save of ours is under way.
func removeStaleTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Type().IsRegular() && tempPattern.MatchString(e.Name()) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
