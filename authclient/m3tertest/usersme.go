package m3tertest

import (
	"net/http"
	"time"
)

func (s *Server) serveUsersMe(w http.ResponseWriter, r *http.Request) {
	orgID := r.PathValue("orgId")
	s.mu.Lock()
	tok, ok := s.tokens[bearer(r)]
	name := s.orgNames[orgID]
	s.mu.Unlock()

	switch {
	case !ok || time.Now().After(tok.expires):
		// m3ter answers an unknown or expired Bearer token with 403, as its error-code page says.
		writeError(w, http.StatusForbidden, "Access is denied", false)
		return
	case !tok.key.Admin || tok.key.OrgID != orgID:
		writeError(w, http.StatusForbidden, "Access is denied", false)
		return
	}
	if name == "" {
		name = "Test organization"
	}
	// The fields of m3ter's UserMeResponse (its SDKs' type): organization.id
	// and version are required there; nothing m3ter does not send.
	writeJSON(w, http.StatusOK, map[string]any{
		"serviceUser": map[string]any{
			"id":      tok.key.ServiceUserID,
			"name":    tok.key.ServiceUserName,
			"version": 1,
		},
		"organization": map[string]any{
			"id":               orgID,
			"version":          1,
			"orgId":            orgID,
			"organizationName": name,
			"shortName":        "test",
			"status":           "ACTIVE",
			"type":             "PRODUCTION",
		},
	})
}
