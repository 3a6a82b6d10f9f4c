package m3tertest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Endpoint names one of the two endpoints the fake serves.
type Endpoint string

const (
	TokenEndpoint   Endpoint = "token"
	UsersMeEndpoint Endpoint = "users/me"
)

// BodyFault replaces a response body with a broken one.
type BodyFault string

const (
	NotJSON       BodyFault = "not-json"       // an HTML page
	TruncatedJSON BodyFault = "truncated-json" // JSON cut in the middle
	OversizedBody BodyFault = "oversized"      // 64 MiB, streamed
)

// OversizedBodySize is how much OversizedBody streams.
const OversizedBodySize = 64 << 20

// Fault changes how the fake answers matching requests. The zero Fault
// answers normally. Faults are tried in the order they were added; the
// first that matches a request is applied to it.
type Fault struct {
	KeyID    string   // only requests for this access key ID; "" for any
	Endpoint Endpoint // only this endpoint; "" for both
	// Times is how many requests the fault applies to before it is used
	// up; 0 means every matching request until ClearFaults.
	Times int

	Latency    time.Duration // wait this long before answering
	Hang       bool          // never answer, until the client leaves or Close
	RedirectTo string        // answer 307 with this Location
	Disconnect bool          // drop the connection without answering

	Status     int    // answer with this status and an error body
	Message    string // the error body's message; the status text when ""
	OAuthError bool   // write {"error","error_description"} instead of {"message"}
	RetryAfter string // a Retry-After header value
	Body       BodyFault
}

// AddFault adds a fault; it applies to requests that arrive from now on.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault finds the fault for r and uses up one of its Times. s.mu must
// be held.
func (s *Server) takeFault(r *http.Request) *Fault {
	endpoint, keyID := s.classify(r)
	for i, f := range s.faults {
		if f.Endpoint != "" && f.Endpoint != endpoint || f.KeyID != "" && f.KeyID != keyID {
			continue
		}
		applied := *f
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return &applied
	}
	return nil
}

// classify tells which endpoint r is for and which key it comes from. s.mu
// must be held.
func (s *Server) classify(r *http.Request) (Endpoint, string) {
	if r.URL.Path == "/oauth/token" {
		id, _, _ := r.BasicAuth()
		return TokenEndpoint, id
	}
	if strings.HasSuffix(r.URL.Path, "/users/me") {
		return UsersMeEndpoint, s.tokens[bearer(r)].key.AccessKeyID
	}
	return "", ""
}

// serveFault answers r as f says; it returns false when f leaves the
// answer to the normal handler.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f.Latency > 0 && !s.wait(r, f.Latency) {
		return true
	}
	switch {
	case f.Hang:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
	case f.Disconnect:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
	case f.RedirectTo != "":
		w.Header().Set("Location", f.RedirectTo)
		w.WriteHeader(http.StatusTemporaryRedirect)
	case f.Body != "":
		s.serveBrokenBody(w, f)
	case f.Status != 0:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		writeError(w, f.Status, f.Message, f.OAuthError)
	default:
		return false
	}
	return true
}

func (s *Server) serveBrokenBody(w http.ResponseWriter, f *Fault) {
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	switch f.Body {
	case NotJSON:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		s.write(w, []byte("<html><body>Bad Gateway</body></html>"))
	case TruncatedJSON:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		s.write(w, []byte(`{"token_type":"Bearer","access_tok`))
	case OversizedBody:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		s.streamOversized(w)
	}
}

// streamOversized writes OversizedBodySize bytes in chunks, stopping as
// soon as the client stops taking them.
func (s *Server) streamOversized(w http.ResponseWriter) {
	chunk := []byte(strings.Repeat("a", 32<<10))
	rc := http.NewResponseController(w)
	for sent := 0; sent < OversizedBodySize; sent += len(chunk) {
		select {
		case <-s.closing:
			return
		default:
		}
		_ = rc.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if !s.write(w, chunk) {
			return
		}
	}
}

func (s *Server) write(w http.ResponseWriter, b []byte) bool {
	n, err := w.Write(b)
	s.mu.Lock()
	s.bytesSent += int64(n)
	s.mu.Unlock()
	return err == nil
}

func writeError(w http.ResponseWriter, status int, message string, oauth bool) {
	if message == "" {
		message = http.StatusText(status)
	}
	var body any = map[string]string{"message": message}
	if oauth {
		body = map[string]string{"error": "invalid_client", "error_description": message}
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// FailOnce is a fault that answers one request to endpoint with status,
// after which the endpoint answers normally: a blip a retry rides out.
func FailOnce(endpoint Endpoint, status int) Fault {
	return Fault{Endpoint: endpoint, Status: status, Times: 1}
}
