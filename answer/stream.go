package answer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"missionbot/internal/openaiclient"
)

// generation is the outcome of streaming one answer.
type generation struct {
	// text is the raw content, reasoning included; see stripReasoning.
	text   string
	finish openai.FinishReason
	// thought is true when the model reasoned: reasoning_content deltas,
	// deltas with no content after the opening one (Ollama's "reasoning"
	// field, which go-openai does not read), or a <think> block.
	thought                        bool
	promptTokens, completionTokens int
}

// Finish reasons beyond go-openai's constants, as other servers send them.
const (
	finishEOS      = "eos"
	finishEOSToken = "eos_token"
	finishEndTurn  = "end_turn"
	finishMaxToken = "max_tokens"
)

// isLength reports whether a finish reason means the length limit cut the
// answer.
func isLength(f openai.FinishReason) bool {
	return f == openai.FinishReasonLength || f == finishMaxToken
}

// errIdle is the cancel cause when a started stream falls silent.
var errIdle = errors.New("the stream fell silent past the idle timeout")

// request builds a chat request for the model with what the server is
// known to accept: max_completion_tokens instead of max_tokens for models
// that need it (go-openai's own check names OpenAI's reasoning models;
// adapt learns others from the server), without a temperature for models
// that refuse one, and with the configured reasoning effort. maxTokens is
// the limit for an answer; reasoningTokens replaces it for a model that
// counts its reasoning in the limit.
func (l *LLM) request(system, user string, maxTokens, reasoningTokens int) openai.ChatCompletionRequest {
	creq := openai.ChatCompletionRequest{
		Model:           l.opts.Model,
		Messages:        messages(system, user),
		MaxTokens:       maxTokens,
		Temperature:     l.opts.Temperature,
		ReasoningEffort: l.opts.ReasoningEffort,
	}
	v := openai.NewReasoningValidator()
	if l.completionTokens.Load() || errors.Is(v.Validate(creq), openai.ErrReasoningModelMaxTokensDeprecated) {
		creq.MaxTokens, creq.MaxCompletionTokens = 0, max(maxTokens, reasoningTokens)
	}
	if l.noTemperature.Load() || v.Validate(creq) != nil {
		creq.Temperature = 0 // omitted: such models take only their default
	}
	return creq
}

// adapt changes creq after the server refused it for a parameter it does
// not take, remembers that for later calls, and reports whether a retry
// may now succeed: "Use 'max_completion_tokens' instead", an unsupported
// temperature, an unrecognised stream_options.
func (l *LLM) adapt(err error, creq *openai.ChatCompletionRequest) bool {
	if openaiclient.Status(err) != http.StatusBadRequest {
		return false
	}
	msg := strings.ToLower(err.Error())
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		param := ""
		if apiErr.Param != nil {
			param = *apiErr.Param
		}
		msg += " " + strings.ToLower(apiErr.Message) + " " + param
	}
	switch {
	case creq.MaxTokens > 0 && strings.Contains(msg, "max_completion_tokens"):
		l.completionTokens.Store(true)
		creq.MaxCompletionTokens, creq.MaxTokens = creq.MaxTokens, 0
	case creq.StreamOptions != nil && strings.Contains(msg, "stream_options"):
		l.noStreamOptions.Store(true)
		creq.StreamOptions = nil
	case creq.Temperature != 0 && strings.Contains(msg, "temperature"):
		l.noTemperature.Store(true)
		creq.Temperature = 0
	default:
		return false
	}
	l.log.Warn("the chat server refused a request parameter; sending it differently from now on", "error", l.redact(err.Error()))
	return true
}

// maxAdaptations bounds how often one call is re-sent after adapt.
const maxAdaptations = 3

// generate streams the answer, retrying failures that happen before any
// visible text (see ModelError.retryable) with backoff, honouring
// Retry-After, and re-sending at once a request the server refused for a
// parameter (see adapt). onDelta gets the visible text (see
// visibleStream). Its error is always a *ModelError.
func (l *LLM) generate(ctx context.Context, system, user string, onDelta func(string)) (generation, error) {
	creq := l.request(system, user, l.opts.MaxTokens, l.opts.MaxTokens)
	if !l.noStreamOptions.Load() {
		creq.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	}
	adapted := 0
	for attempt := 0; ; {
		rctx, resp := openaiclient.Record(ctx)
		vis := newVisibleStream(onDelta)
		gen, err := l.streamOnce(rctx, creq, vis)
		if err == nil {
			return gen, nil
		}
		if !vis.emitted && adapted < maxAdaptations && l.adapt(err, &creq) {
			adapted++
			continue
		}
		me := classify(err, vis.emitted, resp.Status, retryAfter(resp, l.opts.Now()))
		me.Model = l.opts.Model
		if !me.retryable() || attempt >= l.opts.MaxRetries || ctx.Err() != nil {
			return gen, me
		}
		wait := me.RetryAfter
		if wait == 0 {
			wait = openaiclient.Backoff(attempt, baseBackoff, maxBackoff)
		}
		if deadline, ok := ctx.Deadline(); wait > l.opts.FirstTokenTimeout || ok && time.Until(deadline) < wait {
			return gen, me // not worth the wait, or it would outlast the caller's time
		}
		l.log.WarnContext(ctx, "chat model call failed; retrying",
			"attempt", attempt+1, "kind", me.Kind.String(), "status", me.Status, "wait", wait)
		if err := l.opts.Sleep(ctx, wait); err != nil {
			return gen, classify(fmt.Errorf("%w (%w)", context.DeadlineExceeded, err), false, 0, 0)
		}
		attempt++
	}
}

