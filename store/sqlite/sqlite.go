// Package sqlite is the store's embedded backend: one SQLite file (pure Go,
// no cgo, no setup) in the data directory, in WAL mode, with schema
// migrations applied at open. It suits one process; replicas on several
// machines share a PostgreSQL database instead.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"missionbot/answer"
	"missionbot/store"
)

// ErrCorrupt is returned (wrapped) by Open when the file exists but
// is not a readable SQLite database. The file is left untouched: the operator
// decides whether to move it aside.
var ErrCorrupt = errors.New("the store file is not a usable SQLite database; move it aside to start a new one")

// DB is the bot's embedded SQLite database: posted answers and their
// votes, conversation turns per thread, and the refresh log. Users are
// recorded only as salted hashes (see HashUser). It is safe for concurrent
// use.
type DB struct {
	db *sql.DB
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations returns the embedded schema migrations in version order.
func migrations() ([]store.Migration, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return store.Migrations(sub)
}

// Open opens (creating if needed) the database at path, in WAL mode
// with a busy timeout and foreign keys on, and applies any pending schema
// migrations, each in its own transaction. A file that is not a SQLite
// database gives an error wrapping ErrCorrupt; it is never deleted.
func Open(ctx context.Context, path string) (*DB, error) {
	ms, err := migrations()
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return open(ctx, path, ms)
}

// open is Open with an explicit migration list, so tests can build
// a database at an older schema version.
func open(ctx context.Context, path string, ms []store.Migration) (*DB, error) {
	if path == "" {
		return nil, errors.New("open store: empty path")
	}
	if strings.ContainsAny(path, "?#") {
		// The driver reads everything after '?' as DSN options.
		return nil, fmt.Errorf("open store %s: path must not contain '?' or '#'", path)
	}
	if err := makePrivate(path); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// BEGIN IMMEDIATE for every transaction: a deferred one that reads and
	// then writes can fail at once with SQLITE_BUSY instead of waiting.
	dsn := path + "?_busy_timeout=5000&_journal_mode=WAL&_foreign_keys=1&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &DB{db: db}
	if err := whileBusy(ctx, s.quickCheck); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, classify(err))
	}
	if err := s.migrate(ctx, ms); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, classify(err))
	}
	return s, nil
}

// privateMode is the mode of the database and its WAL files: they hold
// questions and answers, so only the owner reads them, like the salt.
const privateMode = 0o600

// makePrivate creates the database file with privateMode before SQLite
// does (SQLite gives its -wal and -shm files the main file's mode), and
// tightens the mode of files created before this rule.
func makePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, privateMode)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create: %w", err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm()&^privateMode == 0 {
			continue
		}
		if err := os.Chmod(p, privateMode); err != nil {
			return fmt.Errorf("make %s private: %w", filepath.Base(p), err)
		}
	}
	return nil
}

// busyWait bounds how long open waits out SQLITE_BUSY that the busy
// timeout does not cover, as the busy timeout bounds the rest.
const busyWait = 5 * time.Second

