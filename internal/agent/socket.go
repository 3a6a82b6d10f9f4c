package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// ErrUnsupported: this system cannot check who connects to a socket, so there is no agent.
var ErrUnsupported = errors.New("the unlock agent is not supported on this system (it cannot check who connects)")

// SocketPath is the agent socket of the store in dir: a name derived from the store's
// absolute path, in the user's runtime directory, which it makes and checks.
func SocketPath(dir string) (string, error) {
	if !Supported {
		return "", ErrUnsupported
	}
	abs, err := storeKey(dir)
	if err != nil {
		return "", err
	}
	sockDir, err := socketDir()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(abs))
	p := filepath.Join(sockDir, "agent-"+hex.EncodeToString(sum[:12])+".sock")
	if len(p) > maxSocketPath {
		return "", &SocketDirError{Dir: sockDir, Err: fmt.Errorf("%w (%d bytes): %s", ErrSocketPathLong, maxSocketPath, p)}
	}
	return p, nil
}

// storeKey is the store's absolute, cleaned path: the name the agent knows it by.
func storeKey(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return abs, nil
}

// Why the agent's socket cannot be made: facts only; each front end says what to do about them.
var (
	// ErrSocketPathLong: the socket path is over the 104–108 bytes sun_path holds.
	ErrSocketPathLong = errors.New("the socket path is longer than unix sockets allow")
	// ErrSocketDirNotMade: the socket directory could not be created.
	ErrSocketDirNotMade = errors.New("it cannot be made")
	// ErrSocketDirNotDir: the socket directory's path is a file.
	ErrSocketDirNotDir = errors.New("it is not a directory")
	// ErrSocketDirForeign: the socket directory belongs to another uid: another user could answer.
	ErrSocketDirForeign = errors.New("it belongs to another user")
	// ErrSocketDirMode: the socket directory is open to others: they could replace the socket.
	ErrSocketDirMode = errors.New("its mode is not 0700")
)

// SocketDirError is a socket directory the agent cannot use; Err is why (an ErrSocket… above).
type SocketDirError struct {
	Dir string
	Err error
}

func (e *SocketDirError) Error() string {
	return "the agent's directory " + e.Dir + ": " + e.Err.Error()
}
func (e *SocketDirError) Unwrap() error { return e.Err }

// maxSocketPath is what every unix takes in sun_path (macOS 104 with the NUL, Linux 108).
const maxSocketPath = 103

// socketDir is $XDG_RUNTIME_DIR/m3keys, else m3keys-UID under the temp dir: made 0700 when
// missing, and refused unless it is a directory (not a link) of this user's with mode 0700.
func socketDir() (string, error) {
	var dir string
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" && filepath.IsAbs(rt) {
		dir = filepath.Join(rt, "m3keys")
	} else {
		dir = filepath.Join(os.TempDir(), "m3keys-"+strconv.Itoa(os.Geteuid()))
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", &SocketDirError{Dir: dir, Err: fmt.Errorf("%w: %v", ErrSocketDirNotMade, err)}
	}
	return dir, checkPrivateDir(dir)
}

func checkPrivateDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	uid, ok := fileOwner(fi)
	switch {
	case !fi.IsDir():
		return &SocketDirError{Dir: dir, Err: ErrSocketDirNotDir}
	case !ok || uid != os.Geteuid():
		return &SocketDirError{Dir: dir, Err: ErrSocketDirForeign}
	case fi.Mode().Perm() != 0o700:
		return &SocketDirError{Dir: dir, Err: fmt.Errorf("%w (it is %04o)", ErrSocketDirMode, fi.Mode().Perm())}
	}
	return nil
}
