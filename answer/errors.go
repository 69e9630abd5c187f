package answer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"missionbot/internal/openaiclient"
)

// ErrorKind classifies why a chat model call failed.
type ErrorKind int

// The kinds of model failure. Each maps to a one-line notice shown beside
// the extractive fallback answer.
const (
	// KindUnavailable is a 5xx status, a network error or a stream that
	// broke before its first token; it is retried.
	KindUnavailable ErrorKind = iota + 1
	// KindRateLimited is a 429 status; it is retried after Retry-After.
	KindRateLimited
	// KindTimeout is the answer's time budget running out.
	KindTimeout
	// KindCut is a stream that ended without a finish reason, or with an
	// error frame, after text had started: the text is incomplete.
	KindCut
	// KindBadRequest is a 4xx status other than 401, 403 and 429, such as
	// an unknown model (404) or a prompt that is too long (400).
	KindBadRequest
	// KindAuth is a 401 or 403 status: the key is wrong or lacks access.
	KindAuth
	// KindEmpty is a complete answer with no text.
	KindEmpty
	// KindModelNotFound is a 404 naming the model: the server does not
	// have it (not pulled, misspelt, or no access).
	KindModelNotFound
	// KindEndpoint is a 404 without an API error body: the base URL does
	// not point at an OpenAI-compatible API (often a missing /v1).
	KindEndpoint
	// KindContextLength is a prompt longer than the model's context
	// window; the answer is re-packed smaller and tried once more.
	KindContextLength
	// KindFiltered is an answer stopped by the provider's content filter.
	KindFiltered
	// KindReasoning is a reply whose whole length limit went on reasoning,
	// leaving no answer.
	KindReasoning
)

