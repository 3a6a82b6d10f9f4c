package agent

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"filippo.io/age"

	"github.com/m3keys/m3keys/internal/childenv"
	"github.com/m3keys/m3keys/keystore"
)

// ErrNotRunning: no agent holds the store — never started, locked, timed out, killed (its
// socket left behind), or one for another identity. Callers fall back to the passphrase.
var ErrNotRunning = errors.New("the store is locked")

// Client talks to the agent of one store. Every call is bounded by a short timeout.
type Client struct {
	dir, socket string
	Timeout     time.Duration
}

// ForStore is the client of dir's agent; it fails only when there can be no agent
// (an unsupported system, no private directory for the socket).
func ForStore(dir string) (*Client, error) {
	key, err := storeKey(dir)
	if err != nil {
		return nil, err
	}
	sock, err := SocketPath(key)
	if err != nil {
		return nil, err
	}
	return &Client{dir: key, socket: sock, Timeout: ioTimeout}, nil
}

// Socket is the agent's socket path.
func (c *Client) Socket() string { return c.socket }

func (c *Client) call(req request) (response, error) {
	req.Dir = c.dir
	conn, err := net.DialTimeout("unix", c.socket, c.Timeout)
	if err != nil {
		return response{}, fmt.Errorf("%w (%v)", ErrNotRunning, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(c.Timeout))
	werr := writeMessage(conn, req)
	// Read even when the write failed: an agent that refuses this uid says so and hangs up.
	var resp response
	if err := readMessage(bufio.NewReader(conn), &resp); err != nil {
		if werr != nil {
			err = werr
		}
		return response{}, fmt.Errorf("%w (%v)", ErrNotRunning, err)
	}
	if resp.Err != "" {
		return resp, fmt.Errorf("%w (the agent says: %s)", ErrNotRunning, resp.Err)
	}
	return resp, nil
}

// Status is an unlocked agent's state.
type Status struct {
	Recipient *age.X25519Recipient
	Until     time.Time // when it locks unless used (idle), or at its maximum
	Idle      time.Duration
	PID       int // the agent's process
}

// Status asks whether the store is unlocked; ErrNotRunning when not.
func (c *Client) Status() (Status, error) {
	resp, err := c.call(request{Op: opStatus})
	if err != nil {
		return Status{}, err
	}
	r, err := age.ParseX25519Recipient(resp.Recipient)
	if err != nil {
		return Status{}, fmt.Errorf("%w (the agent's recipient does not parse)", ErrNotRunning)
	}
	idle, _ := time.ParseDuration(resp.Idle)
	return Status{Recipient: r, Until: resp.Until, Idle: idle, PID: resp.PID}, nil
}

// Lock tells the agent to forget the identity and exit; false when none was running.
func (c *Client) Lock() (bool, error) {
	if _, err := c.call(request{Op: opLock}); err != nil {
		return false, nil
	}
	c.waitGone(2 * time.Second)
	return true, nil
}

// waitGone waits until the socket no longer answers.
func (c *Client) waitGone(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		conn, err := net.DialTimeout("unix", c.socket, 100*time.Millisecond)
		if err != nil {
			return
		}
		conn.Close()
	}
}

// Identity is the agent as an age identity, with the store's recipient: what
// keystore.OpenWith takes. ErrNotRunning when the store is locked.
func (c *Client) Identity() (age.Identity, *age.X25519Recipient, error) {
	st, err := c.Status()
	if err != nil {
		return nil, nil, err
	}
	return &agentIdentity{c: c}, st.Recipient, nil
}

// agentIdentity unwraps file keys through the agent: it sends a file's recipient stanzas
// and gets the file key back, nothing else.
type agentIdentity struct{ c *Client }

var _ age.Identity = (*agentIdentity)(nil)

func (a *agentIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	req := request{Op: opUnwrap, Stanzas: make([]stanza, len(stanzas))}
	for i, s := range stanzas {
		req.Stanzas[i] = stanza{Type: s.Type, Args: s.Args, Body: s.Body}
	}
	resp, err := a.c.call(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", keystore.ErrIdentityUnavailable, err)
	}
	if resp.NoMatch {
		return nil, age.ErrIncorrectIdentity
	}
	return resp.FileKey, nil
}

// TokenGet is the token held under key, if the agent holds one with more than TokenMargin left.
func (c *Client) TokenGet(key string) (Token, bool) {
	resp, err := c.call(request{Op: opTokenGet, TokenKey: key})
	if err != nil || resp.Token == nil {
		return Token{}, false
	}
	return *resp.Token, true
}

// TokenPut has the agent hold t under key.
func (c *Client) TokenPut(key string, t Token) error {
	_, err := c.call(request{Op: opTokenPut, TokenKey: key, Token: &t})
	return err
}

// Options are an agent's lifetimes; zero values take the defaults.
type Options struct {
	Idle, Max, Poll time.Duration
}

// Started is a started agent.
type Started struct {
	PID  int
	Done <-chan struct{} // closed when it ended, in the process that started it
}

// Start unlocks: it starts a detached copy of exe (os.Executable()) holding id, the identity
// decrypted from identityFile (identity.age's bytes), for dir's store. An agent already
// running for the store is told to lock first, so it is refreshed. The identity goes
// through a pipe; argv and environment (childenv's: no M3KEYS_ variables) carry none of it.
func Start(exe, dir string, id *age.X25519Identity, identityFile []byte, o Options) (*Started, error) {
	c, err := ForStore(dir)
	if err != nil {
		return nil, err
	}
	if o.Idle <= 0 {
		o.Idle = DefaultIdle
	}
	if o.Max <= 0 || o.Max > MaxLifetime {
		o.Max = MaxLifetime
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	_, _ = c.Lock()
	sum := sha256.Sum256(identityFile)
	cfg := config{Dir: c.dir, Identity: id.String(), IdentityHash: sum[:], Socket: c.socket,
		Idle: o.Idle.String(), Max: o.Max.String(), Poll: o.Poll.String()}
	data, err := json.Marshal(cfg)
	cfg.Identity = ""
	if err != nil {
		return nil, err
	}
	defer clear(data)
	cmd := exec.Command(exe, ServeArg)
	cmd.Env = childenv.Environ()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Dir = "/"
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("the agent could not start: %v", err)
	}
	done := make(chan struct{})
	_, werr := in.Write(data)
	_ = in.Close()
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(l)
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
		close(done)
	}()
	fail := func(why string) (*Started, error) {
		_ = cmd.Process.Kill()
		<-done
		return nil, fmt.Errorf("the agent could not start: %s", why)
	}
	if werr != nil {
		return fail(werr.Error())
	}
	select {
	case l := <-line:
		if l != "ready" {
			return fail(strings.TrimPrefix(l, "error: "))
		}
	case <-time.After(10 * time.Second):
		return fail("it did not answer within 10 s")
	}
	return &Started{PID: cmd.Process.Pid, Done: done}, nil
}

// IsNotRunning says err means: no usable agent, fall back.
func IsNotRunning(err error) bool {
	return errors.Is(err, ErrNotRunning) || errors.Is(err, keystore.ErrIdentityUnavailable)
}
