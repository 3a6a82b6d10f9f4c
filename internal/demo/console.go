package demo

import (
	"sync"

	"github.com/m3keys/m3keys/authclient/m3tertest"
	"github.com/m3keys/m3keys/keystore"
)

// console stands in for the m3ter Console in the demo: what you mirror in m3keys happens in the
// fake m3ter too. A key you add is one the Console generated (the fake accepts it, for the
// service user it was added to); a key you make INACTIVE is inactivated there (the fake rejects it).
type console struct {
	server *m3tertest.Server
	mu     sync.Mutex
	known  map[string]bool   // keys the fake has been told about, or the samples
	users  map[string]string // m3ter service user IDs, by organization and service user name
}

func newConsole(server *m3tertest.Server) *console {
	c := &console{server: server, known: map[string]bool{}, users: map[string]string{}}
	for _, k := range samples {
		c.known[k.keyID] = true
		c.users[k.org+"/"+k.user] = k.userID
	}
	return c
}

// follow brings the fake m3ter in line with the demo store after a change.
func (c *console) follow(doc *keystore.Document) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range doc.Organizations {
		for _, u := range o.ServiceUsers {
			for _, k := range u.Keys {
				switch {
				case k.Status == keystore.Inactive:
					c.server.RemoveKey(k.AccessKeyID)
				case !c.known[k.AccessKeyID]:
					c.known[k.AccessKeyID] = true
					id := c.users[o.ID+"/"+u.Name]
					if id == "" {
						id = "su-demo-" + u.Name
					}
					c.server.AddKey(m3tertest.Key{AccessKeyID: k.AccessKeyID, Secret: k.Secret.Reveal(), OrgID: o.ID,
						ServiceUserID: id, ServiceUserName: u.Name, Admin: true})
				}
			}
		}
	}
}

// StoreOptions have the demo's Console follow the demo store: every saved change is
// mirrored in the fake m3ter (see console).
func (s *Setup) StoreOptions() []keystore.Option {
	return []keystore.Option{keystore.WithSaved(s.console.follow)}
}
