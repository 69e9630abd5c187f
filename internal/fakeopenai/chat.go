package fakeopenai

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
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
	Model               string    `json:"model"`
	Messages            []Message `json:"messages"`
	Stream              bool      `json:"stream"`
	Temperature         *float32  `json:"temperature"`
	MaxTokens           int       `json:"max_tokens"`
	MaxCompletionTokens int       `json:"max_completion_tokens"`
	ReasoningEffort     string    `json:"reasoning_effort"`
	StreamOptions       *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	// Header is the request's HTTP header, for asserting on authentication.
	Header http.Header `json:"-"`
	// Dropped is how many words of the prompt an Ollama-flavoured server
	// with a ContextTokens window silently cut from its front.
	Dropped int `json:"-"`
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
	// DeltaDelay is slept between deltas (reasoning and content): a slow
	// but steady stream.
	DeltaDelay time.Duration
	// Reasoning is streamed before the reply as reasoning deltas, in the
	// field ReasoningField names: "reasoning" (Ollama's, the default) or
	// "reasoning_content" (DeepSeek's and vLLM's).
	Reasoning      string
	ReasoningField string
	// NoFinish leaves out the chunk carrying finish_reason but still ends
	// with data: [DONE], as some servers do.
	NoFinish bool
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
	// Flavor selects whose errors and limits the fake imitates.
	Flavor Flavor
	// Models, when set, are the models the server has; a request for
	// another gets a 404 with the flavour's error body.
	Models []string
	// ContextTokens, when positive, is the model's context window,
	// counting the prompt's words and max_tokens: an OpenAI-flavoured
	// server refuses a longer request with context_length_exceeded, an
	// Ollama-flavoured one silently drops the prompt's first words and
	// answers 200 (see ChatRequest.Dropped), as Ollama does.
	ContextTokens int
	// Serial serves one request at a time and queues the others, as Ollama
	// does unless OLLAMA_NUM_PARALLEL is raised.
	Serial bool
	// RequireCompletionTokens refuses max_tokens, and a temperature other
	// than 1, as OpenAI's reasoning models do.
	RequireCompletionTokens bool
	// RejectStreamOptions refuses stream_options, as some older
	// OpenAI-compatible servers do.
	RejectStreamOptions bool

	mu        sync.Mutex
	script    []Step        // guarded by mu
	requests  []ChatRequest // guarded by mu
	active    int           // requests being served; guarded by mu
	maxActive int           // most served at once; guarded by mu
	waiting   int           // requests queued behind Serial; guarded by mu
	maxQueued int           // most queued at once; guarded by mu
	serial    sync.Mutex    // held while serving when Serial
}

// Flavor names a server whose behaviour the fake imitates.
type Flavor int

// The flavours.
const (
	// FlavorOpenAI answers like api.openai.com.
	FlavorOpenAI Flavor = iota
	// FlavorOllama answers like Ollama's OpenAI-compatible endpoint.
	FlavorOllama
)

// MaxConcurrent is the most requests the fake served at the same time.
func (c *Chat) MaxConcurrent() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxActive
}

// MaxQueued is the most requests that waited at the same time for a
// Serial fake to finish another: whether a test really queued any.
func (c *Chat) MaxQueued() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxQueued
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
	if c.Serial {
		c.mu.Lock()
		c.waiting++
		c.maxQueued = max(c.maxQueued, c.waiting)
		c.mu.Unlock()
		c.serial.Lock()
		defer c.serial.Unlock()
		c.mu.Lock()
		c.waiting--
		c.mu.Unlock()
	}
	if msg, status := c.refuse(req); msg != "" {
		c.mu.Lock()
		c.requests = append(c.requests, req) // refused before any step plays
		c.mu.Unlock()
		c.writeFlavoredError(w, status, msg, req)
		return
	}
	if c.ContextTokens > 0 && c.Flavor == FlavorOllama {
		req = truncateFront(req, c.ContextTokens-req.MaxTokens)
	}
	step := c.record(req)
	c.mu.Lock()
	c.active++
	c.maxActive = max(c.maxActive, c.active)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.active--
		c.mu.Unlock()
	}()

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
		if step.Reasoning != "" && step.ReasoningField == "" {
			reply = "<think>" + step.Reasoning + "</think>" + reply
		}
		writeCompletion(w, req, reply, finish)
		return
	}
	c.stream(w, r, req, step, split(reply, c.deltas()), finish)
}