// String names the kind for logs.
func (k ErrorKind) String() string {
	switch k {
	case KindUnavailable:
		return "unavailable"
	case KindRateLimited:
		return "rate limited"
	case KindTimeout:
		return "timeout"
	case KindCut:
		return "cut"
	case KindBadRequest:
		return "bad request"
	case KindAuth:
		return "auth"
	case KindEmpty:
		return "empty"
	case KindModelNotFound:
		return "model not found"
	case KindEndpoint:
		return "endpoint not found"
	case KindContextLength:
		return "context length"
	case KindFiltered:
		return "filtered"
	case KindReasoning:
		return "reasoning"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Notice is the one-line remark shown to a user when an answer fell back
// to the sources because of a failure of this kind.
func (k ErrorKind) Notice() string {
	const tail = "; this answer was assembled directly from the sources."
	switch k {
	case KindTimeout:
		return "The language model timed out" + tail
	case KindRateLimited:
		return "The language model is rate-limited right now" + tail
	case KindCut:
		return "The language model's answer was cut off" + tail
	case KindBadRequest:
		return "The language model rejected the request" + tail
	case KindAuth:
		return "The language model refused our credentials" + tail
	case KindEmpty:
		return "The language model returned an empty answer" + tail
	case KindModelNotFound:
		return "The language model was not found on the server" + tail
	case KindEndpoint:
		return "The language model's API was not found at the configured address (OPENAI_BASE_URL usually ends in /v1)" + tail
	case KindContextLength:
		return "The question and its sources were too long for the language model's context window" + tail
	case KindFiltered:
		return "The language model's provider filtered its answer" + tail
	case KindReasoning:
		return "The language model spent its whole length limit reasoning before it could answer" + tail
	}
	return "The language model is unavailable right now" + tail
}

// ModelError is a failed chat model call. Answerers use it to decide
// whether to retry and which notice to show; it never carries the API key.
type ModelError struct {
	Kind ErrorKind
	// Model is the model asked for, named in the notice of
	// KindModelNotFound.
	Model string
	// Status is the HTTP status, or 0 when there was no response.
	Status int
	// RetryAfter is the server's requested wait, or 0 if it named none.
	RetryAfter time.Duration
	Err        error
}

// Error implements error.
func (e *ModelError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("chat model: %s (HTTP %d): %v", e.Kind, e.Status, e.Err)
	}
	return fmt.Sprintf("chat model: %s: %v", e.Kind, e.Err)
}

// Unwrap returns the underlying error.
func (e *ModelError) Unwrap() error { return e.Err }

// Notice is the one-line remark shown beside the fallback answer: the
// kind's notice, naming the model when the server does not have it.
func (e *ModelError) Notice() string {
	if e.Kind == KindModelNotFound && e.Model != "" {
		return fmt.Sprintf("The language model %q was not found on the server; this answer was assembled directly from the sources.", e.Model)
	}
	return e.Kind.Notice()
}

// retryable reports whether another attempt may succeed.
func (e *ModelError) retryable() bool {
	return e.Kind == KindUnavailable || e.Kind == KindRateLimited
}

// errNoFinish marks a stream that reached EOF without a finish reason.
var errNoFinish = errors.New("stream ended without a finish reason")

// errFirstToken is the cancel cause when the first token is too slow.
var errFirstToken = errors.New("no first token within the first-token timeout")

// classify turns an error from one model call into a *ModelError. started
// says whether any answer text had arrived; status and retryAfter are what
// the transport saw (go-openai's errors do not expose response headers).
func classify(err error, started bool, status int, retryAfter time.Duration) *ModelError {
	var me *ModelError
	if errors.As(err, &me) {
		return me
	}
	if s := openaiclient.Status(err); s != 0 {
		status = s
	}
	me = &ModelError{Status: status, Err: err}
	switch {
	case errors.Is(err, errFirstToken), errors.Is(err, errIdle), errors.Is(err, context.DeadlineExceeded):
		me.Kind = KindTimeout
	case status == http.StatusTooManyRequests:
		me.Kind = KindRateLimited
		me.RetryAfter = retryAfter
		if openaiclient.QuotaExhausted(err) {
			me.Kind = KindAuth // retrying will not restore a spent quota
		}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		me.Kind = KindAuth
	case contextTooLong(err, status):
		me.Kind = KindContextLength
	case status == http.StatusNotFound:
		me.Kind = KindEndpoint
		var apiErr *openai.APIError
		if errors.As(err, &apiErr) && apiErr.Message != "" {
			// A JSON error body: the API is there, the model is not
			// (OpenAI's "model_not_found", Ollama's "model … not found").
			me.Kind = KindModelNotFound
		}
	case status >= 500:
		me.Kind = KindUnavailable
		me.RetryAfter = retryAfter
	case status >= 400:
		me.Kind = KindBadRequest
	case started:
		// Text already went to OnDelta, so a retry would repeat it.
		me.Kind = KindCut
	default:
		me.Kind = KindUnavailable
		var netErr net.Error
		var apiErr *openai.APIError
		if !errors.As(err, &netErr) && !errors.Is(err, io.ErrUnexpectedEOF) &&
			!errors.Is(err, errNoFinish) && !errors.As(err, &apiErr) && !isStreamError(err) {
			// An unknown local error (bad URL, JSON we cannot parse) will
			// not go away by itself.
			me.Kind = KindBadRequest
		}
	}
	return me
}

// contextPhrase matches the ways servers say a prompt is too long:
// OpenAI's and vLLM's "maximum context length", llama.cpp's "exceeds the
// available context size", and others'.
var contextPhrase = regexp.MustCompile(`(?i)context[_ ]length[_ ]exceeded|maximum context length|context (?:window|size|length)|exceeds? the (?:available )?context|prompt is too long|too many tokens`)

// contextTooLong reports whether a failed call was refused because the
// prompt does not fit the model's context window.
func contextTooLong(err error, status int) bool {
	if status != http.StatusBadRequest && status != http.StatusRequestEntityTooLarge && status != 0 {
		return false
	}
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		if code, ok := apiErr.Code.(string); ok && code == "context_length_exceeded" {
			return true
		}
		return contextPhrase.MatchString(apiErr.Message)
	}
	return status != 0 && contextPhrase.MatchString(err.Error())
}

// isStreamError reports whether err came from reading the response body:
// a closed or reset connection before any text.
func isStreamError(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, openai.ErrTooManyEmptyStreamMessages)
}
