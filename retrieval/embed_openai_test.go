package retrieval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"missionbot/internal/fakeopenai"
)

const testAPIKey = "sk-test-SECRET-do-not-leak-1234567890"

// sleepRecorder replaces the embedder's sleep and records every wait.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func newTestOpenAIEmbedder(t *testing.T, srv *fakeopenai.Server, opts OpenAIEmbedderOptions) (*OpenAIEmbedder, *sleepRecorder, *bytes.Buffer) {
	t.Helper()
	rec := &sleepRecorder{}
	var logs bytes.Buffer
	opts.BaseURL = srv.BaseURL()
	opts.APIKey = testAPIKey
	if opts.Model == "" {
		opts.Model = "text-embedding-test"
	}
	opts.Sleep = rec.sleep
	opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e, err := NewOpenAIEmbedder(opts)
	if err != nil {
		t.Fatalf("NewOpenAIEmbedder: %v", err)
	}
	return e, rec, &logs
}

func sampleTexts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("passage number %d about the mission", i)
	}
	return out
}

func TestOpenAIEmbedderBatchesAndOrder(t *testing.T) {
	tests := []struct {
		name      string
		n, batch  int
		shuffle   bool
		wantCalls int
	}{
		{name: "one text", n: 1, batch: 64, wantCalls: 1},
		{name: "exact batches", n: 128, batch: 64, wantCalls: 2},
		{name: "ragged shuffled", n: 130, batch: 64, shuffle: true, wantCalls: 3},
		{name: "small batches shuffled", n: 37, batch: 5, shuffle: true, wantCalls: 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeopenai.New(t, map[string]http.Handler{
				"/v1/embeddings": fakeopenai.Embeddings(fakeopenai.EmbeddingsOptions{Dim: 8, Shuffle: tc.shuffle}),
			})
			e, _, _ := newTestOpenAIEmbedder(t, srv, OpenAIEmbedderOptions{BatchSize: tc.batch})
			if got := e.Info(); got != (EmbedderInfo{Name: "openai", Model: "text-embedding-test"}) {
				t.Errorf("Info before first call = %+v", got)
			}
			in := sampleTexts(tc.n)
			vecs, err := e.Embed(context.Background(), in)
			if err != nil {
				t.Fatalf("Embed: %v", err)
			}
			if len(vecs) != tc.n {
				t.Fatalf("got %d vectors for %d texts", len(vecs), tc.n)
			}
			for i, v := range vecs {
				want, _ := unitVector(fakeopenai.Vector(in[i], 8))
				if !vecsClose(v, want) {
					t.Fatalf("vector %d is not the (normalised) embedding of text %d", i, i)
				}
				if n := l2Norm(v); math.Abs(n-1) > 1e-6 {
					t.Fatalf("vector %d has norm %v", i, n)
				}
			}
			if got := srv.Count("/v1/embeddings"); got != tc.wantCalls {
				t.Errorf("requests = %d, want %d (ceil(%d/%d))", got, tc.wantCalls, tc.n, tc.batch)
			}
			if got := e.Info().Dim; got != 8 {
				t.Errorf("Info().Dim after a call = %d, want 8", got)
			}
			for _, r := range srv.Requests() {
				if r.Header.Get("Authorization") != "Bearer "+testAPIKey {
					t.Errorf("request without the bearer token")
				}
				var body struct {
					Model string `json:"model"`
				}
				_ = json.Unmarshal(r.Body, &body)
				if body.Model != "text-embedding-test" {
					t.Errorf("request model = %q", body.Model)
				}
			}
		})
	}
}

