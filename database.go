package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"missionbot/bot"
	"missionbot/config"
	"missionbot/library"
	"missionbot/store/postgres"
	"missionbot/store/sqlite"
)

// Compile-time checks that the PostgreSQL types are what the bot consumes.
var (
	_ bot.Store       = (*postgres.DB)(nil)
	_ bot.ReplayCache = (*postgres.ReplayCache)(nil)
	_ bot.Store       = (*sqlite.DB)(nil)
)

// botStore is a store the bot uses and serve closes.
type botStore interface {
	bot.Store
	Close() error
}

// openStore opens the configured store: the PostgreSQL database of
// MISSIONBOT_DATABASE_URL, which replicas share, or else the SQLite file in
// the data directory. With PostgreSQL it also returns the replay cache the
// replicas' interactions endpoints share; with SQLite that is nil (each
// process remembers its own requests).
func openStore(ctx context.Context, cfg config.Config, logger *slog.Logger) (botStore, bot.ReplayCache, error) {
	if cfg.DatabaseURL == "" {
		// serve opens the store before the library, which would create
		// the data directory on a first run.
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, nil, fmt.Errorf("create data directory: %w", err)
		}
		s, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "missionbot.db"))
		if err != nil {
			return nil, nil, err
		}
		return s, nil, nil
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{Logger: logger})
	if err != nil {
		return nil, nil, fmt.Errorf("%w\nCheck that PostgreSQL is running and that MISSIONBOT_DATABASE_URL names it (unset it to use the embedded SQLite store).", err)
	}
	logger.Info("store: PostgreSQL", "database", db.Where())
	return db, db.ReplayCache(postgres.ReplayOptions{}), nil
}

// writerLock is the lock that keeps refreshes and corpus changes one at a
// time: with MISSIONBOT_DATABASE_URL, a PostgreSQL advisory lock, so every
// replica and every command-line run against that database takes turns
// (it connects only when a writer asks for it); otherwise nil, the
// library's default.
func writerLock(cfg config.Config, logger *slog.Logger) (library.Locker, error) {
	if cfg.DatabaseURL == "" {
		return nil, nil
	}
	l, err := postgres.NewLocker(cfg.DatabaseURL, postgres.LockerOptions{Logger: logger})
	if err != nil {
		return nil, err
	}
	return l, nil
}
