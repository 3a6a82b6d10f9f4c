package m3tertest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	grantType, err := readGrantType(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), false)
		return
	}
	if grantType != "client_credentials" {
		writeError(w, http.StatusBadRequest, "grant_type must be client_credentials", true)
		return
	}
	id, secret, ok := r.BasicAuth()
	s.mu.Lock()
	k, known := s.keys[id]
	s.mu.Unlock()
	if !ok || !known || subtle.ConstantTimeCompare([]byte(secret), []byte(k.Secret)) != 1 {
		writeError(w, http.StatusUnauthorized, "Invalid credentials", false)
		return
	}

	now := time.Now()
	token := s.issue(k, now)
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":   "Bearer",
		"access_token": token,
		"expires_in":   int(TokenLifetime / time.Second),
		"scope":        nil,
	})
}

// readGrantType reads grant_type from the JSON body m3ter's SDKs send or
// the form body m3ter's docs show.
func readGrantType(r *http.Request) (string, error) {
	switch mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt {
	case "application/json":
		var req struct {
			GrantType string `json:"grant_type"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
			return "", nil
		}
		return req.GrantType, nil
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return "", nil
		}
		return r.PostForm.Get("grant_type"), nil
	}
	return "", errors.New("Content-Type must be application/json or application/x-www-form-urlencoded")
}

// issue makes a JWT-shaped token whose claims name the key's organization
// and service user, and remembers it for users/me.
func (s *Server) issue(k Key, now time.Time) string {
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{
		"orgId": k.OrgID,
		"sub":   k.ServiceUserID,
		"iss":   s.URL,
		"iat":   now.Unix(),
		"exp":   now.Add(TokenLifetime).Unix(),
	})
	signature := make([]byte, 32)
	rand.Read(signature)
	token := enc.EncodeToString(header) + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString(signature)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = issued{key: k, expires: now.Add(TokenLifetime)}
	return token
}

func bearer(r *http.Request) string {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return token
}
