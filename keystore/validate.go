package keystore

import "github.com/m3keys/m3keys/internal/validate"

// ValidateOrgID checks that id is a UUID, as m3ter's organization IDs are.
func ValidateOrgID(id string) error { return validate.OrgID(id) }

// ValidateName checks a service user or organization name: 1–100 printable characters.
func ValidateName(field, name string) error { return validate.Name(field, name) }

// ValidateKeyID checks an Access Key ID: 1–128 printable, non-space ASCII.
func ValidateKeyID(id string) error { return validate.Token("access key ID", id, 128) }

// DefaultAPIURL is m3ter's production API, for organizations created without one.
const DefaultAPIURL = validate.DefaultAPIURL

// ValidateAPIURL accepts an m3ter API base URL: https, or plain http for a loopback host
// (a local fake or tunnel); no user info, query or fragment; a port in 1–65535. The
// messages never repeat the URL, which might hold a password.
func ValidateAPIURL(raw string) error { return validate.APIURL(raw) }

// CanonicalAPIURL validates raw and returns the spelling the store keeps: scheme and
// host in lower case, no default port, no trailing slash.
func CanonicalAPIURL(raw string) (string, error) { return validate.CanonicalAPIURL(raw) }
