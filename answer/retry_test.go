package answer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"missionbot/internal/openaiclient"
)

// TestRetryAfterIsCapped: the answerer honours a server's Retry-After only
// up to maxRetryAfter, and reads no wait from a response that names none.
func TestRetryAfterIsCapped(t *testing.T) {
	now := time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"2", 2 * time.Second},
		{"3600", maxRetryAfter},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second},
		{"soon", 0},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			h := http.Header{}
			if tc.in != "" {
				h.Set("Retry-After", tc.in)
			}
			if got := retryAfter(&openaiclient.Response{Header: h}, now); got != tc.want {
				t.Errorf("retryAfter(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	apiErr := func(status int, code any) error {
		return &openai.APIError{HTTPStatusCode: status, Code: code, Message: "m"}
	}
	cases := []struct {
		name       string
		err        error
		started    bool
		status     int
		want       ErrorKind
		wantRetry  bool
		retryAfter time.Duration
	}{
		{"429", apiErr(429, nil), false, 429, KindRateLimited, true, time.Second},
		{"429 quota", apiErr(429, "insufficient_quota"), false, 429, KindAuth, false, 0},
		{"500", apiErr(500, nil), false, 500, KindUnavailable, true, 0},
		{"503 request error", &openai.RequestError{HTTPStatusCode: 503, Err: errors.New("x")}, false, 503, KindUnavailable, true, 0},
		{"401", apiErr(401, "invalid_api_key"), false, 401, KindAuth, false, 0},
		{"404 with an API error", apiErr(404, "model_not_found"), false, 404, KindModelNotFound, false, 0},
		{"404 without one", &openai.RequestError{HTTPStatusCode: 404, Err: errors.New("invalid character 'p' after top-level value")}, false, 404, KindEndpoint, false, 0},
		{"context length", &openai.APIError{HTTPStatusCode: 400, Code: "context_length_exceeded", Message: "This model's maximum context length is 4096 tokens."}, false, 400, KindContextLength, false, 0},
		{"llama.cpp context", &openai.APIError{HTTPStatusCode: 400, Message: "the request exceeds the available context size, try increasing it"}, false, 400, KindContextLength, false, 0},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), false, 0, KindTimeout, false, 0},
		{"first token", fmt.Errorf("%w (%w)", errFirstToken, context.Canceled), false, 0, KindTimeout, false, 0},
		{"network", &net.OpError{Op: "dial", Err: errors.New("refused")}, false, 0, KindUnavailable, true, 0},
		{"unexpected EOF before text", io.ErrUnexpectedEOF, false, 200, KindUnavailable, true, 0},
		{"unexpected EOF after text", io.ErrUnexpectedEOF, true, 200, KindCut, false, 0},
		{"error frame after text", fmt.Errorf("error, %w", &openai.APIError{Message: "boom"}), true, 200, KindCut, false, 0},
		{"local error", errors.New("unsupported protocol scheme"), false, 0, KindBadRequest, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			me := classify(tc.err, tc.started, tc.status, tc.retryAfter)
			if me.Kind != tc.want || me.retryable() != tc.wantRetry {
				t.Errorf("classify(%v) = %v retryable %v, want %v %v", tc.err, me.Kind, me.retryable(), tc.want, tc.wantRetry)
			}
			if me.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter %v, want %v", me.RetryAfter, tc.retryAfter)
			}
			var target *ModelError
			if !errors.As(fmt.Errorf("wrapped: %w", me), &target) || !errors.Is(me, tc.err) {
				t.Errorf("ModelError does not unwrap to %v", tc.err)
			}
			if me.Kind.Notice() == "" || me.Kind.String() == "" {
				t.Errorf("kind %v lacks a notice or name", me.Kind)
			}
		})
	}
}
