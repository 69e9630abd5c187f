package bot

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMemoryReplayCache(t *testing.T) {
	ctx := context.Background()
	now := ixNow
	c := NewMemoryReplayCache(func() time.Time { return now }, 4)
	steps := []struct {
		name    string
		key     string
		expires time.Duration
		advance time.Duration
		want    bool
	}{
		{name: "new", key: "a", expires: time.Minute, want: true},
		{name: "seen", key: "a", expires: time.Minute, want: false},
		{name: "other", key: "b", expires: time.Minute, want: true},
		{name: "expired is new again", key: "a", advance: 2 * time.Minute, expires: time.Minute, want: true},
		{name: "then seen again", key: "a", expires: time.Minute, want: false},
	}
	for _, st := range steps {
		now = now.Add(st.advance)
		got, err := c.FirstSight(ctx, st.key, now.Add(st.expires))
		if err != nil || got != st.want {
			t.Errorf("%s: FirstSight(%q) = %v, %v; want %v", st.name, st.key, got, err, st.want)
		}
	}
	for _, k := range []string{"c", "d", "e", "f", "g"} {
		c.FirstSight(ctx, k, now.Add(time.Minute))
	}
	c.mu.Lock()
	n := len(c.seen)
	c.mu.Unlock()
	if n > 4 {
		t.Errorf("cache holds %d entries, bound is 4", n)
	}
}

// failingReplay is a shared cache whose store is down: it fails, or hangs
// until the caller gives up.
type failingReplay struct{ hang bool }

func (f failingReplay) FirstSight(ctx context.Context, _ string, _ time.Time) (bool, error) {
	if f.hang {
		<-ctx.Done()
		return false, ctx.Err()
	}
	return false, errors.New("the database is unavailable: connection refused")
}

var _ ReplayCache = failingReplay{}

// TestInteractionsReplayRefusedByOtherReplica: two endpoints (replicas)
// sharing a replay cache: a request one accepted is refused by the other.
// Before the cache could be shared, each replica accepted it once.
func TestInteractionsReplayRefusedByOtherReplica(t *testing.T) {
	pub, priv := ixKeys(t)
	shared := NewMemoryReplayCache(func() time.Time { return ixNow }, 0)
	withShared := func(o *InteractionsOptions) { o.Replay = shared }
	a := ixHandler(t, pub, ixDeferring, withShared)
	b := ixHandler(t, pub, ixDeferring, withShared)
	req := ixRequest(priv, ixNow, ixCommand("i1"))
	sig, ts := req.Header.Get("X-Signature-Ed25519"), req.Header.Get("X-Signature-Timestamp")
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("replica A: %d, want 200", rec.Code)
	}
	for name, h := range map[string]*Interactions{"replica B": b, "replica A again": a} {
		again := httptest.NewRequest(http.MethodPost, "/interactions", strings.NewReader(ixCommand("i1")))
		again.Header.Set("X-Signature-Ed25519", sig)
		again.Header.Set("X-Signature-Timestamp", ts)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, again)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: replay = %d, want 401", name, rec.Code)
		}
	}
	// A different request still goes through on B.
	rec = httptest.NewRecorder()
	b.ServeHTTP(rec, ixRequest(priv, ixNow, ixCommand("i2")))
	if rec.Code != http.StatusOK {
		t.Errorf("replica B, new request: %d, want 200", rec.Code)
	}
}

// TestInteractionsSharedReplayDown: when the shared cache fails or stops
// answering, requests are still answered in time, judged by this
// replica's own cache (a replay to it is still refused), and the log says
// the check was limited.
func TestInteractionsSharedReplayDown(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cache failingReplay
	}{{"failing", failingReplay{}}, {"hanging", failingReplay{hang: true}}} {
		t.Run(tc.name, func(t *testing.T) {
			pub, priv := ixKeys(t)
			var logs syncLog
			h := ixHandler(t, pub, ixDeferring, func(o *InteractionsOptions) {
				o.Replay = tc.cache
				o.ReplayTimeout = 300 * time.Millisecond
				o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			})
			start := time.Now()
			rec := httptest.NewRecorder()
			req := ixRequest(priv, ixNow, ixCommand("i1"))
			sig := req.Header.Get("X-Signature-Ed25519")
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || ixReplyType(t, rec) != 5 {
				t.Fatalf("with the shared cache down: %d %q, want the deferred reply", rec.Code, rec.Body)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("answering took %v with the shared cache down", d)
			}
			again := ixRequest(priv, ixNow, ixCommand("i1"))
			again.Header.Set("X-Signature-Ed25519", sig)
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, again)
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("replay to the same replica: %d, want 401", rec.Code)
			}
			if !strings.Contains(logs.String(), "replay cache unavailable") {
				t.Errorf("log does not say the replay check was limited:\n%s", logs.String())
			}
		})
	}
}

// syncLog is a log sink safe for concurrent writers.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer // guarded by mu
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