func TestOpenAIEmbedderRetries(t *testing.T) {
	future := time.Now().Add(7 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name      string
		opts      fakeopenai.EmbeddingsOptions
		retries   int
		wantErr   string // empty: success
		wantCalls int
		wantWaits func([]time.Duration) error
	}{
		{
			name: "429 with retry-after seconds", opts: fakeopenai.EmbeddingsOptions{FailFirst: 2, RetryAfter: "3"},
			wantCalls: 3,
			wantWaits: func(w []time.Duration) error {
				if len(w) != 2 || w[0] != 3*time.Second || w[1] != 3*time.Second {
					return fmt.Errorf("waits %v, want [3s 3s]", w)
				}
				return nil
			},
		},
		{
			name: "429 with retry-after date", opts: fakeopenai.EmbeddingsOptions{FailFirst: 1, RetryAfter: future},
			wantCalls: 2,
			wantWaits: func(w []time.Duration) error {
				if len(w) != 1 || w[0] < 4*time.Second || w[0] > 8*time.Second {
					return fmt.Errorf("waits %v, want one of about 7s", w)
				}
				return nil
			},
		},
		{
			name: "503 backs off exponentially", opts: fakeopenai.EmbeddingsOptions{FailFirst: 3, FailStatus: 503},
			wantCalls: 4,
			wantWaits: func(w []time.Duration) error {
				// base 100ms: jittered into [d/2, d] for d = 100, 200, 400ms.
				if len(w) != 3 {
					return fmt.Errorf("waits %v, want 3", w)
				}
				for i, d := range w {
					hi := 100 * time.Millisecond << i
					if d < hi/2 || d > hi {
						return fmt.Errorf("wait %d = %v, want within [%v, %v]", i, d, hi/2, hi)
					}
				}
				return nil
			},
		},
		{name: "502 recovers", opts: fakeopenai.EmbeddingsOptions{FailFirst: 1, FailStatus: 502}, wantCalls: 2},
		{
			name: "gives up after max retries", opts: fakeopenai.EmbeddingsOptions{FailFirst: 100, FailStatus: 500},
			retries: 2, wantCalls: 3, wantErr: "gave up after 3 attempts",
		},
		{name: "400 is not retried", opts: fakeopenai.EmbeddingsOptions{FailFirst: 100, FailStatus: 400}, wantCalls: 1, wantErr: "status 400"},
		{name: "401 is not retried", opts: fakeopenai.EmbeddingsOptions{RejectKey: true}, wantCalls: 1, wantErr: "rejected the API key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeopenai.New(t, map[string]http.Handler{"/v1/embeddings": fakeopenai.Embeddings(tc.opts)})
			retries := tc.retries
			if retries == 0 {
				retries = 5
			}
			e, rec, logs := newTestOpenAIEmbedder(t, srv, OpenAIEmbedderOptions{
				MaxRetries: retries, BackoffBase: 100 * time.Millisecond,
			})
			_, err := e.Embed(context.Background(), sampleTexts(3))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Embed: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Embed error = %v, want containing %q", err, tc.wantErr)
			}
			if got := srv.Count("/v1/embeddings"); got != tc.wantCalls {
				t.Errorf("requests = %d, want %d", got, tc.wantCalls)
			}
			if tc.wantWaits != nil {
				if err := tc.wantWaits(rec.waits); err != nil {
					t.Error(err)
				}
			}
			if err != nil && strings.Contains(err.Error(), testAPIKey) {
				t.Errorf("the API key leaked into the error: %v", err)
			}
			if strings.Contains(logs.String(), testAPIKey) {
				t.Errorf("the API key leaked into the logs: %s", logs.String())
			}
		})
	}
}

func TestOpenAIEmbedderKeyNeverLeaks(t *testing.T) {
	// The fake quotes the key in its 401 message, as real servers do.
	srv := fakeopenai.New(t, map[string]http.Handler{
		"/v1/embeddings": fakeopenai.Embeddings(fakeopenai.EmbeddingsOptions{RejectKey: true}),
	})
	e, _, logs := newTestOpenAIEmbedder(t, srv, OpenAIEmbedderOptions{})
	_, err := e.Embed(context.Background(), sampleTexts(2))
	if err == nil {
		t.Fatal("Embed succeeded against a server rejecting the key")
	}
	if strings.Contains(err.Error(), testAPIKey) || strings.Contains(fmt.Sprintf("%+v", err), testAPIKey) {
		t.Errorf("the API key appears in the error: %v", err)
	}
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("the error should say where the key was removed: %v", err)
	}
	if strings.Contains(logs.String(), testAPIKey) {
		t.Errorf("the API key appears in the logs")
	}
	// The chain survives redaction, so callers can still branch on it.
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusUnauthorized {
		t.Errorf("errors.As(*openai.APIError) lost the 401 behind the redaction: %v", err)
	}
}

