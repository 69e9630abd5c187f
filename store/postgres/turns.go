package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"missionbot/answer"
)

// AppendTurn adds a question and its answer to a thread's history.
func (db *DB) AppendTurn(ctx context.Context, threadID string, t answer.Turn, at time.Time) error {
	if threadID == "" {
		return errors.New("append turn: empty thread id")
	}
	ctx, cancel := db.op(ctx)
	defer cancel()
	if _, err := db.pool.Exec(ctx, `INSERT INTO turns (thread_id, question, answer, at) VALUES ($1, $2, $3, $4)`,
		text(threadID), text(t.Question), text(t.Answer), at); err != nil {
		return fmt.Errorf("append turn to thread %s (not recorded): %w", threadID, classify(err))
	}
	return nil
}

// History returns the last max turns of a thread, oldest first; it is empty
// for an unknown thread or max <= 0.
func (db *DB) History(ctx context.Context, threadID string, max int) ([]answer.Turn, error) {
	if max <= 0 {
		return nil, nil
	}
	ctx, cancel := db.op(ctx)
	defer cancel()
	rows, err := db.pool.Query(ctx, `SELECT question, answer FROM turns WHERE thread_id = $1 ORDER BY id DESC LIMIT $2`,
		text(threadID), max)
	if err != nil {
		return nil, fmt.Errorf("history of thread %s: %w", threadID, classify(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (answer.Turn, error) {
		var t answer.Turn
		err := row.Scan(&t.Question, &t.Answer)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("history of thread %s: %w", threadID, classify(err))
	}
	if len(out) == 0 {
		return nil, nil
	}
	slices.Reverse(out)
	return out, nil
}
