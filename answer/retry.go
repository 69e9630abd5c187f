package answer

import (
	"time"

	"missionbot/internal/openaiclient"
)

// Retry timing: backoff doubles from baseBackoff up to maxBackoff, and a
// server's Retry-After is honoured up to maxRetryAfter.
const (
	baseBackoff   = 500 * time.Millisecond
	maxBackoff    = 8 * time.Second
	maxRetryAfter = 60 * time.Second
)

// retryAfter is the wait a failed response asked for, capped at
// maxRetryAfter; 0 when it named none.
func retryAfter(r *openaiclient.Response, now time.Time) time.Duration {
	d, ok := openaiclient.RetryAfter(r.Header, now)
	if !ok {
		return 0
	}
	return min(d, maxRetryAfter)
}
