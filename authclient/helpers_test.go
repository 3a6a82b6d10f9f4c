package authclient

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/authclient/m3tertest"
)

const (
	testOrg       = "5c2b8c4e-1f0a-4a43-9d6b-0c1e2f3a4b5c"
	otherOrg      = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	testKeyID     = "AKID-CI-BOT-1"
	testSecret    = "s3cr3t-Value-That-Must-Never-Show"
	testUserAgent = "m3keys/test"
)

// newFake starts a fake m3ter with one admin key for testOrg.
func newFake(t testing.TB) *m3tertest.Server {
	t.Helper()
	s := m3tertest.NewServer()
	t.Cleanup(s.Close)
	s.AddKey(m3tertest.Key{
		AccessKeyID:     testKeyID,
		Secret:          testSecret,
		OrgID:           testOrg,
		ServiceUserID:   "su-1",
		ServiceUserName: "ci-bot",
		Admin:           true,
	})
	s.SetOrgName(testOrg, "Acme Billing")
	return s
}

func newClient(t testing.TB, opts Options) *Client {
	t.Helper()
	if opts.UserAgent == "" {
		opts.UserAgent = testUserAgent
	}
	c := New(opts)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func keyFor(s *m3tertest.Server) Key {
	return Key{OrgID: testOrg, APIURL: s.URL, AccessKeyID: testKeyID, Secret: testSecret}
}

func check(t testing.TB, c *Client, k Key, verify bool) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.Check(ctx, k, verify)
}

// assertNoSecrets fails when the secret or token shows in any rendering of r.
func assertNoSecrets(t *testing.T, r Result, secrets ...string) {
	t.Helper()
	wrapped := struct {
		inner Result
		Outer Result
	}{r, r}
	renderings := []string{
		r.Message, r.String(), r.GoString(),
		fmt.Sprintf("%v", r), fmt.Sprintf("%+v", r), fmt.Sprintf("%#v", r), fmt.Sprintf("%s", r), fmt.Sprintf("%q", r),
		fmt.Sprintf("%v", &r), fmt.Sprintf("%+v", []Result{r}), fmt.Sprintf("%+v", wrapped), fmt.Sprintf("%#v", wrapped),
	}
	for i, out := range renderings {
		for j, s := range secrets {
			if s != "" && strings.Contains(out, s) {
				t.Errorf("rendering %d shows secret %d: %s", i, j, hide(out, secrets...))
			}
		}
	}
}

// hide replaces the secrets in s, so that a failing test never prints one.
func hide(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "<SECRET>")
		}
	}
	return s
}
