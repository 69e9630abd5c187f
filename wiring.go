package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: readableDuration}
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

// readableDuration writes durations as "1.5s" rather than the JSON
// handler's nanosecond count, which nobody reads at a glance.
func readableDuration(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.String(a.Key, a.Value.Duration().String())
	}
	return a
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// openLibrary opens the index under the data directory with the configured
// embedder, over the configured corpus. Writers of the index take the
// writer lock: an advisory lock in the database replicas share when there
// is one, else a file lock in the data directory, so an ingest, a serve and
// another ingest on one machine (or one shared volume) never write at once.
func openLibrary(ctx context.Context, cfg config.Config, logger *slog.Logger) (*library.Library, error) {
	emb, err := newEmbedder(cfg, logger)
	if err != nil {
		return nil, err
	}
	lock, err := writerLock(cfg, logger)
	if err != nil {
		return nil, err
	}
	if lock == nil {
		lock = library.NewFileLock(filepath.Join(cfg.DataDir, library.LockFileName))
	}
	return library.Open(ctx, library.Options{DataDir: cfg.DataDir, CorpusDir: cfg.CorpusDir, Embedder: emb, Logger: logger, Locker: lock})
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

// indexAccess says what a command may do to the index on disk.
type indexAccess int

const (
	// readIndex is for the commands that only answer or report (ask,
	// sources, eval, chat): they never replace a snapshot (see
	// library.EnsureReadable), because the data directory may be the one
	// a production bot and its replicas serve from.
	readIndex indexAccess = iota
	// writeIndex is for serve, and eval over its own temporary data
	// directory: they build the index when there is none usable.
	writeIndex
)

// msgWaiting is shown while another process holds the writer lock.
const msgWaiting = "another refresh is running; waiting…"

// ensureIndex makes the library's index ready to answer, as access
// allows, telling the user through rep what it does and why.
func ensureIndex(ctx context.Context, cfg config.Config, lib *library.Library, access indexAccess, cmd string, rep *reporter) error {
	defer rep.done()
	var (
		stats retrieval.RefreshStats
		built bool
		err   error
	)
	onWait := func() { rep.note(msgWaiting) }
	start := time.Now()
	if access == readIndex {
		stats, built, err = lib.EnsureReadable(ctx, library.ReadOptions{
			Building: func(reason string, kept bool) {
				if kept {
					rep.note(fmt.Sprintf("Building the index (%s)…", reason))
					return
				}
				rep.note(fmt.Sprintf("The index on disk cannot be used (%s). Answering from an index built in memory for this run; `missionbot ingest` rebuilds the one on disk (%s leaves it as it is).", reason, cmd))
			},
			OnWait: onWait, Progress: rep.update,
		})
		if errors.Is(err, library.ErrEmbedderMismatch) {
			return fmt.Errorf("%s: %w\n%s", cmd, err, embedderHint(cfg, err, cmd))
		}
	} else if need, reason := lib.NeedsBuild(); need {
		rep.note(fmt.Sprintf("Building the index (%s)…", reason))
		built = true
		stats, err = lib.Refresh(ctx, library.RefreshOptions{OnWait: onWait, Progress: rep.update})
		if err != nil {
			err = fmt.Errorf("build index: %w", err)
		}
	}
	rep.done()
	if err != nil {
		return err
	}
	if built {
		stats.Duration = time.Since(start)
		rep.warnings(stats.Warnings)
		rep.note(summary(stats))
	}
	return nil
}

// embedderHint says which setting makes the configured embedder differ
// from the index's, and what to do about it.
func embedderHint(cfg config.Config, err error, cmd string) string {
	setting := "MISSIONBOT_EMBEDDING_MODEL"
	now := strconv.Quote(cfg.EmbeddingModel)
	if cfg.EmbeddingModel == "" {
		now = "unset (the offline local embedder)"
		if strings.Contains(err.Error(), "built with local") {
			setting, now = "MISSIONBOT_LOCAL_DIM", strconv.Itoa(cfg.LocalDim)
		}
	}
	return fmt.Sprintf("%s is %s here. Set it as it was when the index was built, or run `missionbot ingest` to rebuild the index with the current settings (%s does not change the index).", setting, now, cmd)
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

// openAnswerer opens the library, makes its index ready as access allows,
// and returns it with the configured answerer over it: what every command
// that answers questions starts with.
func openAnswerer(ctx context.Context, cfg config.Config, logger *slog.Logger, access indexAccess, cmd string, rep *reporter) (*library.Library, answerer, error) {
	lib, err := openLibrary(ctx, cfg, logger)
	if err != nil {
		return nil, nil, err
	}
	if err := ensureIndex(ctx, cfg, lib, access, cmd, rep); err != nil {
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
		BaseURL:           cfg.OpenAIBaseURL,
		APIKey:            cfg.OpenAIAPIKey,
		Model:             cfg.ChatModel,
		K:                 cfg.K,
		Temperature:       cfg.Temperature,
		MaxTokens:         cfg.MaxTokens,
		ContextTokens:     cfg.ContextTokens,
		ContextWindow:     cfg.ContextWindow,
		ReasoningEffort:   cfg.ReasoningEffort,
		FirstTokenTimeout: cfg.FirstTokenTimeout,
		IdleTimeout:       cfg.StreamIdleTimeout,
		MaxRetries:        cfg.ModelRetries,
		Logger:            logger,
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
