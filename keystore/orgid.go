package keystore

// CanonicalOrgID is the spelling the store keeps and compares an organization ID in:
// UUIDs are case-insensitive, so AAAA… and aaaa… are one m3ter organization. Only
// ASCII letters change; a string that is not a UUID stays one.
func CanonicalOrgID(id string) string {
	for i := 0; i < len(id); i++ {
		if c := id[i]; 'A' <= c && c <= 'Z' {
			b := []byte(id)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + ('a' - 'A')
				}
			}
			return string(b)
		}
	}
	return id
}
