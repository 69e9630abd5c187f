package openaiclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		value string
		want  time.Duration
		ok    bool
	}{
		{"absent", "", 0, false},
		{"seconds", "3", 3 * time.Second, true},
		{"fractional seconds", "0.5", 500 * time.Millisecond, true},
		{"zero", "0", 0, true},
		{"http date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"date in the past", now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"negative", "-4", 0, false},
		{"absurd", "99999999", 0, false},
		{"garbage", "soon", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.value != "" {
				h.Set("Retry-After", tc.value)
			}
			got, ok := RetryAfter(h, now)
			if got != tc.want || ok != tc.ok {
				t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tc.value, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	apiErr := func(status int, typ string, code any) error {
		return fmt.Errorf("create embeddings: %w", &openai.APIError{HTTPStatusCode: status, Type: typ, Code: code, Message: "m"})
	}
	tests := []struct {
		name      string
		err       error
		status    int
		retryable bool
		quota     bool
	}{
		{"rate limited", apiErr(429, "rate_limit_error", nil), 429, true, false},
		{"quota by code", apiErr(429, "", "insufficient_quota"), 429, false, true},
		{"quota by type", apiErr(429, "insufficient_quota", nil), 429, false, true},
		{"server error", apiErr(500, "server_error", nil), 500, true, false},
		{"bad gateway from a proxy", &openai.RequestError{HTTPStatusCode: 502, Err: errors.New("html body")}, 502, true, false},
		{"request timeout", apiErr(408, "", nil), 408, true, false},
		{"bad key", apiErr(401, "invalid_request_error", "invalid_api_key"), 401, false, false},
		{"forbidden", apiErr(403, "", nil), 403, false, false},
		{"unknown model", apiErr(404, "", "model_not_found"), 404, false, false},
		{"prompt too long", apiErr(400, "invalid_request_error", "context_length_exceeded"), 400, false, false},
		{"error frame in a stream", &openai.APIError{Message: "overloaded"}, 0, true, false},
		{"network", errors.New("dial tcp: connection refused"), 0, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, retryable := Classify(tc.err)
			if status != tc.status || retryable != tc.retryable {
				t.Errorf("Classify(%v) = %d, %v; want %d, %v", tc.err, status, retryable, tc.status, tc.retryable)
			}
			if Status(tc.err) != tc.status {
				t.Errorf("Status(%v) = %d, want %d", tc.err, Status(tc.err), tc.status)
			}
			if QuotaExhausted(tc.err) != tc.quota {
				t.Errorf("QuotaExhausted(%v) = %v, want %v", tc.err, !tc.quota, tc.quota)
			}
		})
	}
}

func TestBackoffBounds(t *testing.T) {
	base, ceiling := 100*time.Millisecond, 2*time.Second
	for attempt := range 30 {
		full := min(base<<min(attempt, 20), ceiling)
		for range 50 {
			if d := Backoff(attempt, base, ceiling); d < full/2 || d > full {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", attempt, d, full/2, full)
			}
		}
	}
}

func TestSleepStopsWithContext(t *testing.T) {
	cause := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, cause) || time.Since(start) > time.Second {
		t.Errorf("Sleep on a cancelled context = %v after %v", err, time.Since(start))
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep = %v", err)
	}
}

func TestRedactError(t *testing.T) {
	base := errors.New("401: invalid key sk-secret-1")
	err := RedactError(fmt.Errorf("embed: %w", base), "sk-secret-1")
	if strings.Contains(err.Error(), "sk-secret-1") || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("not redacted: %v", err)
	}
	if !errors.Is(err, base) {
		t.Error("redaction broke the error chain")
	}
	if e := errors.New("no key here"); RedactError(e, "sk") != e || RedactError(e, "") != e {
		t.Error("an error without the secret must come back unchanged")
	}
	if Redact("key=sk-1", "") != "key=sk-1" {
		t.Error("an empty secret must change nothing")
	}
}

// TestRecordSeesRetryAfter: a real 429 from a server reaches the caller's
// *Response with its Retry-After, which go-openai's error does not carry.
func TestRecordSeesRetryAfter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":{"message":"slow down","type":"rate_limit_error"}}`)
	}))
	defer srv.Close()
	c := New(srv.URL+"/v1/", "sk-test", srv.Client())
	ctx, resp := Record(context.Background())
	_, err := c.CreateEmbeddings(ctx, openai.EmbeddingRequest{Input: []string{"x"}, Model: "m"})
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusTooManyRequests {
		t.Fatalf("err = %v, want a 429 APIError", err)
	}
	if resp.Status != http.StatusTooManyRequests {
		t.Errorf("recorded status %d", resp.Status)
	}
	if d, ok := RetryAfter(resp.Header, time.Now()); !ok || d != 7*time.Second {
		t.Errorf("recorded Retry-After = %v, %v; want 7s", d, ok)
	}
}
