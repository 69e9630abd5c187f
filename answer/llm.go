package answer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"missionbot/internal/openaiclient"
	"missionbot/prompts"
	"missionbot/retrieval"
	"missionbot/text"
)

// Defaults for LLMOptions' zero values. With them a prompt (instructions,
// three turns of history, a full passage budget) and the longest answer fit
// Ollama's default context of 4,096 tokens, counted with the conservative
// prompts.EstimateTokens.
const (
	DefaultMaxTokens         = 600
	DefaultContextTokens     = 2800
	DefaultContextWindow     = 4096
	DefaultFirstTokenTimeout = 30 * time.Second
	DefaultIdleTimeout       = 20 * time.Second
	// minContextTokens is the smallest passage budget that fits a sentence.
	minContextTokens = 100
	// windowMargin is left free in the context window beyond the estimate.
	windowMargin = 64
)

// NoticeLength is the notice on a model answer cut short by MaxTokens.
const NoticeLength = "The model's answer was cut short by its length limit."

// LLMOptions configures an LLM answerer. The zero value of every field but
// Model and K is usable.
type LLMOptions struct {
	// BaseURL is the OpenAI-compatible API root, e.g.
	// "http://localhost:11434/v1"; empty means https://api.openai.com/v1.
	BaseURL string
	// APIKey is sent as a bearer token; it may be empty for local servers.
	// It never appears in logs, errors, prompts or answers.
	APIKey string
	// HTTPClient is copied and its transport wrapped to read Retry-After
	// headers; nil means a client without a timeout (the timeouts below
	// bound calls).
	HTTPClient *http.Client
	// Model is the chat model name; required.
	Model string
	// K is how many passages an answer rests on unless a Request asks for
	// another number; at least 1. The model is shown more, trimmed (see
	// modelK).
	K int
	// Temperature is the sampling temperature, sent as given (0 included).
	Temperature float32
	// MaxTokens bounds the answer's length; 0 means 600. It is sent as
	// max_tokens, or as max_completion_tokens to models that need it
	// (OpenAI's reasoning models), which count their reasoning in it.
	MaxTokens int
	// ContextTokens is the budget of estimated tokens for passages in the
	// prompt (see prompts.EstimateTokens); 0 means 2800.
	ContextTokens int
	// ContextWindow is the model's context window in tokens: the prompt
	// and MaxTokens must fit in it, so the passage budget shrinks when the
	// question and history are long; 0 means 4096 (Ollama's default).
	ContextWindow int
	// ReasoningEffort, when set, is sent as reasoning_effort ("none",
	// "low", "medium", "high"…); "none" turns Ollama's thinking off.
	ReasoningEffort string
	// FirstTokenTimeout bounds the wait for the first token of each
	// attempt (reasoning counts), and the whole query rewrite; 0 means
	// 30s. IdleTimeout bounds every later silence of the stream; 0 means
	// 20s. A steady stream is never cut, however long it runs. When either
	// runs out the answer falls back to the extractive one.
	FirstTokenTimeout time.Duration
	IdleTimeout       time.Duration
	// MaxRetries is how many times a 429, 5xx or network failure before the
	// first token is retried; 0 means none.
	MaxRetries int
	// Logger receives warnings about retries and fallbacks; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits between retries; nil waits on a timer until ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
}

// LLM answers questions with an OpenAI-compatible chat model, grounded in
// passages found by a Searcher. When the model fails, it answers
// extractively from the same passages, with a notice saying why. It is safe
// for concurrent use.
type LLM struct {
	search  Searcher
	client  *openai.Client
	prompts *prompts.Prompts
	opts    LLMOptions
	log     *slog.Logger
	// What the server turned out to refuse, learnt from its 400s and kept
	// for later calls (see adapt).
	completionTokens atomic.Bool // send max_completion_tokens, not max_tokens
	noStreamOptions  atomic.Bool // do not send stream_options
	noTemperature    atomic.Bool // leave the temperature to the server
}

