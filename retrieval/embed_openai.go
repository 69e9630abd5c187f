package retrieval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"missionbot/internal/openaiclient"

	"golang.org/x/sync/errgroup"
)

// OpenAIEmbedderOptions configures an OpenAIEmbedder. Zero values take the
// defaults given per field.
type OpenAIEmbedderOptions struct {
	// BaseURL is the API root, e.g. "https://api.openai.com/v1" or
	// "http://localhost:11434/v1"; empty means OpenAI's.
	BaseURL string
	// APIKey is sent as a bearer token; it may be empty for local servers.
	// It never appears in errors or logs.
	APIKey string
	// Model is the embedding model name; required.
	Model string
	// Dim is the expected vector length when known (e.g. recorded by an
	// index); 0 learns it from the first response.
	Dim int
	// BatchSize is the number of texts per request; default 64.
	BatchSize int
	// Concurrency bounds the requests in flight across all calls; default 4.
	Concurrency int
	// MaxRetries is how often a request is retried after a 429, a 5xx or a
	// network error; 0 means never.
	MaxRetries int
	// HTTPClient sends the requests; default a client with a 2-minute
	// timeout.
	HTTPClient *http.Client
	// Logger receives retry warnings; default discards.
	Logger *slog.Logger
	// BackoffBase is the first retry's mean delay, doubled per attempt and
	// jittered; default 500ms. MaxBackoff caps any single wait, including
	// one asked for by Retry-After; default 60s.
	BackoffBase time.Duration
	MaxBackoff  time.Duration
	// Sleep waits d or until ctx ends; tests inject a recorder. Default a
	// timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// OpenAIEmbedder embeds texts with any OpenAI-compatible /v1/embeddings
// endpoint (OpenAI, Ollama, vLLM, LocalAI, llama.cpp). It batches inputs,
// bounds concurrency, retries transient failures honouring Retry-After,
// and returns L2-normalised vectors in input order. It is safe for
// concurrent use.
type OpenAIEmbedder struct {
	client      *openai.Client
	model       string
	key         string
	batchSize   int
	maxRetries  int
	backoffBase time.Duration
	maxBackoff  time.Duration
	sleep       func(ctx context.Context, d time.Duration) error
	log         *slog.Logger
	// slots bounds the requests in flight across concurrent Embed calls.
	slots chan struct{}
	// dim is the expected vector length: configured, or learned from the
	// first response (0 until then).
	dim atomic.Int64
}

var _ Embedder = (*OpenAIEmbedder)(nil)

// NewOpenAIEmbedder returns an embedder for opts, or an error naming the
// missing or invalid option.
func NewOpenAIEmbedder(opts OpenAIEmbedderOptions) (*OpenAIEmbedder, error) {
	if strings.TrimSpace(opts.Model) == "" {
		return nil, errors.New("openai embedder: a model name is required")
	}
	if opts.Dim < 0 || opts.BatchSize < 0 || opts.Concurrency < 0 {
		return nil, errors.New("openai embedder: dim, batch size and concurrency must not be negative")
	}
	if opts.BatchSize == 0 {
		opts.BatchSize = 64
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = 4
	}
	if opts.MaxRetries < 0 {
		return nil, errors.New("openai embedder: the retry count must not be negative")
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 2 * time.Minute}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = 500 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 60 * time.Second
	}
	if opts.Sleep == nil {
		opts.Sleep = openaiclient.Sleep
	}
	e := &OpenAIEmbedder{
		client:      openaiclient.New(opts.BaseURL, opts.APIKey, opts.HTTPClient),
		model:       opts.Model,
		key:         opts.APIKey,
		batchSize:   opts.BatchSize,
		maxRetries:  opts.MaxRetries,
		backoffBase: opts.BackoffBase,
		maxBackoff:  opts.MaxBackoff,
		sleep:       opts.Sleep,
		log:         opts.Logger,
		slots:       make(chan struct{}, opts.Concurrency),
	}
	e.dim.Store(int64(opts.Dim))
	return e, nil
}

// Info identifies the vector space: name "openai", the model, and the
// dimension once known.
func (e *OpenAIEmbedder) Info() EmbedderInfo {
	return EmbedderInfo{Name: "openai", Model: e.model, Dim: int(e.dim.Load())}
}

