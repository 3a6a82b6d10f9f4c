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
		writeError(w, http.StatusUnauthorized, "Unauthorized", false)
		return
	case !tok.key.Admin || tok.key.OrgID != orgID:
		writeError(w, http.StatusForbidden, "Access is denied", false)
		return
	}
	if name == "" {
		name = "Test organization"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"serviceUser": map[string]any{
			"id":      tok.key.ServiceUserID,
			"name":    tok.key.ServiceUserName,
			"version": 1,
		},
		"organization": map[string]any{
			"orgId":            orgID,
			"organizationName": name,
			"shortName":        "test",
		},
		"permissionPolicy": []any{},
	})
}