// NewLLM returns an LLM answerer searching s. It makes no request; a wrong
// key or model shows up on the first answer, which then falls back.
func NewLLM(s Searcher, opts LLMOptions) (*LLM, error) {
	if s == nil {
		return nil, errors.New("new LLM answerer: no searcher")
	}
	if strings.TrimSpace(opts.Model) == "" {
		return nil, errors.New("new LLM answerer: no model name")
	}
	if opts.K < 1 {
		return nil, fmt.Errorf("new LLM answerer: K is %d, want at least 1", opts.K)
	}
	if opts.BaseURL == "" {
		opts.BaseURL = "https://api.openai.com/v1"
	}
	if u, err := url.Parse(opts.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("new LLM answerer: base URL %q is not an http(s) URL", opts.BaseURL)
	}
	if opts.ContextTokens == 0 {
		opts.ContextTokens = DefaultContextTokens
	}
	if opts.ContextTokens < minContextTokens {
		return nil, fmt.Errorf("new LLM answerer: context budget of %d tokens is below the minimum of %d", opts.ContextTokens, minContextTokens)
	}
	if opts.ContextWindow == 0 {
		opts.ContextWindow = DefaultContextWindow
	}
	if opts.Temperature < 0 {
		return nil, fmt.Errorf("new LLM answerer: temperature %g is negative", opts.Temperature)
	}
	if opts.Temperature == 0 {
		// go-openai omits a zero temperature (omitempty), which would leave
		// the server's default; the smallest positive one is what was asked.
		opts.Temperature = 1e-6
	}
	if opts.MaxTokens <= 0 {
		opts.MaxTokens = DefaultMaxTokens
	}
	if opts.ContextWindow < opts.MaxTokens+minContextTokens {
		return nil, fmt.Errorf("new LLM answerer: a context window of %d tokens cannot hold a %d-token answer and its sources", opts.ContextWindow, opts.MaxTokens)
	}
	if opts.FirstTokenTimeout <= 0 {
		opts.FirstTokenTimeout = DefaultFirstTokenTimeout
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.MaxRetries < 0 {
		return nil, fmt.Errorf("new LLM answerer: %d retries is negative", opts.MaxRetries)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = openaiclient.Sleep
	}
	p, err := prompts.New()
	if err != nil {
		return nil, fmt.Errorf("new LLM answerer: %w", err)
	}
	client := openaiclient.New(opts.BaseURL, opts.APIKey, opts.HTTPClient)
	return &LLM{search: s, client: client, prompts: p, opts: opts, log: opts.Logger}, nil
}

// Answer answers req from the passages its searches find. It calls no
// model when nothing at all matches (the answer is the refusal); otherwise
// the model judges relevance and may refuse itself (see modelRefusal). It
// returns an error only for an invalid question, a failed search or the
// caller's ctx ending; every model failure becomes an extractive answer
// from the same passages with Mode "llm" and a Notice.
func (l *LLM) Answer(ctx context.Context, req Request) (Answer, error) {
	if err := ValidateQuestion(req.Question); err != nil {
		return Answer{}, err
	}
	k := req.K
	if k <= 0 {
		k = l.opts.K
	}
	req.History = boundHistory(req.History)
	foreign := inOtherLanguage(req.Question)

	queries, standalone, rewriteUsage := l.searchQueries(ctx, req, foreign)
	if err := ctx.Err(); err != nil {
		return Answer{}, fmt.Errorf("answer: %w", context.Cause(ctx))
	}
	start := l.opts.Now()
	res, err := retrieve(ctx, l.search, queries, modelK(k))
	if err != nil {
		return Answer{}, fmt.Errorf("answer: %w", err)
	}
	a := Answer{
		Question: req.Question, Query: queries[0], Mode: ModeLLM, Passages: topK(res, k).Passages,
		Retrieve:     l.opts.Now().Sub(start),
		PromptTokens: rewriteUsage.PromptTokens, CompletionTokens: rewriteUsage.CompletionTokens,
	}
	candidates := modelPassages(res)
	if len(candidates) == 0 {
		a = refuse(a)
		a.Notice = res.Notice
		return a, nil
	}

	budget := l.opts.ContextTokens
	var (
		gen     generation
		genErr  error
		sources []source
		system  string
		user    string
	)
	start = l.opts.Now()
	for attempt := 0; ; attempt++ {
		sources, system, user, err = l.prompt(req, standalone, queries, candidates, budget)
		if err != nil {
			return Answer{}, fmt.Errorf("answer: %w", err)
		}
		gen, genErr = l.generate(ctx, system, user, req.OnDelta)
		var me *ModelError
		if attempt == 0 && errors.As(genErr, &me) && me.Kind == KindContextLength {
			budget = max(budget/2, minContextTokens)
			l.log.WarnContext(ctx, "prompt too long for the model's context window; retrying with fewer sources",
				"budget", budget, "error", l.redact(genErr.Error()))
			continue
		}
		break
	}
	a.Generate = l.opts.Now().Sub(start)
	a.PromptTokens += gen.promptTokens
	a.CompletionTokens += gen.completionTokens
	if gen.promptTokens == 0 {
		a.PromptTokens += prompts.EstimateTokens(system) + prompts.EstimateTokens(user)
	}
	if gen.completionTokens == 0 {
		a.CompletionTokens += prompts.EstimateTokens(gen.text)
	}
	if genErr != nil {
		if err := ctx.Err(); err != nil {
			return Answer{}, fmt.Errorf("answer: %w", context.Cause(ctx))
		}
		return l.fallback(ctx, a, topK(res, k), genErr), nil
	}

	reply, refused := modelRefusal(stripReasoning(gen.text), req.Question, sources)
	if refused {
		a = refuse(a)
		a.Notice = res.Notice
		return a, nil
	}
	v := verifyCitations(reply, req.Question, !foreign, sources)
	if v.Text == "" {
		return l.fallback(ctx, a, topK(res, k), &ModelError{Kind: KindEmpty, Err: errors.New("the answer held only markers")}), nil
	}
	a.Text, a.Citations = v.Text, v.Citations
	notices := v.Notices
	if isLength(gen.finish) {
		notices = append(notices, NoticeLength)
	}
	if res.Notice != "" {
		notices = append(notices, res.Notice)
	}
	a.Notice = strings.Join(notices, " ")
	return a, nil
}

// topK is res with only its first k passages.
func topK(res retrieval.Results, k int) retrieval.Results {
	if len(res.Passages) > k {
		res.Passages = res.Passages[:k]
	}
	return res
}

// prompt packs the candidates into the passage budget (shrunk so that the
// prompt and the answer fit the context window) and renders the prompt.
// Source [i] of the prompt is sources[i-1].
func (l *LLM) prompt(req Request, standalone string, queries []string, candidates []retrieval.Passage, budget int) ([]source, string, string, error) {
	data := prompts.AnswerData{Question: req.Question, Query: standalone, History: promptTurns(req.History), Today: l.opts.Now().Format("2006-01-02")}
	system, user, err := l.prompts.Answer(data)
	if err != nil {
		return nil, "", "", err
	}
	room := l.opts.ContextWindow - l.opts.MaxTokens - windowMargin - prompts.EstimateTokens(system) - prompts.EstimateTokens(user)
	budget = max(min(budget, room), minContextTokens)

	terms := text.Terms(req.Question + "\n" + strings.Join(queries, "\n"))
	in := make([]prompts.Passage, len(candidates))
	for i, p := range candidates {
		in[i] = prompts.Passage{Meta: p.Meta, Seq: p.Seq, Text: p.Text, Ref: i}
	}
	packed := prompts.Pack(in, terms, budget)
	sources := make([]source, len(packed))
	for i, s := range packed {
		src := source{meta: s.Meta, text: s.Text}
		for _, ref := range s.Refs {
			src.passages = append(src.passages, candidates[ref])
		}
		sources[i] = src
	}
	data.Sources = packed
	system, user, err = l.prompts.Answer(data)
	if err != nil {
		return nil, "", "", err
	}
	return sources, system, user, nil
}

// fallback replaces a failed model answer a with the extractive answer from
// the same results, keeping a's timings and Mode, and says why.
func (l *LLM) fallback(ctx context.Context, a Answer, res retrieval.Results, err error) Answer {
	me := classify(err, false, 0, 0)
	if me.Model == "" {
		me.Model = l.opts.Model
	}
	l.log.WarnContext(ctx, "chat model failed; answering from the sources",
		"kind", me.Kind.String(), "status", me.Status, "model", l.opts.Model, "error", l.redact(err.Error()))
	ex := Compose(a.Question, res)
	a.Text, a.Citations, a.Refused = ex.Text, ex.Citations, ex.Refused
	a.Notice = me.Notice()
	a.Fallback = me.Kind.String()
	return a
}

// redact removes the API key from s, for logs.
func (l *LLM) redact(s string) string { return openaiclient.Redact(s, l.opts.APIKey) }
