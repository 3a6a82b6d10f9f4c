package agent

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"filippo.io/age"

	"github.com/m3keys/m3keys/keystore"
)

// ServeArg is the hidden argument on which m3keys runs as the agent. main checks for it
// before anything else:
//
//	if len(os.Args) == 2 && os.Args[1] == agent.ServeArg { os.Exit(agent.Main()) }
const ServeArg = "__unlock-agent"

// Defaults.
const (
	DefaultIdle = 15 * time.Minute
	MaxLifetime = 12 * time.Hour
	// DefaultPoll is how often an idle agent looks whether identity.age changed.
	DefaultPoll = 2 * time.Second
	// ioTimeout bounds every read and write on a connection, both ends.
	ioTimeout = 2 * time.Second
)

// config is all the agent is told, through its stdin (a pipe): never argv or environment.
type config struct {
	Dir          string `json:"dir"`          // the store's absolute path
	Identity     string `json:"identity"`     // AGE-SECRET-KEY-1…
	IdentityHash []byte `json:"identityHash"` // sha256 of the identity.age it was unlocked from
	Idle         string `json:"idle"`
	Max          string `json:"max"`
	Poll         string `json:"poll"`
	Socket       string `json:"socket"`
}

// Main is the agent process's whole life; its exit code is for tests (stdout is the
// readiness pipe, stderr /dev/null).
func Main() int {
	if err := serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stdout, "error:", err)
		return 1
	}
	return 0
}

type server struct {
	dir, socket string
	idHash      []byte
	idStat      fileStat
	secret      []byte // the identity's text, in locked memory
	secretLen   int
	recipient   string
	idle, max   time.Duration
	started     time.Time
	uid         int
	mu          sync.Mutex
	lastUse     time.Time
	tokens      map[string]Token
	quit        chan string
	quitOnce    sync.Once
	ln          *net.UnixListener
	sockIno     uint64
}

type fileStat struct {
	dev, ino uint64
	size     int64
	mtime    time.Time
}

func statFile(path string) (fileStat, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStat{}, err
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	fs := fileStat{size: fi.Size(), mtime: fi.ModTime()}
	if st != nil {
		fs.dev, fs.ino = uint64(st.Dev), uint64(st.Ino)
	}
	return fs, nil
}

func serve(in io.Reader, ready io.Writer) error {
	harden()
	if !Supported {
		return ErrUnsupported
	}
	var cfg config
	raw, err := io.ReadAll(io.LimitReader(in, 64<<10))
	if err != nil {
		return err
	}
	err = json.Unmarshal(raw, &cfg)
	clear(raw)
	if err != nil {
		return err
	}
	s := &server{dir: cfg.Dir, socket: cfg.Socket, idHash: cfg.IdentityHash, uid: os.Geteuid(),
		tokens: map[string]Token{}, quit: make(chan string, 1), started: time.Now()}
	s.lastUse = s.started
	if s.idle, err = time.ParseDuration(cfg.Idle); err != nil || s.idle <= 0 {
		return errors.New("bad idle time")
	}
	if s.max, err = time.ParseDuration(cfg.Max); err != nil || s.max <= 0 {
		return errors.New("bad maximum")
	}
	poll, err := time.ParseDuration(cfg.Poll)
	if err != nil || poll <= 0 {
		poll = DefaultPoll
	}
	id, err := age.ParseX25519Identity(cfg.Identity)
	if err != nil {
		return errors.New("the identity does not parse")
	}
	s.recipient = id.Recipient().String()
	var free func()
	s.secret, free = lockedBytes(4096)
	defer free()
	s.secretLen = copy(s.secret, cfg.Identity)
	cfg.Identity = ""
	if s.idStat, err = statFile(s.identityPath()); err != nil {
		return err
	}
	if s.identityChanged() {
		return errors.New("identity.age changed while unlocking")
	}
	if err := s.listen(); err != nil {
		return err
	}
	defer s.close()
	fmt.Fprintln(ready, "ready")
	if c, ok := ready.(io.Closer); ok {
		_ = c.Close()
	}
	go s.acceptLoop()
	tick := time.NewTicker(poll)
	defer tick.Stop()
	hard := time.NewTimer(s.max)
	defer hard.Stop()
	for {
		select {
		case <-s.quit:
			return nil
		case <-hard.C:
			return nil
		case <-tick.C:
			if s.identityChanged() || s.idleOver() {
				return nil
			}
		}
	}
}

func (s *server) identityPath() string {
	return s.dir + string(os.PathSeparator) + keystore.IdentityFile
}

