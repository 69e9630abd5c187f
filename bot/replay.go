package bot

import (
	"context"
	"sync"
	"time"
)

// ReplayCache remembers the interaction requests the endpoint accepted
// until they stop being fresh, so that a captured request (a valid
// signature) cannot be played again within the freshness window. The
// default, MemoryReplayCache, holds for one process; replicas behind a
// load balancer share one (store/postgres's), so a request accepted by any
// of them is refused by all.
type ReplayCache interface {
	// FirstSight records key as seen until expires and reports whether it
	// is new: false means the same key was recorded before and has not
	// expired. An error means the cache could not tell.
	FirstSight(ctx context.Context, key string, expires time.Time) (bool, error)
}

// DefaultMaxReplayEntries bounds a MemoryReplayCache made with max <= 0.
// At one bot's volumes it is never reached within a freshness window; when
// it is, the oldest protection is given up rather than memory.
const DefaultMaxReplayEntries = 1 << 16

// MemoryReplayCache is the in-process ReplayCache. It is safe for
// concurrent use.
type MemoryReplayCache struct {
	now func() time.Time
	max int

	mu   sync.Mutex
	seen map[string]time.Time // key -> when it expires; guarded by mu
}

var _ ReplayCache = (*MemoryReplayCache)(nil)

// NewMemoryReplayCache returns an empty cache holding at most max entries
// (DefaultMaxReplayEntries when max <= 0), expiring them by now (time.Now
// when nil).
func NewMemoryReplayCache(now func() time.Time, max int) *MemoryReplayCache {
	if now == nil {
		now = time.Now
	}
	if max <= 0 {
		max = DefaultMaxReplayEntries
	}
	return &MemoryReplayCache{now: now, max: max, seen: map[string]time.Time{}}
}

// FirstSight implements ReplayCache; it never fails.
func (c *MemoryReplayCache) FirstSight(_ context.Context, key string, expires time.Time) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if t, ok := c.seen[key]; ok && now.Before(t) {
		return false, nil
	}
	if len(c.seen) >= c.max {
		for k, t := range c.seen {
			if !now.Before(t) || len(c.seen) >= c.max/2 {
				delete(c.seen, k)
			}
		}
	}
	c.seen[key] = expires
	return true, nil
}
