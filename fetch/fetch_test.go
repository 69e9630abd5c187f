package fetch

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestIsPublicAddr(t *testing.T) {
	tests := []struct {
		ip   string
		want bool
	}{
		{"127.0.0.1", false},
		{"127.1.2.3", false},
		{"::1", false},
		{"10.0.0.1", false},
		{"172.16.5.4", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"fe80::1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"100.64.0.1", false},
		{"100.127.255.254", false},
		{"0.0.0.0", false},
		{"::", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"ff02::1", false},
		{"255.255.255.255", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.1.2.3", false},
		{"64:ff9b::7f00:1", false}, // NAT64 of 127.0.0.1
		{"93.184.216.34", true},
		{"8.8.8.8", true},
		{"172.32.0.1", true},
		{"100.128.0.1", true},
		{"::ffff:93.184.216.34", true},
		{"2606:4700:4700::1111", true},
	}
	for _, tc := range tests {
		t.Run(tc.ip, func(t *testing.T) {
			if got := isPublicAddr(netip.MustParseAddr(tc.ip)); got != tc.want {
				t.Errorf("isPublicAddr(%s) = %v, want %v", tc.ip, got, tc.want)
			}
		})
	}
}

// countingServer serves h on 127.0.0.1 and counts requests.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// serve returns a handler answering with body and content type ct; an
// empty ct sends no Content-Type at all.
func serve(ct, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ct == "" {
			w.Header()["Content-Type"] = nil // stop net/http sniffing one
		} else {
			w.Header().Set("Content-Type", ct)
		}
		w.Write([]byte(body))
	}
}

func TestFetch(t *testing.T) {
	page := `<html><head><title>Kenya &amp; Haiti: the MSS mission</title></head><body>Text</body></html>`
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		path     string
		opts     Options
		wantErr  error
		wantCT   string
		wantName string
	}{
		{name: "html", handler: serve("text/html; charset=utf-8", page),
			wantCT: "text/html", wantName: "127.0.0.1"},
		{name: "html without charset", handler: serve("text/html", `<html><head><meta property="og:title" content="OG Haïti"><title>T</title></head></html>`),
			wantCT: "text/html", wantName: "127.0.0.1"},
		{name: "plain text", handler: serve("text/plain", "First line title\n\nBody."),
			wantCT: "text/plain", wantName: "127.0.0.1"},
		{name: "markdown by path", handler: serve("text/plain", "intro\n# Heading here\n"), path: "/notes.md",
			wantCT: "text/markdown", wantName: "notes"},
		{name: "markdown type", handler: serve("text/markdown; charset=utf-8", "# MD title\n"),
			wantCT: "text/markdown", wantName: "127.0.0.1"},
		{name: "pdf sniffed from octet-stream", handler: serve("application/octet-stream", "%PDF-1.4\n..."), path: "/files/report-2024.pdf",
			wantCT: "application/pdf", wantName: "report-2024"},
		{name: "no content type sniffed", handler: serve("", "<!DOCTYPE html><html><title>Sniffed</title></html>"),
			wantCT: "text/html", wantName: "127.0.0.1"},
		{name: "unsupported type", handler: serve("image/png", "\x89PNG\r\n\x1a\n"), wantErr: ErrUnsupportedType},
		{name: "too large", handler: serve("text/plain", strings.Repeat("a", 101)), opts: Options{MaxBytes: 100}, wantErr: ErrTooLarge},
		{name: "too large chunked", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			for range 3 {
				w.Write([]byte(strings.Repeat("a", 60)))
				w.(http.Flusher).Flush()
			}
		}, opts: Options{MaxBytes: 100}, wantErr: ErrTooLarge},
		{name: "exactly the limit", handler: serve("text/plain", strings.Repeat("a", 100)), opts: Options{MaxBytes: 100},
			wantCT: "text/plain", wantName: "127.0.0.1"},
		{name: "not found", handler: http.NotFound, wantErr: ErrBadStatus},
		{name: "redirect loop", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
		}, wantErr: ErrTooManyRedirects},
		{name: "timeout", handler: func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, opts: Options{Timeout: 100 * time.Millisecond}, wantErr: ErrTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := countingServer(t, tc.handler)
			tc.opts.AllowPrivate = true
			got, err := New(tc.opts).Fetch(context.Background(), srv.URL+tc.path)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ContentType != tc.wantCT || got.Name != tc.wantName {
				t.Errorf("got %q %q; want %q %q", got.ContentType, got.Name, tc.wantCT, tc.wantName)
			}
			if got.URL != srv.URL+tc.path || got.Ext == "" {
				t.Errorf("got URL %q ext %q, want URL %q and an extension", got.URL, got.Ext, srv.URL+tc.path)
			}
			if len(got.Data) == 0 {
				t.Error("no data")
			}
		})
	}
}