// Embed returns one L2-normalised vector per text, in input order. The
// first failing batch cancels the others; its error is returned.
func (e *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	out := make([][]float32, len(texts))
	g, gctx := errgroup.WithContext(ctx)
	for start := 0; start < len(texts); start += e.batchSize {
		end := min(start+e.batchSize, len(texts))
		g.Go(func() error {
			select {
			case e.slots <- struct{}{}:
			case <-gctx.Done():
				return context.Cause(gctx)
			}
			defer func() { <-e.slots }()
			vecs, err := e.embedBatch(gctx, texts[start:end])
			if err != nil {
				return fmt.Errorf("openai embeddings: texts %d-%d of %d: %w", start+1, end, len(texts), err)
			}
			copy(out[start:end], vecs)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, openaiclient.RedactError(err, e.key)
	}
	return out, nil
}

// embedBatch embeds one batch. When the server answers 413 (a request too
// large for it or for a proxy in front of it), the batch is halved and each
// half sent on its own, down to single texts; a single text that is still
// too large fails with an error saying so.
func (e *OpenAIEmbedder) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	vecs, err := e.embedOnce(ctx, texts)
	if !errors.Is(err, errTooLarge) {
		return vecs, err
	}
	if len(texts) == 1 {
		return nil, fmt.Errorf("%w: one text of %d characters is too large for the embeddings endpoint", err, len(texts[0]))
	}
	half := len(texts) / 2
	e.log.LogAttrs(ctx, slog.LevelWarn, "embeddings request too large; halving the batch",
		slog.Int("batch", len(texts)), slog.Int("half", half))
	first, err := e.embedBatch(ctx, texts[:half])
	if err != nil {
		return nil, err
	}
	second, err := e.embedBatch(ctx, texts[half:])
	if err != nil {
		return nil, err
	}
	return append(first, second...), nil
}

// errTooLarge marks a 413 answer to an embeddings request.
var errTooLarge = errors.New("the embeddings request was too large (HTTP 413); lower MISSIONBOT_EMBEDDING_BATCH")

// embedOnce sends one request, retrying transient failures.
func (e *OpenAIEmbedder) embedOnce(ctx context.Context, texts []string) ([][]float32, error) {
	for attempt := 0; ; attempt++ {
		rctx, seen := openaiclient.Record(ctx)
		resp, err := e.client.CreateEmbeddings(rctx, openai.EmbeddingRequest{
			Input: texts,
			Model: openai.EmbeddingModel(e.model),
		})
		if err == nil {
			return e.vectors(resp, len(texts))
		}
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		status, retryable := openaiclient.Classify(err)
		if status == http.StatusRequestEntityTooLarge {
			return nil, errTooLarge
		}
		if !retryable || attempt >= e.maxRetries {
			if retryable {
				return nil, fmt.Errorf("gave up after %d attempts: %w", attempt+1, describeOpenAIError(status, err))
			}
			return nil, describeOpenAIError(status, err)
		}
		wait := openaiclient.Backoff(attempt, e.backoffBase, e.maxBackoff)
		if ra, ok := openaiclient.RetryAfter(seen.Header, time.Now()); ok {
			wait = min(ra, e.maxBackoff)
		}
		e.log.LogAttrs(ctx, slog.LevelWarn, "embedding request failed; retrying",
			slog.Int("status", status), slog.Int("attempt", attempt+1),
			slog.Duration("wait", wait), slog.String("error", openaiclient.RedactError(describeOpenAIError(status, err), e.key).Error()))
		if err := e.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// vectors checks a response and returns its vectors normalised, in input
// order (servers may reorder data items; each carries its input index).
func (e *OpenAIEmbedder) vectors(resp openai.EmbeddingResponse, n int) ([][]float32, error) {
	if len(resp.Data) != n {
		return nil, fmt.Errorf("server returned %d embeddings for %d inputs", len(resp.Data), n)
	}
	out := make([][]float32, n)
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= n || out[d.Index] != nil {
			return nil, fmt.Errorf("server returned an embedding with invalid or repeated index %d", d.Index)
		}
		if len(d.Embedding) == 0 {
			return nil, fmt.Errorf("server returned an empty embedding for input %d", d.Index)
		}
		v, err := unitVector(d.Embedding)
		if err != nil {
			return nil, fmt.Errorf("embedding for input %d: %w", d.Index, err)
		}
		out[d.Index] = v
	}
	got := len(out[0])
	for i, v := range out {
		if len(v) != got {
			return nil, fmt.Errorf("%w: server returned vectors of %d and %d dimensions in one response (input %d)",
				ErrDimensionMismatch, got, len(v), i)
		}
	}
	if !e.dim.CompareAndSwap(0, int64(got)) {
		if want := int(e.dim.Load()); want != got {
			return nil, fmt.Errorf("%w: model %q returned %d-dimensional vectors, expected %d; "+
				"was the model behind the endpoint changed? rebuild the index with `missionbot ingest`", ErrDimensionMismatch, e.model, got, want)
		}
	}
	return out, nil
}

// unitVector returns v scaled to unit length, computed in float64 so the
// result passes chromem-go's 1e-6 normalisation check (chromem-go does not
// normalise a custom embedding function's output itself, and would copy
// every stored vector that fails its check).
func unitVector(v []float32) ([]float32, error) {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 || math.IsNaN(sum) || math.IsInf(sum, 0) {
		return nil, errors.New("vector is zero or not finite and cannot be normalised")
	}
	scale := 1 / math.Sqrt(sum)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) * scale)
	}
	return out, nil
}

// describeOpenAIError turns a go-openai error into one that names the status plainly.
func describeOpenAIError(status int, err error) error {
	var apiErr *openai.APIError
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("the server rejected the API key (status %d): %w", status, err)
	case status == http.StatusNotFound && errors.As(err, &apiErr):
		return fmt.Errorf("the model or endpoint was not found (status 404): %w", err)
	case status == http.StatusNotFound:
		return fmt.Errorf("no embeddings API at this address (status 404; OPENAI_BASE_URL usually ends in /v1, e.g. http://localhost:11434/v1): %w", err)
	case status > 0:
		return fmt.Errorf("status %d: %w", status, err)
	}
	return err
}