func TestOpenAIEmbedderDimension(t *testing.T) {
	tests := []struct {
		name    string
		dim     int // configured expectation
		server  fakeopenai.EmbeddingsOptions
		wantErr bool
	}{
		{name: "learned", server: fakeopenai.EmbeddingsOptions{Dim: 12}},
		{name: "configured and matching", dim: 12, server: fakeopenai.EmbeddingsOptions{Dim: 12}},
		{name: "configured and wrong", dim: 12, server: fakeopenai.EmbeddingsOptions{Dim: 12, WrongDim: 7}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeopenai.New(t, map[string]http.Handler{"/v1/embeddings": fakeopenai.Embeddings(tc.server)})
			e, _, _ := newTestOpenAIEmbedder(t, srv, OpenAIEmbedderOptions{Dim: tc.dim})
			_, err := e.Embed(context.Background(), sampleTexts(4))
			if tc.wantErr {
				if !errors.Is(err, ErrDimensionMismatch) || !strings.Contains(err.Error(), "7") || !strings.Contains(err.Error(), "12") {
					t.Fatalf("error = %v, want ErrDimensionMismatch naming 7 and 12", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Embed: %v", err)
			}
		})
	}
}

// fixedEmbeddingsHandler serves a fixed response body to every request.
func fixedEmbeddingsHandler(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	})
}

func TestOpenAIEmbedderBadResponses(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{name: "too few", body: `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1,0]}]}`, wantErr: "1 embeddings for 2 inputs"},
		{name: "repeated index", body: `{"object":"list","data":[{"index":0,"embedding":[1,0]},{"index":0,"embedding":[0,1]}]}`, wantErr: "repeated index 0"},
		{name: "index out of range", body: `{"object":"list","data":[{"index":0,"embedding":[1,0]},{"index":5,"embedding":[0,1]}]}`, wantErr: "index 5"},
		{name: "zero vector", body: `{"object":"list","data":[{"index":0,"embedding":[0,0]},{"index":1,"embedding":[0,1]}]}`, wantErr: "zero"},
		{name: "mixed lengths", body: `{"object":"list","data":[{"index":0,"embedding":[1,0,0]},{"index":1,"embedding":[0,1]}]}`, wantErr: "3 and 2 dimensions"},
		{name: "empty vector", body: `{"object":"list","data":[{"index":0,"embedding":[]},{"index":1,"embedding":[0,1]}]}`, wantErr: "empty embedding"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeopenai.New(t, map[string]http.Handler{"/v1/embeddings": fixedEmbeddingsHandler(tc.body)})
			e, _, _ := newTestOpenAIEmbedder(t, srv, OpenAIEmbedderOptions{})
			_, err := e.Embed(context.Background(), sampleTexts(2))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestOpenAIEmbedderConcurrencyBound(t *testing.T) {
	var inFlight, peak atomic.Int64
	inner := fakeopenai.Embeddings(fakeopenai.EmbeddingsOptions{Dim: 4})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inner.ServeHTTP(w, r)
		inFlight.Add(-1)
	})
	srv := fakeopenai.New(t, map[string]http.Handler{"/v1/embeddings": h})
	e, _, _ := newTestOpenAIEmbedder(t, srv, OpenAIEmbedderOptions{BatchSize: 2, Concurrency: 3})
	// Two concurrent callers share the same bound.
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if _, err := e.Embed(context.Background(), sampleTexts(20)); err != nil {
				t.Errorf("Embed: %v", err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak concurrent requests = %d, want between 2 and 3", p)
	}
}

func TestOpenAIEmbedderCancel(t *testing.T) {
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	srv := fakeopenai.New(t, map[string]http.Handler{"/v1/embeddings": h})
	defer close(release)
	e, _, _ := newTestOpenAIEmbedder(t, srv, OpenAIEmbedderOptions{BatchSize: 1})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := e.Embed(ctx, sampleTexts(10))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancellation took %v", d)
	}
}

func TestNewOpenAIEmbedderValidation(t *testing.T) {
	tests := []struct {
		name string
		opts OpenAIEmbedderOptions
	}{
		{name: "no model", opts: OpenAIEmbedderOptions{}},
		{name: "blank model", opts: OpenAIEmbedderOptions{Model: "  "}},
		{name: "negative batch", opts: OpenAIEmbedderOptions{Model: "m", BatchSize: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewOpenAIEmbedder(tc.opts); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func vecsClose(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-6 {
			return false
		}
	}
	return true
}

func l2Norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}
