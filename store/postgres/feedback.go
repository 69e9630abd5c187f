package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"missionbot/store"
)

// SaveAnswer records a posted answer and returns its id, which goes into
// the feedback buttons' custom ids.
func (db *DB) SaveAnswer(ctx context.Context, r store.AnswerRecord) (int64, error) {
	ctx, cancel := db.op(ctx)
	defer cancel()
	docs := r.DocIDs
	if docs == nil {
		docs = []string{}
	}
	var id int64
	err := db.pool.QueryRow(ctx, `INSERT INTO answers (interaction_id, question, answer, doc_ids, mode, refused, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		text(r.InteractionID), text(r.Question), text(r.Answer), texts(docs), text(r.Mode), r.Refused, r.At).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("save answer (not recorded): %w", classify(err))
	}
	return id, nil
}

// Vote records userHash's vote on an answer; a second vote by the same user
// replaces the first. It returns an error wrapping store.ErrUnknownAnswer
// when the answer does not exist.
func (db *DB) Vote(ctx context.Context, answerID int64, userHash string, up bool, at time.Time) error {
	if userHash == "" {
		return errors.New("vote: empty user hash")
	}
	ctx, cancel := db.op(ctx)
	defer cancel()
	tag, err := db.pool.Exec(ctx, `INSERT INTO votes (answer_id, user_hash, up, at)
		SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM answers WHERE id = $1)
		ON CONFLICT (answer_id, user_hash) DO UPDATE SET up = EXCLUDED.up, at = EXCLUDED.at`,
		answerID, userHash, up, at)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" { // foreign_key_violation: the answer went meanwhile
		return fmt.Errorf("vote on answer %d: %w", answerID, store.ErrUnknownAnswer)
	}
	if err != nil {
		return fmt.Errorf("vote on answer %d (not recorded): %w", answerID, classify(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("vote on answer %d: %w", answerID, store.ErrUnknownAnswer)
	}
	return nil
}

// Feedback totals all votes and lists up to recent down-voted answers,
// most recently down-voted first.
func (db *DB) Feedback(ctx context.Context, recent int) (store.FeedbackSummary, error) {
	ctx, cancel := db.op(ctx)
	defer cancel()
	var sum store.FeedbackSummary
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE up), count(*) FILTER (WHERE NOT up) FROM votes`).
		Scan(&sum.Up, &sum.Down); err != nil {
		return store.FeedbackSummary{}, fmt.Errorf("feedback: count votes: %w", classify(err))
	}
	if recent <= 0 {
		return sum, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT a.question, a.answer, max(v.at) AS last
		FROM votes v JOIN answers a ON a.id = v.answer_id
		WHERE NOT v.up
		GROUP BY a.id
		ORDER BY last DESC, a.id DESC
		LIMIT $1`, recent)
	if err != nil {
		return store.FeedbackSummary{}, fmt.Errorf("feedback: list down votes: %w", classify(err))
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.FeedbackItem, error) {
		var it store.FeedbackItem
		err := row.Scan(&it.Question, &it.Answer, &it.At)
		it.At = it.At.UTC()
		return it, err
	})
	if err != nil {
		return store.FeedbackSummary{}, fmt.Errorf("feedback: list down votes: %w", classify(err))
	}
	sum.RecentDown = items
	return sum, nil
}

// text makes s storable in a PostgreSQL text column, which holds only
// valid UTF-8 without NUL: each NUL and each invalid byte sequence becomes
// U+FFFD, as the store package allows of every backend.
func text(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// texts is text over a slice.
func texts(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = text(s)
	}
	return out
}
