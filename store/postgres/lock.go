package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"missionbot/library"
)

// DefaultLockName is the lock every missionbot process on a database
// shares unless told otherwise.
const DefaultLockName = "missionbot writer"

// DefaultCheckInterval is how often a held lock's connection is checked.
const DefaultCheckInterval = 5 * time.Second

// LockerOptions configure NewLocker. The zero value is usable.
type LockerOptions struct {
	// Name identifies the lock: processes that use the same name on the
	// same database exclude each other. Empty means DefaultLockName.
	Name string
	// ConnectTimeout bounds connecting when the connection string sets no
	// connect_timeout; zero means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// CheckInterval is how often the connection of a held lock is
	// checked; if it has failed, the lock is gone with it and an error is
	// logged. Zero means DefaultCheckInterval.
	CheckInterval time.Duration
	// Logger receives lost locks; nil discards.
	Logger *slog.Logger
}

// Locker is the writer lock of refreshes and corpus changes shared by
// every replica: a session-level PostgreSQL advisory lock, taken on a
// connection of its own that lives exactly as long as the lock is held.
// The server releases the lock when that session ends, so a holder that
// dies never blocks the others: at once when its process exits or is
// killed (the kernel closes the socket), and through TCP keepalives,
// within about half a minute, when its host vanishes. It implements
// library.Locker and is safe for concurrent use; it connects only when
// asked for the lock.
type Locker struct {
	cfg   *pgx.ConnConfig
	key   int64
	name  string
	where string
	every time.Duration
	log   *slog.Logger
}

var _ library.Locker = (*Locker)(nil)

// NewLocker returns the lock named opts.Name in the database connString
// names. It only parses the connection string; the first TryLock or Lock
// connects.
func NewLocker(connString string, opts LockerOptions) (*Locker, error) {
	cfg, where, err := parseConfig(connString, opts.ConnectTimeout)
	if err != nil {
		return nil, fmt.Errorf("writer lock: %w", err)
	}
	l := &Locker{cfg: cfg, name: opts.Name, where: where, every: opts.CheckInterval, log: opts.Logger}
	if l.name == "" {
		l.name = DefaultLockName
	}
	if l.every <= 0 {
		l.every = DefaultCheckInterval
	}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	l.key = lockKey(l.name)
	host, _ := os.Hostname()
	// pg_stat_activity then shows who holds the lock.
	l.cfg.RuntimeParams["application_name"] = fmt.Sprintf("%s (%s pid %d)", l.name, host, os.Getpid())
	// The server notices a vanished client host after 10 s of silence
	// plus 3 unanswered probes 5 s apart, then ends the session and
	// releases the lock. These settings are per session.
	l.cfg.RuntimeParams["tcp_keepalives_idle"] = "10"
	l.cfg.RuntimeParams["tcp_keepalives_interval"] = "5"
	l.cfg.RuntimeParams["tcp_keepalives_count"] = "3"
	return l, nil
}

// lockKey is the advisory lock key of a name: 64 bits of its FNV-1a hash.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("missionbot lock: " + name))
	return int64(h.Sum64())
}

// TryLock takes the lock if no process holds it and returns
// library.ErrBusy at once otherwise. An unreachable database gives an
// error wrapping store.ErrUnavailable.
func (l *Locker) TryLock(ctx context.Context) (func(), error) {
	conn, err := l.connect(ctx)
	if err != nil {
		return nil, err
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, l.key).Scan(&ok); err != nil {
		closeConn(conn)
		return nil, fmt.Errorf("writer lock at %s: %w", l.where, classify(err))
	}
	if !ok {
		closeConn(conn)
		return nil, library.ErrBusy
	}
	return l.hold(conn), nil
}

// Lock waits until no process holds the lock (or ctx ends, giving an error
// wrapping library.ErrBusy and ctx's cause) and takes it.
func (l *Locker) Lock(ctx context.Context) (func(), error) {
	conn, err := l.connect(ctx)
	if err != nil {
		return nil, err
	}
	// The server queues the session until the lock is free; when ctx ends
	// first, pgx interrupts the wait and the connection is closed, which
	// withdraws the request.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, l.key); err != nil {
		closeConn(conn)
		if ctx.Err() != nil {
			return nil, errors.Join(library.ErrBusy, context.Cause(ctx))
		}
		return nil, fmt.Errorf("writer lock at %s: %w", l.where, classify(err))
	}
	return l.hold(conn), nil
}

// connect opens the lock's own connection.
func (l *Locker) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, l.cfg.Copy())
	if err != nil {
		if ctx.Err() != nil {
			return nil, errors.Join(library.ErrBusy, context.Cause(ctx))
		}
		return nil, fmt.Errorf("writer lock at %s: connect: %w", l.where, classify(err))
	}
	return conn, nil
}

// hold watches conn while the lock is held and returns the function that
// releases it, once.
func (l *Locker) hold(conn *pgx.Conn) func() {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		l.watch(conn, stop)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			wg.Wait()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			// Closing the session releases the lock even if this fails.
			_, _ = conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, l.key)
			_ = conn.Close(ctx)
		})
	}
}

// watch pings conn every interval until stop is closed; a failed ping
// means the session, and the lock with it, is gone: another process may
// take it while this one still writes, which is logged as an error.
func (l *Locker) watch(conn *pgx.Conn, stop <-chan struct{}) {
	t := time.NewTicker(l.every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), l.every)
		err := conn.Ping(ctx)
		cancel()
		if err != nil {
			l.log.Error("writer lock lost: its database connection failed, so another replica may write at the same time",
				"lock", l.name, "database", l.where, "err", classify(err))
			return
		}
	}
}

// closeConn closes a connection that holds nothing.
func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = conn.Close(ctx)
}
