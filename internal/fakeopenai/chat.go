package fakeopenai

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Message is one chat message as a client sent it.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ChatRequest is the part of a /v1/chat/completions request body the fake
// understands.
type ChatRequest struct {
	Model         string    `json:"model"`
	Messages      []Message `json:"messages"`
	Stream        bool      `json:"stream"`
	Temperature   float32   `json:"temperature"`
	MaxTokens     int       `json:"max_tokens"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	// Header is the request's HTTP header, for asserting on authentication.
	Header http.Header `json:"-"`
}

// Text returns all message contents joined by newlines, for assertions about
// what the model was shown.
func (r ChatRequest) Text() string {
	var b strings.Builder
	for _, m := range r.Messages {
		b.WriteString(m.Content)
		b.WriteByte('\n')
	}
	return b.String()
}

// Fail selects how a Step deviates from a normal answer.
type Fail int

// The failures a Step can script.
const (
	// FailNone answers normally.
	FailNone Fail = iota
	// FailStatus answers with Step.Status and an OpenAI error body.
	FailStatus
	// FailErrorFrame streams Step.At deltas, then a `data: {"error":...}`
	// frame, and ends the response.
	FailErrorFrame
	// FailCut streams Step.At deltas, then hijacks the connection and closes
	// it: no finish_reason, no [DONE], no end of the chunked body.
	FailCut
	// FailEndEarly streams Step.At deltas and ends the response cleanly
	// but without a finish_reason or [DONE], as a proxy that drops the
	// upstream might.
	FailEndEarly
	// FailHang sends nothing and blocks until the client gives up.
	FailHang
)

// Step scripts the answer to one request.
type Step struct {
	Fail Fail
	// Status is the HTTP status for FailStatus, e.g. 429 or 503.
	Status int
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter string
	// At is how many content deltas are streamed before the failure.
	At int
	// Reply replaces the Chat's reply for this request when non-empty.
	Reply string
	// FinishReason replaces "stop" in the final chunk, e.g. "length".
	FinishReason string
	// FirstTokenDelay is slept (until the client gives up) after the role
	// frame and before the first content delta; keep-alive comments are
	// sent meanwhile.
	FirstTokenDelay time.Duration
}

// Chat is a scripted /v1/chat/completions handler speaking the real wire
// format: JSON for stream=false and server-sent events for stream=true, with
// a role frame, content deltas, a final chunk carrying finish_reason and
// data: [DONE], flushing after each frame. Each request consumes the next
// Step of Script; when the script is used up, requests succeed. Configure
// the exported fields before the first request.
type Chat struct {
	// Reply returns the answer text for a request; nil answers "OK [1]".
	Reply func(ChatRequest) string
	// Deltas is how many content deltas the reply is split into; 0 means 4.
	Deltas int

	mu       sync.Mutex
	script   []Step        // guarded by mu
	requests []ChatRequest // guarded by mu
}

// NewChat returns a handler answering every request with reply, after
// playing the given steps in order.
func NewChat(reply string, script ...Step) *Chat {
	return &Chat{Reply: func(ChatRequest) string { return reply }, script: script}
}

// Requests returns the parsed requests received so far, in order.
func (c *Chat) Requests() []ChatRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]ChatRequest(nil), c.requests...)
}

// ServeHTTP implements http.Handler.
func (c *Chat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req ChatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "bad JSON: "+err.Error())
		return
	}
	req.Header = r.Header.Clone()
	c.mu.Lock()
	c.requests = append(c.requests, req)
	var step Step
	if len(c.script) > 0 {
		step, c.script = c.script[0], c.script[1:]
	}
	c.mu.Unlock()

	reply := step.Reply
	if reply == "" {
		reply = "OK [1]"
		if c.Reply != nil {
			reply = c.Reply(req)
		}
	}
	finish := step.FinishReason
	if finish == "" {
		finish = "stop"
	}
	switch step.Fail {
	case FailStatus:
		if step.RetryAfter != "" {
			w.Header().Set("Retry-After", step.RetryAfter)
		}
		writeError(w, step.Status, errorType(step.Status), http.StatusText(step.Status))
		return
	case FailHang:
		<-r.Context().Done()
		return
	}
	if !req.Stream {
		writeCompletion(w, req, reply, finish)
		return
	}
	c.stream(w, r, req, step, split(reply, c.deltas()), finish)
}

func (c *Chat) deltas() int {
	if c.Deltas <= 0 {
		return 4
	}
	return c.Deltas
}

func (c *Chat) stream(w http.ResponseWriter, r *http.Request, req ChatRequest, step Step, parts []string, finish string) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	frame := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		_ = rc.Flush()
	}
	frame(chunk(req.Model, map[string]string{"role": "assistant", "content": ""}, nil))
	if step.FirstTokenDelay > 0 {
		fmt.Fprint(w, ": keep-alive\n\n")
		_ = rc.Flush()
		select {
		case <-time.After(step.FirstTokenDelay):
		case <-r.Context().Done():
			return
		}
	}
	for i, p := range parts {
		if step.Fail != FailNone && i == step.At {
			break
		}
		frame(chunk(req.Model, map[string]string{"content": p}, nil))
	}
	switch step.Fail {
	case FailErrorFrame:
		frame(map[string]any{"error": map[string]any{"message": "The server had an error while processing your request.", "type": "server_error", "code": nil}})
		return
	case FailCut:
		if conn, _, err := rc.Hijack(); err == nil {
			conn.Close()
		}
		return
	case FailEndEarly:
		return
	}
	frame(chunk(req.Model, map[string]string{}, &finish))
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		u := usage(req, strings.Join(parts, ""))
		frame(map[string]any{"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1700000000, "model": req.Model, "choices": []any{}, "usage": u})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	_ = rc.Flush()
}

func chunk(model string, delta map[string]string, finish *string) map[string]any {
	return map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
		"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}},
	}
}

func writeCompletion(w http.ResponseWriter, req ChatRequest, reply, finish string) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "created": 1700000000, "model": req.Model,
		"choices": []any{map[string]any{
			"index": 0, "message": map[string]string{"role": "assistant", "content": reply}, "finish_reason": finish,
		}},
		"usage": usage(req, reply),
	})
}

// usage counts whitespace-separated words as tokens: enough for tests to
// see that usage was read.
func usage(req ChatRequest, reply string) map[string]int {
	p := len(strings.Fields(req.Text()))
	c := len(strings.Fields(reply))
	return map[string]int{"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "code": nil}})
}

func errorType(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "rate_limit_exceeded"
	case status == http.StatusUnauthorized:
		return "invalid_api_key"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}

// split cuts s into at most n pieces of about equal rune length whose
// concatenation is s.
func split(s string, n int) []string {
	r := []rune(s)
	if n > len(r) {
		n = max(len(r), 1)
	}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, string(r[i*len(r)/n:(i+1)*len(r)/n]))
	}
	return out
}
