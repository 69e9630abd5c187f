package answer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"missionbot/internal/openaiclient"
	"missionbot/prompts"
	"missionbot/retrieval"
)

// Defaults for LLMOptions' zero values.
const (
	DefaultMaxTokens     = 600
	DefaultContextTokens = 3000
	DefaultTimeout       = 60 * time.Second
	// minContextTokens is the smallest passage budget that fits a sentence.
	minContextTokens = 100
)

// NoticeLength is the notice on a model answer cut short by MaxTokens.
const NoticeLength = "The model's answer was cut short by its length limit."

// LLMOptions configures an LLM answerer. The zero value of every field but
// Model is usable.
type LLMOptions struct {
	// BaseURL is the OpenAI-compatible API root, e.g.
	// "http://localhost:11434/v1"; empty means https://api.openai.com/v1.
	BaseURL string
	// APIKey is sent as a bearer token; it may be empty for local servers.
	// It never appears in logs, errors, prompts or answers.
	APIKey string
	// HTTPClient is copied and its transport wrapped to read Retry-After
	// headers; nil means a client without a timeout (Timeout bounds calls).
	HTTPClient *http.Client
	// Model is the chat model name; required.
	Model string
	// K is how many passages an answer rests on unless a Request asks for
	// another number; at least 1.
	K int
	// Temperature is the sampling temperature, sent as given (0 included).
	Temperature float32
	// MaxTokens bounds the answer's length; 0 means 600.
	MaxTokens int
	// ContextTokens is the budget of estimated tokens for passages in the
	// prompt (see prompts.EstimateTokens); 0 means 3000.
	ContextTokens int
	// Timeout bounds the model calls of one answer (rewrite, retries and
	// generation), counted from the start of Answer; 0 means 60s. When it
	// runs out the answer falls back to the extractive one.
	Timeout time.Duration
	// FirstTokenTimeout, when positive, bounds the wait for the first
	// answer token of each attempt, so a stalled server fails fast.
	FirstTokenTimeout time.Duration
	// RewriteTimeout bounds the query-rewrite call; 0 means Timeout/4.
	RewriteTimeout time.Duration
	// MaxRetries is how many times a 429, 5xx or network failure before the
	// first token is retried; 0 means none.
	MaxRetries int
	// IncludeUsage asks the server for exact token counts in the stream
	// (stream_options.include_usage). Off by default because some
	// OpenAI-compatible servers reject the field; without it, counts are
	// estimated.
	IncludeUsage bool
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
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.RewriteTimeout <= 0 {
		opts.RewriteTimeout = opts.Timeout / 4
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

// Answer answers req from the passages its search finds. It calls no
// model when nothing relevant is found (the answer is the refusal). It
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
	mctx, cancel := context.WithTimeout(ctx, l.opts.Timeout)
	defer cancel()

	query, lang, rewriteUsage := l.searchQuery(mctx, req)
	if err := ctx.Err(); err != nil {
		return Answer{}, fmt.Errorf("answer: %w", context.Cause(ctx))
	}
	start := l.opts.Now()
	res, err := l.search.Search(ctx, query, k)
	if err != nil {
		return Answer{}, fmt.Errorf("answer: search: %w", err)
	}
	retrieve := l.opts.Now().Sub(start)
	relevant := relevantPassages(res)
	if len(relevant) == 0 {
		a := refuse(Answer{Question: req.Question, Passages: res.Passages, Notice: res.Notice})
		a.Mode, a.Query, a.Retrieve = ModeLLM, query, retrieve
		return a, nil
	}

	passages, data := l.pack(req.Question, query, lang, relevant)
	system, user, err := l.prompts.Answer(data)
	if err != nil {
		return Answer{}, fmt.Errorf("answer: %w", err)
	}
	start = l.opts.Now()
	gen, genErr := l.generate(mctx, system, user, req.OnDelta)
	a := Answer{
		Question: req.Question, Query: query, Mode: ModeLLM, Passages: res.Passages,
		Retrieve: retrieve, Generate: l.opts.Now().Sub(start),
		PromptTokens:     rewriteUsage.PromptTokens + gen.promptTokens,
		CompletionTokens: rewriteUsage.CompletionTokens + gen.completionTokens,
	}
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
		return l.fallback(ctx, a, res, genErr), nil
	}
	v := verifyCitations(gen.text, passages)
	a.Text, a.Citations, a.Refused, a.Notice = v.Text, v.Citations, v.Refused, v.Notice
	if gen.finish == openai.FinishReasonLength {
		a.Notice = NoticeLength
	}
	if a.Notice == "" {
		a.Notice = res.Notice
	}
	return a, nil
}

// pack fits the relevant passages into the context budget and returns the
// ones kept, numbered [1].. in order, with the prompt data.
func (l *LLM) pack(question, query, lang string, relevant []retrieval.Passage) ([]retrieval.Passage, prompts.AnswerData) {
	sources := make([]prompts.Source, len(relevant))
	for i, p := range relevant {
		sources[i] = prompts.Source{Meta: p.Meta, Text: p.Text, Ref: i}
	}
	sources = prompts.Pack(sources, l.opts.ContextTokens)
	passages := make([]retrieval.Passage, len(sources))
	for i, s := range sources {
		passages[i] = relevant[s.Ref]
	}
	data := prompts.AnswerData{Question: question, Language: lang, Today: l.opts.Now().Format("2006-01-02"), Sources: sources}
	if !strings.EqualFold(strings.TrimSpace(query), strings.TrimSpace(question)) {
		data.Query = query
	}
	return passages, data
}

