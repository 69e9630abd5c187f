package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"missionbot/bot"
	"missionbot/config"
	"missionbot/fetch"
	"missionbot/internal/atomicfile"
	"missionbot/library"
	"missionbot/metrics"
)

func (e *environment) serve(ctx context.Context, args []string) error {
	fset := newFlagSet("serve")
	httpAddr := fset.String("http", "", "serve Discord's interactions endpoint, /metrics and health checks on ADDR (or MISSIONBOT_HTTP_ADDR)")
	rest, err := e.parseArgs(fset, args)
	if err != nil {
		return err
	}
	if err := noArgs("serve", rest); err != nil {
		return err
	}
	cfg, err := e.config()
	if err != nil {
		return usagef("%v", err)
	}
	if *httpAddr != "" {
		cfg.Discord.HTTPAddr = *httpAddr
	}
	if err := cfg.ValidateServe(); err != nil {
		return usagef("%v", err)
	}
	logger := e.logger(cfg)
	logger.Info("starting", "config", cfg)
	// The store first: a database that is down stops serve at once, with
	// a clear message, before any index is built.
	store, replay, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	lib, ans, err := openAnswerer(ctx, cfg, logger, writeIndex, "serve", e.newReporter(logger))
	if err != nil {
		return err
	}
	salt, err := userSalt(cfg.DataDir)
	if err != nil {
		return err
	}
	m := metrics.New()
	opts := bot.Options{
		Token:           cfg.Discord.Token,
		APIURL:          cfg.Discord.APIURL,
		GuildID:         cfg.Discord.GuildID,
		ModeratorRoles:  cfg.Discord.ModeratorRoles,
		Answerer:        ans,
		Library:         lib,
		Store:           store,
		Fetcher:         fetch.New(fetch.Options{Timeout: 20 * time.Second, MaxBytes: cfg.Discord.MaxUploadBytes, AllowPrivate: cfg.Discord.AllowPrivateURLs}),
		Limiter:         bot.NewUserLimiter(cfg.Discord.QuestionsPerMinute, cfg.Discord.QuestionsPerMinute, time.Now),
		Gate:            bot.NewGate(cfg.Discord.MaxConcurrent, cfg.Discord.MaxQueue),
		UserSalt:        salt,
		AnswerTimeout:   cfg.Discord.AnswerTimeout,
		ShutdownTimeout: cfg.Discord.ShutdownTimeout,
		MaxUploadBytes:  cfg.Discord.MaxUploadBytes,
		NoGateway:       !cfg.Discord.Gateway,
		MessageContent:  cfg.Discord.MessageContent,
		Metrics:         m,
		Models:          models(cfg),
		Logger:          logger,
	}
	b, err := bot.New(opts)
	if err != nil {
		return err
	}
	var mux *http.ServeMux
	var endpoint *bot.Interactions
	if cfg.Discord.HTTPAddr != "" {
		if mux, endpoint, err = operatorRoutes(ctx, cfg, b, lib, m, replay, logger); err != nil {
			return err
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	// drained ends when the bot has stopped: after its drain, or at once
	// when it fails.
	drained, botStopped := context.WithCancel(context.WithoutCancel(gctx))
	defer botStopped()
	g.Go(func() error {
		defer botStopped()
		return b.Run(gctx)
	})
	if mux != nil {
		g.Go(func() error {
			// The listener outlives the signal and closes once the bot has
			// drained: meanwhile /readyz says 503 (the bot is not
			// Connected once it shuts down), /healthz and /metrics answer,
			// and interactions are told the bot is restarting, instead of
			// every request being refused.
			err := serveHTTP(drained, cfg.Discord.HTTPAddr, mux, logger)
			if endpoint != nil {
				// The bot's drain has already waited for (or interrupted)
				// the handlers; this only collects them.
				waitCtx, cancel := context.WithTimeout(context.WithoutCancel(gctx), 5*time.Second)
				defer cancel()
				err = errors.Join(err, endpoint.Wait(waitCtx))
			}
			return err
		})
	}
	g.Go(func() error {
		watchSnapshot(gctx, lib, cfg.Discord.ReloadInterval, logger)
		return nil
	})
	return g.Wait()
}

// operatorRoutes lists everything the HTTP listener serves: /metrics,
// /healthz, /readyz and, with a public key, Discord's interactions endpoint,
// whose replay check also consults replay (the cache replicas share) when
// it is not nil.
func operatorRoutes(ctx context.Context, cfg config.Config, b *bot.Bot, lib *library.Library, m *metrics.Metrics, replay bot.ReplayCache, logger *slog.Logger) (*http.ServeMux, *bot.Interactions, error) {
	mux := http.NewServeMux()
	metrics.Routes(mux, m, func() error {
		switch {
		case !lib.Ready():
			return errors.New("index not loaded")
		case !b.Connected():
			return errors.New("discord not connected")
		}
		return nil
	})
	if cfg.Discord.PublicKey == "" {
		return mux, nil, nil
	}
	key, err := bot.ParsePublicKey(cfg.Discord.PublicKey)
	if err != nil {
		return nil, nil, usagef("DISCORD_PUBLIC_KEY: %v", err)
	}
	// Handlers outlive the HTTP reply and are drained by the bot's own
	// shutdown, so they must not die with the first signal.
	endpoint, err := bot.NewInteractionsHandler(bot.InteractionsOptions{
		PublicKey: key, Handle: b.HandleInteraction, Logger: logger, Context: context.WithoutCancel(ctx),
		Replay: replay,
	})
	if err != nil {
		return nil, nil, err
	}
	mux.Handle("POST /interactions", endpoint)
	return mux, endpoint, nil
}

// snapshotReloader is the part of the index a replica polls.
type snapshotReloader interface {
	ReloadIfNewer(ctx context.Context) (bool, error)
}

// watchSnapshot reloads the index whenever another process (a replica that
// ran /refresh) has written a newer snapshot to the shared data directory,
// until ctx ends.
func watchSnapshot(ctx context.Context, ix snapshotReloader, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		reloaded, err := ix.ReloadIfNewer(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("reload newer index snapshot", "err", err)
		case reloaded:
			logger.Info("reloaded a newer index snapshot written by another process")
		}
	}
}

// models describes the models in use, for /about.
func models(cfg config.Config) string {
	chat := "none (extractive answers)"
	if cfg.ChatModel != "" {
		chat = cfg.ChatModel
	}
	emb := "local hashed n-grams"
	if cfg.EmbeddingModel != "" {
		emb = cfg.EmbeddingModel
	}
	return fmt.Sprintf("chat: %s; embeddings: %s", chat, emb)
}

// userSalt returns the salt for hashing user IDs, created at random on the
// first start and kept in the data directory so hashes stay stable.
// Replicas starting together on a new shared data directory agree on one:
// the file is created exclusively, and the ones that lose the race read
// the winner's.
func userSalt(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "user-salt")
	read := func() (string, bool, error) {
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return "", false, nil
		}
		if err != nil {
			return "", false, fmt.Errorf("read user salt: %w", err)
		}
		salt := strings.TrimSpace(string(data))
		return salt, len(salt) >= 32, nil
	}
	if salt, ok, err := read(); err != nil || ok {
		return salt, err
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("make user salt: %w", err)
	}
	salt := hex.EncodeToString(buf)
	err := atomicfile.WriteNew(path, []byte(salt+"\n"), 0o600)
	if errors.Is(err, fs.ErrExist) {
		if other, ok, rerr := read(); rerr != nil || ok {
			return other, rerr
		}
		// A salt too short to use: replace it.
		err = atomicfile.WriteFile(path, []byte(salt+"\n"), 0o600)
	}
	if err != nil {
		return "", fmt.Errorf("write user salt: %w", err)
	}
	return salt, nil
}
