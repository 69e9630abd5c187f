package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"missionbot/store"
)

// RecordRefresh appends a refresh to the log.
func (db *DB) RecordRefresh(ctx context.Context, r store.RefreshRecord) error {
	ctx, cancel := db.op(ctx)
	defer cancel()
	st := r.Stats
	warnings := st.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO refreshes (at, added, updated, removed, embedded, total,
			rebuilt, rebuild_reason, warnings, duration_ms, error, by_user)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.At, st.DocsAdded, st.DocsUpdated, st.DocsRemoved, st.ChunksEmbedded, st.ChunksTotal,
		st.Rebuilt, text(st.RebuildReason), texts(warnings), st.Duration.Milliseconds(), text(r.Err), text(r.By))
	if err != nil {
		return fmt.Errorf("record refresh (not recorded): %w", classify(err))
	}
	return nil
}

// LastRefresh returns the most recent refresh, by any replica; ok is false
// when none has been recorded.
func (db *DB) LastRefresh(ctx context.Context) (store.RefreshRecord, bool, error) {
	ctx, cancel := db.op(ctx)
	defer cancel()
	var (
		r  store.RefreshRecord
		ms int64
	)
	err := db.pool.QueryRow(ctx, `SELECT at, added, updated, removed, embedded, total,
			rebuilt, rebuild_reason, warnings, duration_ms, error, by_user
		FROM refreshes ORDER BY at DESC, id DESC LIMIT 1`).Scan(
		&r.At, &r.Stats.DocsAdded, &r.Stats.DocsUpdated, &r.Stats.DocsRemoved, &r.Stats.ChunksEmbedded,
		&r.Stats.ChunksTotal, &r.Stats.Rebuilt, &r.Stats.RebuildReason, &r.Stats.Warnings, &ms, &r.Err, &r.By)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.RefreshRecord{}, false, nil
	}
	if err != nil {
		return store.RefreshRecord{}, false, fmt.Errorf("last refresh: %w", classify(err))
	}
	if len(r.Stats.Warnings) == 0 {
		r.Stats.Warnings = nil
	}
	r.At = r.At.UTC()
	r.Stats.Duration = time.Duration(ms) * time.Millisecond
	return r, true, nil
}
