package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Defaults for ReplayOptions' zero values.
const (
	DefaultSweepInterval = time.Minute
	// sweepGrace keeps an expired entry a little longer than its own
	// expiry, for replicas whose clocks run behind the sweeper's.
	sweepGrace = time.Minute
)

// ReplayOptions configure a ReplayCache. The zero value is usable.
type ReplayOptions struct {
	// Now is the clock entries expire by; nil means time.Now.
	Now func() time.Time
	// SweepInterval is the least time between two deletions of expired
	// entries by this process; zero means DefaultSweepInterval.
	SweepInterval time.Duration
}

// ReplayCache is the interactions endpoint's replay cache kept in the
// shared database (table interaction_replays): a request signature that
// any replica accepted is refused by every replica until it stops being
// fresh. Checking and recording are one statement, so two replicas that
// receive the same request at the same instant accept it once. Expired
// entries are deleted at most once per SweepInterval, by whichever replica
// is checking. It is safe for concurrent use.
type ReplayCache struct {
	db    *DB
	now   func() time.Time
	every time.Duration

	mu        sync.Mutex
	lastSweep time.Time // guarded by mu
}

// ReplayCache returns the replay cache in db.
func (db *DB) ReplayCache(opts ReplayOptions) *ReplayCache {
	c := &ReplayCache{db: db, now: opts.Now, every: opts.SweepInterval}
	if c.now == nil {
		c.now = time.Now
	}
	if c.every <= 0 {
		c.every = DefaultSweepInterval
	}
	return c
}

// FirstSight records key as seen until expires and reports whether it is
// new: false means some replica recorded the same key before and it has not
// expired. An unreachable database gives an error wrapping
// store.ErrUnavailable.
func (c *ReplayCache) FirstSight(ctx context.Context, key string, expires time.Time) (bool, error) {
	ctx, cancel := c.db.op(ctx)
	defer cancel()
	now := c.now()
	// An expired entry for the same key is taken over, not refused.
	tag, err := c.db.pool.Exec(ctx, `INSERT INTO interaction_replays (signature, expires_at) VALUES ($1, $2)
		ON CONFLICT (signature) DO UPDATE SET expires_at = EXCLUDED.expires_at
		WHERE interaction_replays.expires_at <= $3`, text(key), expires, now)
	if err != nil {
		return false, fmt.Errorf("replay cache: record request: %w", classify(err))
	}
	if err := c.sweep(ctx, now); err != nil {
		c.db.log.Warn("replay cache: delete expired entries", "err", err)
	}
	return tag.RowsAffected() == 1, nil
}

// sweep deletes expired entries when the last sweep is over an interval
// old.
func (c *ReplayCache) sweep(ctx context.Context, now time.Time) error {
	c.mu.Lock()
	due := now.Sub(c.lastSweep) >= c.every
	if due {
		c.lastSweep = now
	}
	c.mu.Unlock()
	if !due {
		return nil
	}
	if _, err := c.db.pool.Exec(ctx, `DELETE FROM interaction_replays WHERE expires_at < $1`, now.Add(-sweepGrace)); err != nil {
		return classify(err)
	}
	return nil
}

// Len counts the entries in the cache, expired or not; for tests and
// operators.
func (c *ReplayCache) Len(ctx context.Context) (int, error) {
	ctx, cancel := c.db.op(ctx)
	defer cancel()
	var n int
	if err := c.db.pool.QueryRow(ctx, `SELECT count(*) FROM interaction_replays`).Scan(&n); err != nil {
		return 0, fmt.Errorf("replay cache: count: %w", classify(err))
	}
	return n, nil
}