// record keeps req and takes the next step of the script.
func (c *Chat) record(req ChatRequest) Step {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests = append(c.requests, req)
	var step Step
	if len(c.script) > 0 {
		step, c.script = c.script[0], c.script[1:]
	}
	return step
}

// refuse returns the error message and status a real server would answer
// req with, or "" to serve it.
func (c *Chat) refuse(req ChatRequest) (string, int) {
	if len(c.Models) > 0 && !slices.Contains(c.Models, req.Model) {
		if c.Flavor == FlavorOllama {
			return fmt.Sprintf("model '%s' not found", req.Model), http.StatusNotFound // Ollama 0.17.4's words
		}
		return fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", req.Model), http.StatusNotFound
	}
	if c.RequireCompletionTokens && req.MaxTokens > 0 {
		return "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", http.StatusBadRequest
	}
	if c.RequireCompletionTokens && req.Temperature != nil && *req.Temperature != 1 {
		return fmt.Sprintf("Unsupported value: 'temperature' does not support %g with this model. Only the default (1) value is supported.", *req.Temperature), http.StatusBadRequest
	}
	if c.RejectStreamOptions && req.StreamOptions != nil {
		return "Unrecognized request argument supplied: stream_options", http.StatusBadRequest
	}
	if c.ContextTokens > 0 && c.Flavor == FlavorOpenAI {
		used := len(strings.Fields(req.Text()))
		if used+req.MaxTokens > c.ContextTokens {
			return fmt.Sprintf("This model's maximum context length is %d tokens. However, you requested %d tokens (%d in the messages, %d in the completion). Please reduce the length of the messages or completion.",
				c.ContextTokens, used+req.MaxTokens, used, req.MaxTokens), http.StatusBadRequest
		}
	}
	return "", 0
}

// writeFlavoredError writes msg as the flavour's error body.
func (c *Chat) writeFlavoredError(w http.ResponseWriter, status int, msg string, req ChatRequest) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := map[string]any{"message": msg, "type": "invalid_request_error", "param": nil, "code": nil}
	switch {
	case c.Flavor == FlavorOllama:
		body["type"] = "api_error"
	case status == http.StatusNotFound:
		body["code"] = "model_not_found"
	case strings.Contains(msg, "maximum context length"):
		body["param"], body["code"] = "messages", "context_length_exceeded"
	case strings.Contains(msg, "max_tokens"):
		body["param"], body["code"] = "max_tokens", "unsupported_parameter"
	case strings.Contains(msg, "temperature"):
		body["param"], body["code"] = "temperature", "unsupported_value"
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": body})
}

// truncateFront drops the first words of the prompt so that at most keep
// remain, as Ollama does with a prompt longer than its context.
func truncateFront(req ChatRequest, keep int) ChatRequest {
	total := len(strings.Fields(req.Text()))
	drop := total - max(keep, 0)
	if drop <= 0 {
		return req
	}
	req.Dropped = drop
	msgs := make([]Message, 0, len(req.Messages))
	for _, m := range req.Messages {
		words := strings.Fields(m.Content)
		if drop >= len(words) {
			drop -= len(words)
			continue
		}
		m.Content = strings.Join(words[drop:], " ")
		drop = 0
		msgs = append(msgs, m)
	}
	req.Messages = msgs
	return req
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
	if step.Reasoning != "" {
		field := step.ReasoningField
		if field == "" {
			field = "reasoning"
		}
		for i, p := range split(step.Reasoning, c.deltas()) {
			if i > 0 && step.DeltaDelay > 0 {
				select {
				case <-time.After(step.DeltaDelay):
				case <-r.Context().Done():
					return
				}
			}
			// Ollama repeats the role in every chunk, reasoning included.
			frame(chunk(req.Model, map[string]string{"role": "assistant", "content": "", field: p}, nil))
		}
	}
	for i, p := range parts {
		if step.Fail != FailNone && i == step.At {
			break
		}
		if i > 0 && step.DeltaDelay > 0 {
			select {
			case <-time.After(step.DeltaDelay):
			case <-r.Context().Done():
				return
			}
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
	if !step.NoFinish {
		frame(chunk(req.Model, map[string]string{}, &finish))
	}
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
