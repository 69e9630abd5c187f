// Package openaiclient builds github.com/sashabaranov/go-openai clients for
// any OpenAI-compatible server (OpenAI, Ollama, vLLM, LocalAI, llama.cpp)
// and holds the retry policy the embedder and the chat answerer share:
// which failures are worth retrying, backoff, Retry-After, context-aware
// sleeping and keeping the API key out of error text.
//
// go-openai neither retries nor exposes response headers: its APIError and
// RequestError carry the status but not Retry-After. The client New builds
// therefore records each response's status and headers for requests whose
// context was prepared with Record.
package openaiclient

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// New returns a client for the server at baseURL (e.g.
// "http://localhost:11434/v1"; empty means OpenAI's). apiKey may be empty
// for local servers. hc sends the requests (nil means a client without a
// timeout: callers bound requests with their contexts); it is wrapped, not
// modified.
func New(baseURL, apiKey string, hc *http.Client) *openai.Client {
	if hc == nil {
		hc = &http.Client{}
	}
	cfg := openai.DefaultConfig(apiKey)
	if baseURL != "" {
		cfg.BaseURL = strings.TrimRight(baseURL, "/")
	}
	cfg.HTTPClient = recorder{next: hc}
	return openai.NewClientWithConfig(cfg)
}

// Response is what was seen of the last HTTP response to a request made
// with a context from Record: zero when no response arrived (a network
// error).
type Response struct {
	Status int
	Header http.Header
}

type responseKey struct{}

// Record returns a context whose requests, sent through a client from New,
// record their response into the returned *Response. Read it after the
// call returns.
func Record(ctx context.Context) (context.Context, *Response) {
	r := &Response{}
	return context.WithValue(ctx, responseKey{}, r), r
}

// recorder is the openai.HTTPDoer that fills in a request's *Response.
type recorder struct{ next *http.Client }

func (r recorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.next.Do(req)
	if slot, ok := req.Context().Value(responseKey{}).(*Response); ok && resp != nil {
		slot.Status = resp.StatusCode
		slot.Header = resp.Header.Clone()
	}
	return resp, err
}

// Status returns the HTTP status a go-openai error carries (an APIError's
// or a RequestError's), or 0 when it carries none: a network error, a
// stream that broke, an error frame inside a stream.
func Status(err error) int {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatusCode != 0 {
		return apiErr.HTTPStatusCode
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode
	}
	return 0
}

// QuotaExhausted reports whether err is OpenAI's "insufficient_quota"
// error: a 429 like a rate limit, but one that waiting will not cure.
func QuotaExhausted(err error) bool {
	var apiErr *openai.APIError
	return errors.As(err, &apiErr) &&
		(apiErr.Type == "insufficient_quota" || apiErr.Code == "insufficient_quota")
}

// Classify returns the HTTP status of a failed call (0 when no response
// arrived) and whether another attempt may succeed: no response at all,
// 408, 429 (unless the quota is exhausted) and 5xx are worth retrying;
// other statuses (a bad key, an unknown model, a prompt too long) are not.
func Classify(err error) (status int, retryable bool) {
	status = Status(err)
	if QuotaExhausted(err) {
		return status, false
	}
	return status, status == 0 || status == http.StatusTooManyRequests ||
		status == http.StatusRequestTimeout || status >= 500
}

// RetryAfter reads a Retry-After header: delay-seconds or an HTTP-date
// (RFC 9110 §10.2.3), measured from now. ok is false when the header is
// absent or unreadable; a date in the past is a zero wait.
func RetryAfter(h http.Header, now time.Time) (wait time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 || secs > 1e6 {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Backoff is the wait before retry number attempt (from 0): base doubled
// per attempt up to ceiling, with "equal jitter" (half fixed, half random)
// so that many clients rate-limited at once do not retry in lockstep.
func Backoff(attempt int, base, ceiling time.Duration) time.Duration {
	d := base << min(attempt, 20)
	if d <= 0 || d > ceiling {
		d = ceiling
	}
	return d/2 + rand.N(d/2+1)
}

// Sleep waits for d or until ctx ends, whichever is first; it returns the
// context's cause in the second case.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Redact removes secret from s. Servers and proxies sometimes quote the key
// they rejected; it must reach neither logs nor users.
func Redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}

// RedactError returns err with secret removed from its text, keeping the
// chain for errors.Is and errors.As; err itself when there is nothing to
// remove.
func RedactError(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &redacted{msg: Redact(err.Error(), secret), err: err}
}

type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
