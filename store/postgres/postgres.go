// Package postgres is the store's backend for replicas: feedback, thread
// memory and the refresh log in a PostgreSQL database that every replica
// shares, through the pgx driver's connection pool, with schema migrations
// applied at open. Beside the store it holds what else replicas share
// through the same database: the replay cache of the interactions endpoint
// (ReplayCache) and the writer lock of refreshes and corpus changes
// (Locker, a session-level advisory lock).
//
// The connection string is a secret (it may carry a password): it never
// appears in an error or a log line; errors name the server as host:port
// and the database only.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"missionbot/store"
)

// Defaults for Options' zero values.
const (
	DefaultOpTimeout      = 5 * time.Second
	DefaultConnectTimeout = 10 * time.Second
)

// Options configure Open. The zero value is usable.
type Options struct {
	// OpTimeout bounds each store operation, so a database that stops
	// answering fails the operation with store.ErrUnavailable instead of
	// holding up an answer; zero means DefaultOpTimeout.
	OpTimeout time.Duration
	// ConnectTimeout bounds one connection attempt when the connection
	// string sets no connect_timeout; zero means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// MaxConns caps the pool; zero means pgxpool's default (the larger of
	// 4 and the number of CPUs).
	MaxConns int32
	// Logger receives migration notes; nil discards.
	Logger *slog.Logger
}

// DB is the store in a PostgreSQL database: posted answers and their votes,
// conversation turns per thread, the refresh log, and the replay cache's
// table. Users are recorded only as salted hashes (store.HashUser). It is
// safe for concurrent use, by goroutines and by processes on other
// machines.
type DB struct {
	pool    *pgxpool.Pool
	timeout time.Duration
	where   string
	log     *slog.Logger
}

// Open connects to the database named by connString (a postgres:// URL or
// a key=value string, as libpq reads them), checks that it answers, and
// applies any pending schema migrations, serialised across processes so
// that replicas starting together migrate once. A server that cannot be
// reached gives an error wrapping store.ErrUnavailable that names the
// server (never the password).
func Open(ctx context.Context, connString string, opts Options) (*DB, error) {
	pcfg, where, err := parsePoolConfig(connString, opts)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL store: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL store at %s: %w", where, classify(err))
	}
	db := &DB{pool: pool, timeout: opts.OpTimeout, where: where, log: opts.Logger}
	if db.timeout <= 0 {
		db.timeout = DefaultOpTimeout
	}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	pingCtx, cancel := context.WithTimeout(ctx, connectTimeout(pcfg.ConnConfig))
	err = pool.Ping(pingCtx)
	cancel()
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open PostgreSQL store at %s: %w", where, classify(err))
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open PostgreSQL store at %s: %w", where, classify(err))
	}
	return db, nil
}

// Close closes the pool's connections.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Where names the server and database as host:port/database, without
// credentials, for logs.
func (db *DB) Where() string { return db.where }

// parseConfig reads a connection string into pgx's connection config
// without ever quoting it back: pgx's own parse errors redact passwords
// only on a best-effort basis.
func parseConfig(connString string, connectTimeout time.Duration) (*pgx.ConnConfig, string, error) {
	if strings.TrimSpace(connString) == "" {
		return nil, "", errors.New("empty connection string")
	}
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, "", parseError(err)
	}
	if connectTimeout <= 0 {
		connectTimeout = DefaultConnectTimeout
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	return cfg, describe(&cfg.Config), nil
}

// parsePoolConfig is parseConfig for a pool.
func parsePoolConfig(connString string, opts Options) (*pgxpool.Config, string, error) {
	if strings.TrimSpace(connString) == "" {
		return nil, "", errors.New("empty connection string")
	}
	pcfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, "", parseError(err)
	}
	timeout := opts.ConnectTimeout
	if timeout <= 0 {
		timeout = DefaultConnectTimeout
	}
	if pcfg.ConnConfig.ConnectTimeout <= 0 {
		pcfg.ConnConfig.ConnectTimeout = timeout
	}
	if opts.MaxConns > 0 {
		pcfg.MaxConns = opts.MaxConns
	}
	// A pooled connection that died with the server is pinged and
	// replaced before use (pgxpool pings connections idle for over a
	// second); bound that ping so it cannot outlast an operation.
	pcfg.PingTimeout = 2 * time.Second
	return pcfg, describe(&pcfg.ConnConfig.Config), nil
}

// parseError is a parse failure without the connection string in it.
func parseError(err error) error {
	msg := "not a valid PostgreSQL connection string (postgres://user:password@host:port/database?sslmode=...)"
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) && errors.Unwrap(pe) != nil {
		var ne *strconv.NumError
		if errors.As(pe, &ne) {
			return fmt.Errorf("%s: bad number %q", msg, ne.Num)
		}
	}
	return errors.New(msg)
}

// describe names the server and database without credentials.
func describe(c *pgconn.Config) string {
	host := c.Host
	if strings.HasPrefix(host, "/") {
		host = "unix:" + host
	}
	return fmt.Sprintf("%s/%s", net.JoinHostPort(host, strconv.Itoa(int(c.Port))), c.Database)
}

// connectTimeout is how long one connection attempt may take.
func connectTimeout(c *pgx.ConnConfig) time.Duration {
	if c.ConnectTimeout > 0 {
		return c.ConnectTimeout
	}
	return DefaultConnectTimeout
}

// op bounds one operation by the store's timeout.
func (db *DB) op(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, db.timeout)
}

// classify wraps errors that mean the database cannot be reached or
// stopped answering with store.ErrUnavailable, so callers can tell "try
// again later" from a bug.
func classify(err error) error {
	if err == nil || errors.Is(err, store.ErrUnavailable) {
		return err
	}
	if unavailable(err) {
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return err
}

// unavailable reports whether err is a connection failure, a timeout or a
// server-side condition that a later attempt may not meet.
func unavailable(err error) bool {
	var (
		ce *pgconn.ConnectError
		ne net.Error
		pe *pgconn.PgError
	)
	switch {
	case errors.As(err, &pe):
		// Class 08 is connection exceptions; 57P01-03 an administrator
		// shutdown, a crash shutdown, "cannot connect now" (starting up);
		// 53300 too many connections.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" ||
			pe.Code == "57P03" || pe.Code == "53300"
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.Timeout(err),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	return pgconn.SafeToRetry(err)
}
