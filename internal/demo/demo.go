// Package demo builds a throwaway store with sample data and a fake m3ter to test it against,
// so a newcomer can try every screen without m3ter credentials.
package demo

import (
	"os"
	"path/filepath"
	"time"

	"github.com/m3keys/m3keys/authclient/m3tertest"
	"github.com/m3keys/m3keys/internal/importer"
	"github.com/m3keys/m3keys/keystore"
)

// Passphrase of the demo store; it protects nothing real.
const Passphrase = "demo"

// Setup is a ready demo: its store directory, the fake m3ter's URL, and Close to remove both.
type Setup struct {
	Dir     string
	APIURL  string
	server  *m3tertest.Server
	console *console
}

// Close stops the fake m3ter and deletes the throwaway store.
func (s *Setup) Close() {
	s.server.Close()
	_ = os.RemoveAll(filepath.Dir(s.Dir)) // best effort: the demo store is throwaway
}

type sampleKey struct {
	org, orgName, user, userID, keyID, secret string
	age                                       time.Duration
	fake                                      string // how the fake m3ter treats it: valid, rejected, forbidden
}

const (
	acme   = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	globex = "9b2d7e10-4c3a-4f8e-9d61-7a5b3c2e1f00"
)

var samples = []sampleKey{
	{acme, "Acme Corp", "billing-sync", "su-101", "AK-ACME-SYNC-2026A", "demo-secret-acme-sync-a", 20 * 24 * time.Hour, "valid"},
	{acme, "Acme Corp", "billing-sync", "su-101", "AK-ACME-SYNC-2025B", "demo-secret-acme-sync-b", 120 * 24 * time.Hour, "valid"},
	{acme, "Acme Corp", "usage-ingest", "su-102", "AK-ACME-INGEST-01", "demo-secret-acme-ingest", 45 * 24 * time.Hour, "forbidden"},
	{acme, "Acme Corp", "reporting", "su-103", "AK-ACME-REPORT-01", "demo-secret-acme-report", 10 * 24 * time.Hour, "rejected"},
	{globex, "Globex (EU)", "crm-connector", "su-201", "AK-GLOBEX-CRM-01", "demo-secret-globex-crm", 5 * 24 * time.Hour, "valid"},
	{globex, "Globex (EU)", "invoicing", "su-202", "AK-GLOBEX-INV-01", "demo-secret-globex-inv", 100 * 24 * time.Hour, "valid"},
}

// New creates the store in a fresh temp dir and starts the fake m3ter on loopback.
func New(now time.Time) (*Setup, error) {
	tmp, err := os.MkdirTemp("", "m3keys-demo-")
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(tmp, "store")
	server := m3tertest.NewServer()
	setup := &Setup{Dir: dir, APIURL: server.URL, server: server, console: newConsole(server)}
	// A little latency, so the spinners are visible.
	server.AddFault(m3tertest.Fault{Endpoint: m3tertest.TokenEndpoint, Latency: 300 * time.Millisecond})
	store, err := keystore.Create(dir, Passphrase)
	if err != nil {
		setup.Close()
		return nil, err
	}
	err = store.Update(func(tx *keystore.Tx) error {
		for _, k := range samples {
			secret, err := keystore.NewSecret(k.secret)
			if err != nil {
				return err
			}
			row := importer.Row{OrgID: k.org, OrgName: k.orgName, APIURL: server.URL, ServiceUser: k.user,
				AccessKeyID: k.keyID, Secret: secret, CreatedAt: now.Add(-k.age)}
			if err := importer.Add(tx, row, server.URL); err != nil {
				return err
			}
			server.SetOrgName(k.org, k.orgName)
			if k.fake != "rejected" {
				server.AddKey(m3tertest.Key{AccessKeyID: k.keyID, Secret: k.secret, OrgID: k.org,
					ServiceUserID: k.userID, ServiceUserName: k.user, Admin: k.fake == "valid"})
			}
		}
		return tx.AddUser(globex, "new-integration")
	})
	if err != nil {
		setup.Close()
		return nil, err
	}
	return setup, nil
}
