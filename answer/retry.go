package answer

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry timing: backoff doubles from baseBackoff up to maxBackoff, and a
// server's Retry-After is honoured up to maxRetryAfter.
const (
	baseBackoff   = 500 * time.Millisecond
	maxBackoff    = 8 * time.Second
	maxRetryAfter = 60 * time.Second
)

// backoff is the wait before retry number attempt (from 0): exponential,
// with "equal jitter" (half fixed, half random) so that many clients
// rate-limited at once do not retry in lockstep.
func backoff(attempt int) time.Duration {
	d := baseBackoff << min(attempt, 10)
	d = min(d, maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// parseRetryAfter reads a Retry-After header value: delay-seconds or an
// HTTP-date (RFC 9110 §10.2.3). It returns 0 for an absent or unreadable
// value, or a date in the past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 || secs > maxRetryAfter.Seconds() {
			return min(max(time.Duration(secs*float64(time.Second)), 0), maxRetryAfter)
		}
		return time.Duration(secs * float64(time.Second))
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	return min(max(t.Sub(now), 0), maxRetryAfter)
}

// sleepContext waits for d or until ctx ends, whichever is first.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// responseInfo is what the transport saw of one HTTP response.
type responseInfo struct {
	status     int
	retryAfter string
}

type responseInfoKey struct{}

// withResponseInfo returns a context whose requests record their response
// status and Retry-After header into info.
func withResponseInfo(ctx context.Context, info *responseInfo) context.Context {
	return context.WithValue(ctx, responseInfoKey{}, info)
}

// headerCapture is an http.RoundTripper that records the status and
// Retry-After header of each response into the *responseInfo carried by its
// request's context. Quirk: go-openai's APIError and RequestError do not
// expose response headers, so this is the only way to see Retry-After.
type headerCapture struct {
	base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (h headerCapture) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.base.RoundTrip(req)
	if info, ok := req.Context().Value(responseInfoKey{}).(*responseInfo); ok && resp != nil {
		info.status = resp.StatusCode
		info.retryAfter = resp.Header.Get("Retry-After")
	}
	return resp, err
}
