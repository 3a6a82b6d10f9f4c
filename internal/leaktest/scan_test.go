package leaktest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// markerPrefix starts every secret the tests store, so one search finds any of them.
const markerPrefix = "LEAKMARKER"

// jwtPrefix is how every JWT (and so every Bearer token m3ter issues) starts: base64 of `{"`.
const jwtPrefix = "eyJ"

// ageHeader starts every age file; such a file is ciphertext, whose base64 header
// lines may hold "eyJ" by chance, so only markers are searched for there.
const ageHeader = "age-encryption.org/v1\n"

// needle is something that must not be found; label says what it is without saying it.
type needle struct {
	label string
	value []byte
}

// secrets makes the markers of one run and knows every form a leak of them could take.
type secrets struct {
	nonce   string // random, in every marker, so a marker cut at its front is found too
	mu      sync.Mutex
	needles []needle
	// windows holds every run of window bytes of every secret and passphrase, so a piece of
	// one (a secret cut to fit, its tail shown as a hint) is found as well as the whole.
	windows map[string]string
	n       int
}

// window is the shortest piece of a secret that counts as a leak.
const window = 10

func newSecrets(t *testing.T) *secrets {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	s := &secrets{nonce: hex.EncodeToString(b), windows: map[string]string{}}
	s.add("a secret marker", markerPrefix)
	s.add("a secret marker's random part", s.nonce)
	s.add("a secret marker in hex", hex.EncodeToString([]byte(markerPrefix)))
	return s
}

func (s *secrets) add(label, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.needles = append(s.needles, needle{label, []byte(value)})
}

// marker returns a new secret (valid as an API secret: printable ASCII, no space), with
// random bytes of its own so that any piece of it is unlike any other text.
func (s *secrets) marker() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	s.mu.Lock()
	s.n++
	m := fmt.Sprintf("%s-%s-%d-%s", markerPrefix, s.nonce, s.n, hex.EncodeToString(b))
	s.mu.Unlock()
	s.addWindows("a piece of a secret marker", m)
	return m
}

func (s *secrets) addWindows(label, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i+window <= len(value); i++ {
		s.windows[value[i:i+window]] = label
	}
}

// credentials registers the Basic credentials of a key pair: a leaked Authorization
// header shows the secret only in base64.
func (s *secrets) credentials(keyID, secret string) {
	basic := keyID + ":" + secret
	s.add("Basic credentials (base64)", base64.StdEncoding.EncodeToString([]byte(basic)))
	s.add("Basic credentials (base64url)", base64.RawURLEncoding.EncodeToString([]byte(basic)))
}

// passphrase registers a passphrase: it must not leak either.
func (s *secrets) passphrase(p string) {
	s.add("a passphrase", p)
	s.addWindows("a piece of a passphrase", p)
}

// scanOpts says what a place may legitimately hold.
type scanOpts struct {
	allowJWT bool // token's stdout
}

// scan returns one line per finding: where, at which byte offset, and what — never the value.
func (s *secrets) scan(where string, data []byte, o scanOpts) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []string
	for _, n := range s.needles {
		if i := bytes.Index(data, n.value); i >= 0 {
			found = append(found, fmt.Sprintf("%s: %s at byte offset %d (%d occurrence(s))", where, n.label, i, bytes.Count(data, n.value)))
		}
	}
	if len(found) == 0 {
		for i := 0; i+window <= len(data); i++ {
			if label, ok := s.windows[string(data[i:i+window])]; ok {
				found = append(found, fmt.Sprintf("%s: %s (%d bytes) at byte offset %d", where, label, window, i))
				break
			}
		}
	}
	if !o.allowJWT {
		if i := bytes.Index(data, []byte(jwtPrefix)); i >= 0 {
			found = append(found, fmt.Sprintf("%s: a JWT (%q) at byte offset %d", where, jwtPrefix, i))
		}
	}
	return found
}

// scanTree scans every file (and every name) under root; files listed in encrypted must
// be age ciphertext and are searched for markers only. It returns the findings and the
// number of files read.
func (s *secrets) scanTree(t *testing.T, label, root string, encrypted map[string]bool) ([]string, int) {
	t.Helper()
	var found []string
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		where := label + "/" + filepath.ToSlash(rel)
		found = append(found, s.scan(where+" (its name)", []byte(rel), scanOpts{})...)
		if !d.Type().IsRegular() {
			if !d.IsDir() {
				found = append(found, where+": not a regular file or directory ("+d.Type().String()+")")
			}
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		isAge := bytes.HasPrefix(data, []byte(ageHeader))
		if encrypted[rel] && !isAge {
			found = append(found, where+": should be age ciphertext and is not")
		}
		// Any other age file (say a temp file left by a save) is ciphertext as well.
		found = append(found, s.scan(where, data, scanOpts{allowJWT: isAge})...)
		return nil
	})
	if err != nil {
		t.Fatalf("scanning %s: %v", label, err)
	}
	return found, files
}

// storeFiles are the store's encrypted files.
var storeFiles = map[string]bool{"identity.age": true, "keystore.age": true, "keystore.age.bak": true}

// report fails the test with the findings, one per line; they never hold a secret.
func report(t *testing.T, findings []string) {
	t.Helper()
	if len(findings) > 0 {
		t.Errorf("%d leak(s):\n  %s", len(findings), strings.Join(findings, "\n  "))
	}
}

// TestScanFindsEveryForm proves the scanner itself can fail.
func TestScanFindsEveryForm(t *testing.T) {
	s := newSecrets(t)
	m := s.marker()
	s.credentials("AK-1", m)
	s.passphrase("PASS-phrase-xyz")
	basic := base64.StdEncoding.EncodeToString([]byte("AK-1:" + m))
	cases := map[string]string{
		"marker":        "error: " + m + "\n",
		"cut marker":    "…" + m[len(m)-20:],
		"hex":           hex.EncodeToString([]byte(m)),
		"basic":         "Authorization: Basic " + basic,
		"jwt":           "Bearer eyJhbGciOi.x.y",
		"passphrase":    "wrong PASS-phrase-xyz",
		"cut on screen": markerPrefix + "-ab…",
		"tail as hint":  "secret …" + m[len(m)-window:],
		"middle piece":  m[12 : 12+window],
	}
	for name, data := range cases {
		got := s.scan("stdout", []byte(data), scanOpts{})
		if len(got) == 0 {
			t.Errorf("%s: not found", name)
		}
		for _, g := range got {
			if strings.Contains(g, m) || strings.Contains(g, basic) || strings.Contains(g, "PASS-phrase") {
				t.Errorf("%s: the finding quotes the secret", name)
			}
		}
	}
	if got := s.scan("stdout", []byte("Bearer eyJhbGciOi.x.y"), scanOpts{allowJWT: true}); len(got) != 0 {
		t.Errorf("a JWT where allowed: %v", got)
	}
	if got := s.scan("stdout", []byte("AK-1 ACTIVE 3d copy once ✓ valid"), scanOpts{}); len(got) != 0 {
		t.Errorf("clean output flagged: %v", got)
	}
}
