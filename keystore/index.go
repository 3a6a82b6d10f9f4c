package keystore

// index finds organizations, service users and keys of a Tx's document without a scan,
// so a Tx of n changes (an import of n rows, say) costs O(n), not O(n²). It holds
// positions, not pointers, since appends move slices. Each part is built on first use (the
// keys' on the second: one lookup scans) and kept up to date by every change; a change that
// shifts positions drops the index.
type index struct {
	orgs  map[string]int   // canonical organization ID → position
	users []map[string]int // per organization position: service user name → position; nil until used
	keys  map[string]keyPos

	keyScanned bool // a first key lookup scanned rather than building keys
}

type keyPos struct{ org, user, key int }

func (tx *Tx) index() *index {
	if tx.idx == nil {
		tx.idx = &index{}
	}
	return tx.idx
}

// orgAt returns the position of the organization with this ID, or -1.
func (tx *Tx) orgAt(id string) int {
	id = CanonicalOrgID(id)
	x := tx.index()
	if x.orgs == nil || len(x.users) != len(tx.doc.Organizations) {
		x.orgs = make(map[string]int, len(tx.doc.Organizations))
		x.users = make([]map[string]int, len(tx.doc.Organizations))
		for i := range tx.doc.Organizations {
			c := CanonicalOrgID(tx.doc.Organizations[i].ID)
			if _, dup := x.orgs[c]; !dup { // the first, as Document.Org finds
				x.orgs[c] = i
			}
		}
	}
	if i, ok := x.orgs[id]; ok {
		return i
	}
	return -1
}

// userAt returns the position of the service user in the organization at position o, or -1.
func (tx *Tx) userAt(o int, name string) int {
	x := tx.index()
	users := tx.doc.Organizations[o].ServiceUsers
	m := x.users[o]
	if m == nil {
		m = make(map[string]int, len(users))
		for i := range users {
			if _, dup := m[users[i].Name]; !dup {
				m[users[i].Name] = i
			}
		}
		x.users[o] = m
	}
	if i, ok := m[name]; ok {
		return i
	}
	return -1
}

// keyAt locates a key anywhere in the document.
func (tx *Tx) keyAt(id string) (keyPos, bool) {
	x := tx.index()
	if x.keys == nil && !x.keyScanned {
		// A scan costs less than building the index: a Tx builds it from its second lookup on.
		x.keyScanned = true
		return tx.doc.keyAt(id)
	}
	if x.keys == nil {
		n := 0
		for _, o := range tx.doc.Organizations {
			for _, u := range o.ServiceUsers {
				n += len(u.Keys)
			}
		}
		x.keys = make(map[string]keyPos, n) // sized once: no rehashing as it fills
		for oi := range tx.doc.Organizations {
			for ui, u := range tx.doc.Organizations[oi].ServiceUsers {
				for ki := range u.Keys {
					if _, dup := x.keys[u.Keys[ki].AccessKeyID]; !dup {
						x.keys[u.Keys[ki].AccessKeyID] = keyPos{oi, ui, ki}
					}
				}
			}
		}
	}
	p, ok := x.keys[id]
	if ok && !tx.holds(p, id) { // the document was changed behind the Tx: index it again
		x.keys = nil
		return tx.keyAt(id)
	}
	return p, ok
}

func (tx *Tx) holds(p keyPos, id string) bool {
	orgs := tx.doc.Organizations
	if p.org >= len(orgs) || p.user >= len(orgs[p.org].ServiceUsers) {
		return false
	}
	keys := orgs[p.org].ServiceUsers[p.user].Keys
	return p.key < len(keys) && keys[p.key].AccessKeyID == id
}

// addedOrg, addedUser and addedKey keep a built index in step with an append.
func (tx *Tx) addedOrg() {
	if x := tx.idx; x != nil && x.orgs != nil {
		i := len(tx.doc.Organizations) - 1
		x.orgs[tx.doc.Organizations[i].ID] = i
		x.users = append(x.users, nil)
	}
}

func (tx *Tx) addedUser(o int) {
	if x := tx.idx; x != nil && x.users[o] != nil {
		users := tx.doc.Organizations[o].ServiceUsers
		x.users[o][users[len(users)-1].Name] = len(users) - 1
	}
}

func (tx *Tx) addedKey(o, u int) {
	if x := tx.idx; x != nil && x.keys != nil {
		keys := tx.doc.Organizations[o].ServiceUsers[u].Keys
		x.keys[keys[len(keys)-1].AccessKeyID] = keyPos{o, u, len(keys) - 1}
	}
}

// removedKey re-indexes the keys left to the user; id is the removed one.
func (tx *Tx) removedKey(id string, o, u int) {
	if x := tx.idx; x != nil && x.keys != nil {
		delete(x.keys, id)
		for ki, k := range tx.doc.Organizations[o].ServiceUsers[u].Keys {
			x.keys[k.AccessKeyID] = keyPos{o, u, ki}
		}
	}
}
