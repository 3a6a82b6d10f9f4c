// Package agent is m3keys' unlock agent: a detached copy of m3keys that holds one store's
// unlocked age identity for a work session and does one thing with it — given a file's
// recipient stanzas it answers the file key (age's Identity.Unwrap). The identity never
// leaves it. It also keeps Bearer tokens in memory until 5 minutes before they expire.
//
// The protocol is one request and one response per connection over a unix socket, each a
// 4-byte big-endian length and that many bytes of JSON, at most MaxMessage. Every read and
// write has a deadline: the socket is untrusted input too.
package agent

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// MaxMessage caps one message either way.
const MaxMessage = 1 << 20

// Requests.
const (
	opStatus   = "status"
	opUnwrap   = "unwrap"
	opLock     = "lock"
	opTokenGet = "token-get"
	opTokenPut = "token-put"
)

type stanza struct {
	Type string   `json:"type"`
	Args []string `json:"args"`
	Body []byte   `json:"body"`
}

type request struct {
	Op string `json:"op"`
	// Dir is the store's absolute path: an agent refuses a request for another store.
	Dir     string   `json:"dir"`
	Stanzas []stanza `json:"stanzas,omitempty"`
	// TokenKey names a held token: the key ID and a hash of (API URL, key ID, secret).
	TokenKey string `json:"tokenKey,omitempty"`
	Token    *Token `json:"token,omitempty"`
}

// Token is a held Bearer token's result as its owner encoded it, and when the token expires.
type Token struct {
	Data    json.RawMessage `json:"data"`
	Expires time.Time       `json:"expires"`
}

type response struct {
	Err       string    `json:"err,omitempty"`
	NoMatch   bool      `json:"noMatch,omitempty"` // unwrap: not encrypted to this identity
	FileKey   []byte    `json:"fileKey,omitempty"`
	Recipient string    `json:"recipient,omitempty"`
	Until     time.Time `json:"until,omitzero"`
	Idle      string    `json:"idle,omitempty"`
	PID       int       `json:"pid,omitempty"`
	Token     *Token    `json:"token,omitempty"`
}

func writeMessage(w io.Writer, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if len(data) > MaxMessage {
		return fmt.Errorf("a message of %d bytes is over the agent's limit of %d", len(data), MaxMessage)
	}
	buf := make([]byte, 4+len(data))
	binary.BigEndian.PutUint32(buf, uint32(len(data)))
	copy(buf[4:], data)
	_, err = w.Write(buf)
	return err
}

var errTooLarge = errors.New("message over the agent's size limit")

func readMessage(r io.Reader, v any) error {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return err
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > MaxMessage {
		return errTooLarge
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(r, data); err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}
