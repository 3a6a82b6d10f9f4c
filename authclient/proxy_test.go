package authclient

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeProxy is an HTTP proxy on loopback that answers every request (plain
// or CONNECT) with 502 and remembers what it was asked.
type fakeProxy struct {
	URL  string
	mu   sync.Mutex
	seen []string // method and request target
	auth bool     // some request carried an Authorization header
}

func newFakeProxy(t *testing.T) *fakeProxy {
	t.Helper()
	p := &fakeProxy{}
	p.URL = newHTTPTestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		target := r.Host
		if r.Method != http.MethodConnect {
			target = r.URL.String()
		}
		p.seen = append(p.seen, r.Method+" "+target)
		p.auth = p.auth || r.Header.Get("Authorization") != ""
		w.WriteHeader(http.StatusBadGateway)
	}))
	return p
}

func (p *fakeProxy) requests() ([]string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...), p.auth
}

// upperLocalhost is the fake's URL spelled http://LOCALHOST:PORT.
func upperLocalhost(t *testing.T, fakeURL string) string {
	t.Helper()
	u, err := url.Parse(fakeURL)
	if err != nil {
		t.Fatal(err)
	}
	return "http://LOCALHOST:" + u.Port()
}

func TestDirectForLoopbackKeepsOtherDecisions(t *testing.T) {
	proxyURL, _ := url.Parse("http://proxy.corp.example:3128")
	always := func(*http.Request) (*url.URL, error) { return proxyURL, nil }
	decide := directForLoopback(always)
	for _, raw := range []string{"http://LOCALHOST:8080/oauth/token", "http://127.0.0.1:9/x", "http://[::1]:9/x", "https://LocalHost/x"} {
		req, _ := http.NewRequest(http.MethodPost, raw, nil)
		if got, err := decide(req); got != nil || err != nil {
			t.Errorf("%s goes through proxy %v (err %v), want direct", raw, got, err)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, "https://api.m3ter.com/oauth/token", nil)
	if got, err := decide(req); err != nil || got != proxyURL {
		t.Errorf("https://api.m3ter.com goes to %v (err %v), want the proxy", got, err)
	}
	if directForLoopback(nil) != nil {
		t.Error("no proxy must stay no proxy")
	}
}

// A transport the caller supplies with a proxy for everything must still
// reach a loopback API directly, in any letter case.
func TestLoopbackNeverThroughCallersProxy(t *testing.T) {
	fake := newFake(t)
	proxy := newFakeProxy(t)
	proxyURL, _ := url.Parse(proxy.URL)
	c := newClient(t, Options{HTTPClient: &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}})

	for _, apiURL := range []string{upperLocalhost(t, fake.URL), strings.Replace(fake.URL, "http://", "HTTP://", 1)} {
		k := keyFor(fake)
		k.APIURL = apiURL
		if r := check(t, c, k, true); r.Class != Valid {
			t.Errorf("check via %s = %s, want valid", apiURL, r.Class)
		}
	}
	if seen, auth := proxy.requests(); len(seen) != 0 || auth {
		t.Fatalf("the proxy received %d requests (credentials: %v): %q", len(seen), auth, seen)
	}
}

// TestProxyFromEnvironment runs the check in a child process, because
// http.ProxyFromEnvironment reads the environment once per process.
func TestProxyFromEnvironment(t *testing.T) {
	if os.Getenv("M3KEYS_PROXY_CHILD_URL") != "" {
		proxyChild()
		return
	}
	fake := newFake(t)

	child := func(proxy *fakeProxy, apiURL string) string {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestProxyFromEnvironment$")
		cmd.Env = append(os.Environ(),
			"M3KEYS_PROXY_CHILD_URL="+apiURL,
			"HTTP_PROXY="+proxy.URL, "http_proxy="+proxy.URL,
			"HTTPS_PROXY="+proxy.URL, "https_proxy="+proxy.URL,
			"NO_PROXY=", "no_proxy=", "REQUEST_METHOD=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child for %s: %v\n%s", apiURL, err, out)
		}
		return string(out)
	}

	t.Run("loopback in any case goes direct", func(t *testing.T) {
		proxy := newFakeProxy(t)
		for _, apiURL := range []string{upperLocalhost(t, fake.URL), "http://localhost:" + strings.Split(fake.URL, ":")[2], fake.URL} {
			if out := child(proxy, apiURL); !strings.Contains(out, "class=valid") {
				t.Errorf("check via %s in the child: %s", apiURL, out)
			}
		}
		if seen, auth := proxy.requests(); len(seen) != 0 || auth {
			t.Fatalf("the proxy received %d requests (credentials: %v): %q", len(seen), auth, seen)
		}
	})
	t.Run("https still uses the proxy", func(t *testing.T) {
		proxy := newFakeProxy(t)
		child(proxy, "https://API.proxy-test.invalid")
		seen, _ := proxy.requests()
		if len(seen) == 0 || seen[0] != "CONNECT api.proxy-test.invalid:443" {
			t.Fatalf("the proxy saw %q, want a CONNECT to api.proxy-test.invalid:443", seen)
		}
	})
}

// proxyChild checks the key at $M3KEYS_PROXY_CHILD_URL with a default
// Client, which reads the proxy from the environment, and prints the class.
func proxyChild() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	k := Key{OrgID: testOrg, APIURL: os.Getenv("M3KEYS_PROXY_CHILD_URL"), AccessKeyID: testKeyID, Secret: testSecret}
	r := New(Options{UserAgent: testUserAgent}).Check(ctx, k, true)
	os.Stdout.WriteString("class=" + string(r.Class) + "\n")
}