// identityChanged: passwd (or --new-identity) replaced identity.age, or it went away.
func (s *server) identityChanged() bool {
	st, err := statFile(s.identityPath())
	if err != nil {
		return true
	}
	if st == s.idStat {
		return false
	}
	data, err := keystore.ReadIdentityFile(s.dir)
	if err != nil {
		return true
	}
	sum := sha256.Sum256(data)
	if string(sum[:]) != string(s.idHash) {
		return true
	}
	s.idStat = st // touched, not changed
	return false
}

func (s *server) idleOver() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Since(s.lastUse) >= s.idle
}

func (s *server) until() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.lastUse.Add(s.idle)
	if hard := s.started.Add(s.max); hard.Before(u) {
		u = hard
	}
	return u
}

func (s *server) used() {
	s.mu.Lock()
	s.lastUse = time.Now()
	s.mu.Unlock()
}

func (s *server) stop(why string) {
	s.quitOnce.Do(func() { s.quit <- why })
}

func (s *server) listen() error {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	if fi, err := os.Lstat(s.socket); err == nil {
		if fi.Mode().Type() != os.ModeSocket {
			return fmt.Errorf("%s is there and is not a socket", s.socket)
		}
		_ = os.Remove(s.socket) // a dead agent's; a live one was told to lock first
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: s.socket, Net: "unix"})
	if err != nil {
		return err
	}
	ln.SetUnlinkOnClose(false) // close removes the socket only while it is still ours
	if err := os.Chmod(s.socket, 0o600); err != nil {
		_ = ln.Close()
		return err
	}
	if st, err := statFile(s.socket); err == nil {
		s.sockIno = st.ino
	}
	s.ln = ln
	return nil
}

func (s *server) close() {
	_ = s.ln.Close()
	if st, err := statFile(s.socket); err == nil && st.ino == s.sockIno {
		_ = os.Remove(s.socket)
	}
	s.mu.Lock()
	clear(s.tokens)
	s.mu.Unlock()
}

func (s *server) acceptLoop() {
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go s.handle(c)
	}
}

func (s *server) handle(c *net.UnixConn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(ioTimeout))
	uid, err := peerUID(c)
	if err != nil || uid != s.uid {
		_ = writeMessage(c, response{Err: fmt.Sprintf("refused: the agent serves uid %d only", s.uid)})
		return
	}
	var req request
	if err := readMessage(bufio.NewReader(c), &req); err != nil {
		_ = writeMessage(c, response{Err: "bad request"})
		return
	}
	_ = writeMessage(c, s.answer(req))
}

func (s *server) answer(req request) response {
	if s.identityChanged() {
		s.stop("identity changed")
		return response{Err: "locked: identity.age changed"}
	}
	if s.idleOver() || time.Since(s.started) >= s.max {
		s.stop("timed out")
		return response{Err: "locked: timed out"}
	}
	if req.Dir != s.dir {
		return response{Err: "wrong store: this agent holds " + s.dir}
	}
	switch req.Op {
	case opStatus:
		return response{Recipient: s.recipient, Until: s.until(), Idle: s.idle.String(), PID: os.Getpid()}
	case opLock:
		s.stop("lock")
		return response{}
	case opUnwrap:
		if len(req.Stanzas) > 64 {
			return response{Err: "too many stanzas"}
		}
		s.used()
		return s.unwrap(req.Stanzas)
	case opTokenGet:
		s.used()
		s.mu.Lock()
		defer s.mu.Unlock()
		t, ok := s.tokens[req.TokenKey]
		if !ok || time.Until(t.Expires) <= TokenMargin {
			delete(s.tokens, req.TokenKey)
			return response{}
		}
		return response{Token: &t}
	case opTokenPut:
		s.used()
		if req.Token == nil || req.TokenKey == "" {
			return response{Err: "no token"}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for k, t := range s.tokens { // expired ones go first
			if time.Until(t.Expires) <= TokenMargin {
				delete(s.tokens, k)
			}
		}
		if len(s.tokens) >= maxTokens {
			return response{Err: "too many tokens held"}
		}
		s.tokens[req.TokenKey] = *req.Token
		return response{}
	}
	return response{Err: "unknown request " + strings.ToValidUTF8(req.Op, "?")}
}

// TokenMargin: a token expiring sooner than this is not handed out (as authclient's).
const TokenMargin = 5 * time.Minute

const maxTokens = 100000

func (s *server) unwrap(in []stanza) response {
	id, err := age.ParseX25519Identity(string(s.secret[:s.secretLen]))
	if err != nil {
		return response{Err: "the identity is gone"}
	}
	st := make([]*age.Stanza, len(in))
	for i, x := range in {
		st[i] = &age.Stanza{Type: x.Type, Args: x.Args, Body: x.Body}
	}
	key, err := id.Unwrap(st)
	if errors.Is(err, age.ErrIncorrectIdentity) {
		return response{NoMatch: true}
	}
	if err != nil {
		return response{Err: "unwrap: " + err.Error()}
	}
	return response{FileKey: key}
}