// streamOnce makes one streamed call, feeding content to vis. The first
// token (content, reasoning or a finish) must come within
// FirstTokenTimeout and every later one within IdleTimeout of the one
// before. A stream that ends, with data: [DONE] or cleanly, after content
// is complete even without a finish_reason (some servers send none); one
// cut mid-way fails.
func (l *LLM) streamOnce(ctx context.Context, creq openai.ChatCompletionRequest, vis *visibleStream) (gen generation, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var active atomic.Bool
	timer := time.AfterFunc(l.opts.FirstTokenTimeout, func() {
		if active.Load() {
			cancel(errIdle)
		} else {
			cancel(errFirstToken)
		}
	})
	defer timer.Stop()
	stream, err := l.client.CreateChatCompletionStream(ctx, creq)
	if err != nil {
		return gen, causeOf(ctx, err)
	}
	defer stream.Close()
	var raw strings.Builder
	chunks := 0
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			gen.text = raw.String()
			return gen, causeOf(ctx, err)
		}
		chunks++
		if resp.Usage != nil {
			gen.promptTokens, gen.completionTokens = resp.Usage.PromptTokens, resp.Usage.CompletionTokens
		}
		progress := false
		for _, c := range resp.Choices {
			if c.Index != 0 {
				continue
			}
			if c.Delta.ReasoningContent != "" {
				gen.thought, progress = true, true
			}
			if c.Delta.Content != "" {
				progress = true
				raw.WriteString(c.Delta.Content)
				vis.write(c.Delta.Content)
			}
			if len(c.Delta.ToolCalls) > 0 || c.Delta.FunctionCall != nil {
				progress = true
			}
			if c.FinishReason != "" && c.FinishReason != openai.FinishReasonNull {
				gen.finish, progress = c.FinishReason, true
			}
			if !progress && chunks > 1 {
				// A delta with nothing go-openai reads after the opening
				// one: Ollama's "reasoning" field (Ollama repeats the role
				// in every chunk, so the role cannot tell them apart).
				gen.thought, progress = true, true
			}
		}
		if progress {
			active.Store(true)
			timer.Reset(l.opts.IdleTimeout)
		}
	}
	vis.close()
	gen.text = raw.String()
	if strings.Contains(gen.text, thinkOpen) || strings.Contains(gen.text, thinkClose) {
		gen.thought = true
	}
	return gen, l.finished(gen)
}

// finished decides what a stream that ended means, by its finish reason:
// stop (and eos, eos_token, end_turn) or none is a complete answer; length
// (max_tokens) is complete but cut short, and if it left no answer after
// reasoning the model spent its limit thinking; content_filter is a
// filtered answer; tool_calls (we offer no tools) and reasons we do not
// know keep whatever text came, logged. A reply with no text after its
// reasoning is empty; a stream with no text and no finish at all never
// really started and may be retried.
func (l *LLM) finished(gen generation) error {
	empty := strings.TrimSpace(stripReasoning(gen.text)) == ""
	switch gen.finish {
	case "":
		if empty && !gen.thought {
			return &ModelError{Kind: KindUnavailable, Err: errNoFinish}
		}
	case openai.FinishReasonStop, finishEOS, finishEOSToken, finishEndTurn:
	case openai.FinishReasonLength, finishMaxToken:
		if empty && gen.thought {
			return &ModelError{Kind: KindReasoning, Err: errors.New("the length limit was reached while the model was reasoning; set MISSIONBOT_REASONING_EFFORT=none or raise MISSIONBOT_MAX_ANSWER_TOKENS")}
		}
	case openai.FinishReasonContentFilter:
		return &ModelError{Kind: KindFiltered, Err: errors.New("the model stopped with finish_reason \"content_filter\"")}
	default:
		l.log.Warn("chat model stopped with an unexpected finish_reason; keeping its text", "finish_reason", string(gen.finish))
	}
	if empty {
		return &ModelError{Kind: KindEmpty, Err: errors.New("the model returned no text")}
	}
	return nil
}

// causeOf prefers ctx's cancel cause (such as errFirstToken) over the error
// the HTTP client reports for the cancelled request.
func causeOf(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
		return fmt.Errorf("%w (%w)", cause, err)
	}
	return err
}
