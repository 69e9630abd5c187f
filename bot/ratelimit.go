package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// UserLimiter applies a per-user token bucket to commands, so one user cannot
// monopolise the bot. Users idle long enough to have a full bucket again are
// evicted, keeping memory bounded by the number of recently active users. It
// is safe for concurrent use.
type UserLimiter struct {
	limit rate.Limit
	burst int
	// idle is how long after a user's last request their bucket is full
	// again, so forgetting them changes nothing.
	idle time.Duration
	now  func() time.Time

	mu        sync.Mutex // guards users, lastSweep and sweptSize
	users     map[string]*userBucket
	lastSweep time.Time
	sweptSize int // len(users) after the last sweep
}

// userBucket is one user's limiter and when they last asked.
type userBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// sweepAt is the map size beyond which Allow sweeps idle users even if the
// sweep interval has not passed (whenever the map has doubled since the
// last sweep, so the cost stays amortised O(1) per call).
const sweepAt = 10000

// NewUserLimiter returns a limiter allowing perMinute requests per minute per
// user with bursts of burst (perMinute when burst < 1). perMinute < 1 means
// one per minute. now supplies the time; nil means time.Now.
func NewUserLimiter(perMinute int, burst int, now func() time.Time) *UserLimiter {
	if perMinute < 1 {
		perMinute = 1
	}
	if burst < 1 {
		burst = perMinute
	}
	if now == nil {
		now = time.Now
	}
	lim := rate.Limit(float64(perMinute) / 60)
	idle := time.Duration(float64(burst) / float64(lim) * float64(time.Second))
	return &UserLimiter{
		limit: lim,
		burst: burst,
		idle:  idle,
		now:   now,
		users: make(map[string]*userBucket),
	}
}

// Allow reports whether userID may make a request now; when not, retryAfter
// says how long until they may. A denied request consumes nothing.
func (l *UserLimiter) Allow(userID string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b := l.users[userID]
	if b == nil {
		b = &userBucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.users[userID] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, l.idle
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		// Round up: the limiter's float arithmetic can leave a delay a
		// nanosecond short, and retrying early would fail again.
		return false, (d + time.Millisecond - 1).Truncate(time.Millisecond)
	}
	return true, 0
}

// sweep forgets users idle for longer than l.idle, at most once per idle
// period unless the map has grown past sweepAt and doubled since the last
// sweep. l.mu must be held.
func (l *UserLimiter) sweep(now time.Time) {
	grown := len(l.users) >= sweepAt && len(l.users) >= 2*l.sweptSize
	if !grown && now.Sub(l.lastSweep) < l.idle {
		return
	}
	defer func() { l.lastSweep, l.sweptSize = now, len(l.users) }()
	for id, b := range l.users {
		if now.Sub(b.seen) >= l.idle {
			delete(l.users, id)
		}
	}
}

// tracked reports how many users are tracked; for tests.
func (l *UserLimiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.users)
}