func TestFetchRedirectLimit(t *testing.T) {
	tests := []struct {
		redirects int
		wantErr   error
	}{{5, nil}, {6, ErrTooManyRedirects}}
	for _, tc := range tests {
		t.Run(strings.Repeat("r", tc.redirects), func(t *testing.T) {
			srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if n := len(r.URL.Path) - 1; n < tc.redirects {
					http.Redirect(w, r, r.URL.Path+"r", http.StatusFound)
					return
				}
				serve("text/plain", "done")(w, r)
			})
			_, err := New(Options{AllowPrivate: true}).Fetch(context.Background(), srv.URL+"/")
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestFetchRefusesPrivate(t *testing.T) {
	srv, hits := countingServer(t, serve("text/plain", "secret"))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	tests := []struct {
		name    string
		url     string
		wantErr error
	}{
		// A literal IP is refused before any connection.
		{name: "literal loopback", url: srv.URL, wantErr: ErrBlockedAddress},
		{name: "mapped loopback", url: "http://[::ffff:127.0.0.1]:" + port + "/", wantErr: ErrBlockedAddress},
		// A name is refused at dial time, after resolution: the path that
		// also stops DNS rebinding.
		{name: "name resolving to loopback", url: "http://localhost:" + port + "/", wantErr: ErrBlockedAddress},
		{name: "file scheme", url: "file:///etc/passwd", wantErr: ErrBadURL},
		{name: "ftp scheme", url: "ftp://example.com/x", wantErr: ErrBadURL},
		{name: "javascript", url: "javascript:alert(1)", wantErr: ErrBadURL},
		{name: "no host", url: "http:///path", wantErr: ErrBadURL},
		{name: "credentials", url: "http://user:pw@example.com/", wantErr: ErrBadURL},
		{name: "garbage", url: "ht tp://%zz", wantErr: ErrBadURL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Options{}).Fetch(context.Background(), tc.url)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "pw@") {
				t.Errorf("error leaks credentials: %v", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server saw %d requests, want none", n)
	}
}

func TestFetchRefusesRedirectToPrivate(t *testing.T) {
	// The target plays a private host: it listens on 127.0.0.2, which the
	// fetcher under test is told is not allowed, while the redirecting
	// server on 127.0.0.1 is.
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 loopback alias: %v", err)
	}
	var targetHits atomic.Int64
	target := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		targetHits.Add(1)
		serve("text/plain", "secret")(w, r)
	})}}
	target.Start()
	t.Cleanup(target.Close)
	_, port, _ := net.SplitHostPort(ln.Addr().String())

	tests := []struct {
		name string
		to   string
	}{
		// Refused by the redirect policy before dialling.
		{name: "literal", to: target.URL + "/"},
		// Refused by the dialer's check on the resolved address: a name
		// that resolves (or re-resolves) to a private address.
		{name: "name", to: "http://rebind.test:" + port + "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first, firstHits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, tc.to, http.StatusFound)
			})
			f := New(Options{})
			f.allowed = func(ip netip.Addr) bool { return ip == netip.MustParseAddr("127.0.0.1") }
			tr := f.client.Transport.(*http.Transport)
			dial := tr.DialContext
			tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				// Stand in for DNS: rebind.test resolves to the target.
				if host, p, _ := net.SplitHostPort(addr); host == "rebind.test" {
					addr = net.JoinHostPort("127.0.0.2", p)
				}
				return dial(ctx, network, addr)
			}
			_, err := f.Fetch(context.Background(), first.URL+"/")
			if !errors.Is(err, ErrBlockedAddress) {
				t.Fatalf("err = %v, want ErrBlockedAddress", err)
			}
			if firstHits.Load() != 1 {
				t.Errorf("first server saw %d requests, want 1", firstHits.Load())
			}
		})
	}
	if n := targetHits.Load(); n != 0 {
		t.Errorf("private target saw %d requests, want none", n)
	}
}

// TestFetchErrorsSayWhatFailed: each way a fetch fails is an *Error of its
// own kind with a detail a moderator can act on, never a bare transport
// error.
func TestFetchErrorsSayWhatFailed(t *testing.T) {
	noSuchHost := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "news.example", IsNotFound: true}}
	}}}
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + closed.Addr().String() + "/article"
	closed.Close()
	slow, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	missing, _ := countingServer(t, http.NotFound)
	tests := []struct {
		name       string
		opts       Options
		url        string
		kind       error
		detail     string
		hiddenText string
	}{
		{name: "no such host", opts: Options{Client: noSuchHost}, url: "http://news.example/a", kind: ErrUnreachable, detail: "no such host news.example"},
		{name: "connection refused", opts: Options{AllowPrivate: true}, url: refused, kind: ErrUnreachable, detail: "nothing answers"},
		{name: "slow server", opts: Options{AllowPrivate: true, Timeout: 100 * time.Millisecond}, url: slow.URL, kind: ErrTimeout, detail: "limit 100ms"},
		{name: "not found", opts: Options{AllowPrivate: true}, url: missing.URL + "/gone", kind: ErrBadStatus, detail: "HTTP 404 Not Found"},
		{name: "credentials", url: "https://user:hunter2@news.example/a", kind: ErrBadURL, detail: "user name or password", hiddenText: "hunter2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts).Fetch(context.Background(), tc.url)
			var fe *Error
			if !errors.As(err, &fe) || !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v (%T), want an *Error of kind %v", err, err, tc.kind)
			}
			if !strings.Contains(fe.Detail, tc.detail) {
				t.Errorf("detail %q, want it to say %q", fe.Detail, tc.detail)
			}
			if tc.hiddenText != "" && strings.Contains(err.Error(), tc.hiddenText) {
				t.Errorf("the error repeats a secret: %v", err)
			}
		})
	}
	// The caller's own cancellation is not the site's timeout.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New(Options{AllowPrivate: true}).Fetch(ctx, slow.URL); !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("cancelled fetch = %v, want context.Canceled", err)
	}
}
