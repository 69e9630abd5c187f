package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"golang.org/x/term"

	"missionbot/answer"
	"missionbot/config"
	"missionbot/library"
	"missionbot/retrieval"
)

// environment is what every command gets: the process's inputs and outputs.
type environment struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// config loads and validates the configuration.
func (e *environment) config() (config.Config, error) {
	return config.Load(e.getenv)
}

// logger writes to stderr: text on a terminal, JSON otherwise.
func (e *environment) logger(cfg config.Config) *slog.Logger {
	return e.newLogger(cfg, cfg.LogLevel)
}

// reportLogger is the logger of the commands whose output is an answer or
// a report (ask, chat, eval, sources): config resolves its level (warnings
// only, unless MISSIONBOT_LOG_LEVEL asks for more).
func (e *environment) reportLogger(cfg config.Config) *slog.Logger {
	return e.newLogger(cfg, cfg.ReportLogLevel)
}

func (e *environment) newLogger(cfg config.Config, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if isTerminal(e.stderr) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(e.stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(e.stderr, opts))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// openLibrary opens the index under the data directory with the configured
// embedder, over the configured corpus.
func openLibrary(ctx context.Context, cfg config.Config, logger *slog.Logger) (*library.Library, error) {
	emb, err := newEmbedder(cfg, logger)
	if err != nil {
		return nil, err
	}
	return library.Open(ctx, library.Options{DataDir: cfg.DataDir, CorpusDir: cfg.CorpusDir, Embedder: emb, Logger: logger})
}

func newEmbedder(cfg config.Config, logger *slog.Logger) (retrieval.Embedder, error) {
	if cfg.EmbeddingModel == "" {
		return retrieval.NewLocalEmbedder(cfg.LocalDim), nil
	}
	emb, err := retrieval.NewOpenAIEmbedder(retrieval.OpenAIEmbedderOptions{
		BaseURL:     cfg.OpenAIBaseURL,
		APIKey:      cfg.OpenAIAPIKey,
		Model:       cfg.EmbeddingModel,
		BatchSize:   cfg.EmbeddingBatch,
		Concurrency: cfg.EmbeddingConcurrency,
		MaxRetries:  cfg.EmbeddingRetries,
		Logger:      logger,
	})
	if err != nil {
		return nil, fmt.Errorf("embedder: %w", err)
	}
	return emb, nil
}

// ensureBuilt builds the index when there is none usable (first run, an
// embedder change, an unreadable snapshot), telling the user why.
func ensureBuilt(ctx context.Context, lib *library.Library, stderr io.Writer) error {
	stats, built, err := lib.EnsureBuilt(ctx, func(reason string) {
		fmt.Fprintf(stderr, "Building the index (%s)…\n", reason)
	})
	if err != nil {
		return err
	}
	if built {
		printWarnings(stderr, stats.Warnings)
		fmt.Fprintln(stderr, summary(stats))
	}
	return nil
}

func printWarnings(w io.Writer, warnings []string) {
	for _, msg := range warnings {
		fmt.Fprintln(w, "warning:", msg)
	}
}

// summary is the one-line account of a refresh.
func summary(s retrieval.RefreshStats) string {
	line := fmt.Sprintf("Indexed: %d documents added, %d updated, %d removed; %d chunks embedded, %d in the index; %d of %d files read; %s.",
		s.DocsAdded, s.DocsUpdated, s.DocsRemoved, s.ChunksEmbedded, s.ChunksTotal, s.FilesRead, s.FilesTotal, s.Duration.Round(time.Millisecond))
	if s.Rebuilt && s.RebuildReason != "" {
		line += " Full rebuild: " + s.RebuildReason + "."
	}
	return line
}

// openAnswerer opens the library, builds its index if there is none usable,
// and returns it with the configured answerer over it: what every command
// that answers questions starts with.
func (e *environment) openAnswerer(ctx context.Context, cfg config.Config, logger *slog.Logger) (*library.Library, answerer, error) {
	lib, err := openLibrary(ctx, cfg, logger)
	if err != nil {
		return nil, nil, err
	}
	if err := ensureBuilt(ctx, lib, e.stderr); err != nil {
		return nil, nil, err
	}
	ans, err := newAnswerer(cfg, lib, logger)
	if err != nil {
		return nil, nil, err
	}
	return lib, ans, nil
}

// newAnswerer returns the LLM answerer when a chat model is configured and
// the extractive one otherwise.
func newAnswerer(cfg config.Config, s answer.Searcher, logger *slog.Logger) (answerer, error) {
	if cfg.ChatModel == "" {
		return answer.NewExtractive(s, answer.ExtractiveOptions{K: cfg.K})
	}
	llm, err := answer.NewLLM(s, answer.LLMOptions{
		BaseURL:       cfg.OpenAIBaseURL,
		APIKey:        cfg.OpenAIAPIKey,
		Model:         cfg.ChatModel,
		K:             cfg.K,
		Temperature:   cfg.Temperature,
		MaxTokens:     cfg.MaxTokens,
		ContextTokens: cfg.ContextTokens,
		Timeout:       cfg.ModelTimeout,
		MaxRetries:    cfg.ModelRetries,
		Logger:        logger,
	})
	if err != nil {
		return nil, fmt.Errorf("chat model: %w", err)
	}
	return llm, nil
}

// answerer is what the CLI commands need of an answerer.
type answerer interface {
	Answer(ctx context.Context, req answer.Request) (answer.Answer, error)
}