// fallback replaces a failed model answer a with the extractive answer from
// the same results, keeping a's timings and Mode, and says why.
func (l *LLM) fallback(ctx context.Context, a Answer, res retrieval.Results, err error) Answer {
	me := classify(err, false, 0, 0)
	l.log.WarnContext(ctx, "chat model failed; answering from the sources",
		"kind", me.Kind.String(), "status", me.Status, "error", l.redact(err.Error()))
	ex := Compose(a.Question, res)
	a.Text, a.Citations, a.Refused = ex.Text, ex.Citations, ex.Refused
	a.Notice = me.Kind.Notice()
	a.Fallback = me.Kind.String()
	return a
}

// generation is the outcome of streaming one answer.
type generation struct {
	text                           string
	finish                         openai.FinishReason
	promptTokens, completionTokens int
}

// generate streams the answer, retrying failures that happen before the
// first token (see ModelError.retryable) with backoff, honouring
// Retry-After. Its error is always a *ModelError.
func (l *LLM) generate(ctx context.Context, system, user string, onDelta func(string)) (generation, error) {
	creq := openai.ChatCompletionRequest{
		Model:       l.opts.Model,
		Messages:    messages(system, user),
		MaxTokens:   l.opts.MaxTokens,
		Temperature: l.opts.Temperature,
	}
	if l.opts.IncludeUsage {
		creq.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	}
	for attempt := 0; ; attempt++ {
		rctx, resp := openaiclient.Record(ctx)
		gen, started, err := l.streamOnce(rctx, creq, onDelta)
		if err == nil {
			return gen, nil
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", context.DeadlineExceeded, err)
		}
		me := classify(err, started, resp.Status, retryAfter(resp, l.opts.Now()))
		if !me.retryable() || attempt >= l.opts.MaxRetries {
			return gen, me
		}
		wait := me.RetryAfter
		if wait == 0 {
			wait = openaiclient.Backoff(attempt, baseBackoff, maxBackoff)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return gen, me // the wait would outlast the time budget
		}
		l.log.WarnContext(ctx, "chat model call failed; retrying",
			"attempt", attempt+1, "kind", me.Kind.String(), "status", me.Status, "wait", wait)
		if err := l.opts.Sleep(ctx, wait); err != nil {
			return gen, classify(fmt.Errorf("%w (%w)", context.DeadlineExceeded, err), false, 0, 0)
		}
	}
}

// streamOnce makes one streamed call. started reports whether any answer
// text reached onDelta, after which a retry would repeat it.
func (l *LLM) streamOnce(ctx context.Context, creq openai.ChatCompletionRequest, onDelta func(string)) (gen generation, started bool, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var firstToken *time.Timer
	if l.opts.FirstTokenTimeout > 0 {
		firstToken = time.AfterFunc(l.opts.FirstTokenTimeout, func() { cancel(errFirstToken) })
		defer firstToken.Stop()
	}
	stream, err := l.client.CreateChatCompletionStream(ctx, creq)
	if err != nil {
		return gen, false, causeOf(ctx, err)
	}
	defer stream.Close()
	var text strings.Builder
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			gen.text = text.String()
			return gen, started, causeOf(ctx, err)
		}
		if resp.Usage != nil {
			gen.promptTokens, gen.completionTokens = resp.Usage.PromptTokens, resp.Usage.CompletionTokens
		}
		for _, c := range resp.Choices {
			if c.Index != 0 {
				continue
			}
			if c.Delta.Content != "" {
				if !started && firstToken != nil {
					firstToken.Stop()
				}
				started = true
				text.WriteString(c.Delta.Content)
				if onDelta != nil {
					onDelta(c.Delta.Content)
				}
			}
			if c.FinishReason != "" && c.FinishReason != openai.FinishReasonNull {
				gen.finish = c.FinishReason
			}
		}
	}
	gen.text = text.String()
	// go-openai reports io.EOF both after [DONE] and when the connection
	// simply ends; only a finish_reason tells a complete answer apart.
	switch gen.finish {
	case "":
		if started {
			return gen, true, &ModelError{Kind: KindCut, Err: errNoFinish}
		}
		return gen, false, &ModelError{Kind: KindUnavailable, Err: errNoFinish}
	case openai.FinishReasonStop, openai.FinishReasonLength:
		if strings.TrimSpace(gen.text) == "" {
			return gen, started, &ModelError{Kind: KindEmpty, Err: errors.New("the model returned no text")}
		}
		return gen, started, nil
	}
	return gen, started, &ModelError{Kind: KindCut, Err: fmt.Errorf("the model stopped with finish_reason %q", gen.finish)}
}

// causeOf prefers ctx's cancel cause (such as errFirstToken) over the error
// the HTTP client reports for the cancelled request.
func causeOf(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
		return fmt.Errorf("%w (%w)", cause, err)
	}
	return err
}

// redact removes the API key from s, for logs.
func (l *LLM) redact(s string) string { return openaiclient.Redact(s, l.opts.APIKey) }