// whileBusy runs f until it returns something other than SQLITE_BUSY or
// busyWait has passed. SQLite returns SQLITE_BUSY at once, without calling
// the busy handler, to a reader while another connection is switching a
// new file to WAL or recovering its log: two processes starting together
// would otherwise fail to open the same database.
func whileBusy(ctx context.Context, f func(context.Context) error) error {
	deadline := time.Now().Add(busyWait)
	for {
		err := f(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// quickCheck runs PRAGMA quick_check, which reads every page and checks
// its structure (not index contents: that is integrity_check, several
// times slower), so damage inside the file is found at start rather than
// by the query that lands on it. Its cost grows with the file: about a
// second per few hundred MB.
func (s *DB) quickCheck(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA quick_check(5)")
	if err != nil {
		return fmt.Errorf("quick check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("quick check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("quick check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: quick check found damage: %s", ErrCorrupt, strings.Join(problems, "; "))
	}
	return nil
}

// classify marks errors that mean the file is not a usable database.
func classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
	}
	return err
}

// migrate applies the migrations newer than the database's version.
func (s *DB) migrate(ctx context.Context, ms []store.Migration) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if err := s.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// apply runs one migration in a transaction unless it is already recorded;
// checking inside the transaction makes concurrent openers safe.
func (s *DB) apply(ctx context.Context, m store.Migration) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: begin: %w", m.Name, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return fmt.Errorf("migration %s: check: %w", m.Name, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)`,
		m.Version, time.Now().UnixNano()); err != nil {
		return fmt.Errorf("migration %s: record: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.Name, err)
	}
	return nil
}

// version returns the highest applied schema version; for tests.
func (s *DB) version(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}

// Migrations returns the versions of the schema migrations applied to the
// database, in ascending order.
func (s *DB) Migrations(ctx context.Context) ([]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("list applied migrations: %w", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("list applied migrations: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list applied migrations: %w", err)
	}
	return out, nil
}

// Close closes the database.
func (s *DB) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// SaveAnswer records a posted answer and returns its id, which goes into
// the feedback buttons' custom ids.
func (s *DB) SaveAnswer(ctx context.Context, r store.AnswerRecord) (id int64, err error) {
	ids := r.DocIDs
	if ids == nil {
		ids = []string{}
	}
	docs, err := json.Marshal(ids)
	if err != nil {
		return 0, fmt.Errorf("save answer: encode doc ids: %w", err)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO answers(interaction_id, question, answer, doc_ids, mode, refused, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.InteractionID, r.Question, r.Answer, string(docs), r.Mode, r.Refused, r.At.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("save answer: %w", err)
	}
	id, err = res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("save answer: read id: %w", err)
	}
	return id, nil
}

// Vote records userHash's vote on an answer; a second vote by the same user
// replaces the first. It returns an error wrapping store.ErrUnknownAnswer when the
// answer does not exist.
func (s *DB) Vote(ctx context.Context, answerID int64, userHash string, up bool, at time.Time) error {
	if userHash == "" {
		return errors.New("vote: empty user hash")
	}
	// The WHERE clause also resolves SQLite's parsing ambiguity between
	// INSERT ... SELECT and an upsert clause (documented under "upsert").
	res, err := s.db.ExecContext(ctx, `INSERT INTO votes(answer_id, user_hash, up, at)
		SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM answers WHERE id = ?)
		ON CONFLICT(answer_id, user_hash) DO UPDATE SET up = excluded.up, at = excluded.at`,
		answerID, userHash, up, at.UnixNano(), answerID)
	if err != nil {
		return fmt.Errorf("vote on answer %d: %w", answerID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("vote on answer %d: %w", answerID, err)
	}
	if n == 0 {
		return fmt.Errorf("vote on answer %d: %w", answerID, store.ErrUnknownAnswer)
	}
	return nil
}

// Feedback totals all votes and lists up to recent down-voted answers,
// most recently down-voted first.
func (s *DB) Feedback(ctx context.Context, recent int) (store.FeedbackSummary, error) {
	var sum store.FeedbackSummary
	var up, down sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT SUM(up), SUM(1 - up) FROM votes`).Scan(&up, &down); err != nil {
		return sum, fmt.Errorf("feedback: count votes: %w", err)
	}
	sum.Up, sum.Down = int(up.Int64), int(down.Int64)
	if recent <= 0 {
		return sum, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT a.question, a.answer, MAX(v.at) AS last
		FROM votes v JOIN answers a ON a.id = v.answer_id
		WHERE v.up = 0
		GROUP BY a.id
		ORDER BY last DESC, a.id DESC
		LIMIT ?`, recent)
	if err != nil {
		return sum, fmt.Errorf("feedback: list down votes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it store.FeedbackItem
		var at int64
		if err := rows.Scan(&it.Question, &it.Answer, &at); err != nil {
			return sum, fmt.Errorf("feedback: read down vote: %w", err)
		}
		it.At = time.Unix(0, at).UTC()
		sum.RecentDown = append(sum.RecentDown, it)
	}
	if err := rows.Err(); err != nil {
		return sum, fmt.Errorf("feedback: list down votes: %w", err)
	}
	return sum, nil
}

// AppendTurn adds a question and its answer to a thread's history.
func (s *DB) AppendTurn(ctx context.Context, threadID string, t answer.Turn, at time.Time) error {
	if threadID == "" {
		return errors.New("append turn: empty thread id")
	}
	// One statement, so the next sequence number is computed atomically.
	_, err := s.db.ExecContext(ctx, `INSERT INTO turns(thread_id, seq, question, answer, at)
		SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM turns WHERE thread_id = ?`,
		threadID, t.Question, t.Answer, at.UnixNano(), threadID)
	if err != nil {
		return fmt.Errorf("append turn to thread %s: %w", threadID, err)
	}
	return nil
}

// History returns the last max turns of a thread, oldest first; it is empty
// for an unknown thread or max <= 0.
func (s *DB) History(ctx context.Context, threadID string, max int) ([]answer.Turn, error) {
	if max <= 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT question, answer FROM (
			SELECT seq, question, answer FROM turns WHERE thread_id = ? ORDER BY seq DESC LIMIT ?
		) ORDER BY seq ASC`, threadID, max)
	if err != nil {
		return nil, fmt.Errorf("history of thread %s: %w", threadID, err)
	}
	defer rows.Close()
	var out []answer.Turn
	for rows.Next() {
		var t answer.Turn
		if err := rows.Scan(&t.Question, &t.Answer); err != nil {
			return nil, fmt.Errorf("history of thread %s: %w", threadID, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history of thread %s: %w", threadID, err)
	}
	return out, nil
}

// RecordRefresh appends a refresh to the log.
func (s *DB) RecordRefresh(ctx context.Context, r store.RefreshRecord) error {
	warnings := r.Stats.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	w, err := json.Marshal(warnings)
	if err != nil {
		return fmt.Errorf("record refresh: encode warnings: %w", err)
	}
	st := r.Stats
	_, err = s.db.ExecContext(ctx, `INSERT INTO refreshes(at, added, updated, removed, embedded, total,
			rebuilt, rebuild_reason, warnings, duration_ms, error, by_user)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.At.UnixNano(), st.DocsAdded, st.DocsUpdated, st.DocsRemoved, st.ChunksEmbedded, st.ChunksTotal,
		st.Rebuilt, st.RebuildReason, string(w), st.Duration.Milliseconds(), r.Err, r.By)
	if err != nil {
		return fmt.Errorf("record refresh: %w", err)
	}
	return nil
}

// LastRefresh returns the most recent refresh; ok is false when none has
// been recorded.
func (s *DB) LastRefresh(ctx context.Context) (store.RefreshRecord, bool, error) {
	var r store.RefreshRecord
	var at, ms int64
	var w string
	err := s.db.QueryRowContext(ctx, `SELECT at, added, updated, removed, embedded, total,
			rebuilt, rebuild_reason, warnings, duration_ms, error, by_user
		FROM refreshes ORDER BY at DESC, id DESC LIMIT 1`).Scan(
		&at, &r.Stats.DocsAdded, &r.Stats.DocsUpdated, &r.Stats.DocsRemoved, &r.Stats.ChunksEmbedded,
		&r.Stats.ChunksTotal, &r.Stats.Rebuilt, &r.Stats.RebuildReason, &w, &ms, &r.Err, &r.By)
	if errors.Is(err, sql.ErrNoRows) {
		return store.RefreshRecord{}, false, nil
	}
	if err != nil {
		return store.RefreshRecord{}, false, fmt.Errorf("last refresh: %w", err)
	}
	if err := json.Unmarshal([]byte(w), &r.Stats.Warnings); err != nil {
		return store.RefreshRecord{}, false, fmt.Errorf("last refresh: decode warnings: %w", err)
	}
	if len(r.Stats.Warnings) == 0 {
		r.Stats.Warnings = nil
	}
	r.At = time.Unix(0, at).UTC()
	r.Stats.Duration = time.Duration(ms) * time.Millisecond
	return r, true, nil
}
