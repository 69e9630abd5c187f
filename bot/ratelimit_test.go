package bot

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable time source.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestUserLimiter(t *testing.T) {
	type step struct {
		advance   time.Duration
		user      string
		wantOK    bool
		wantRetry time.Duration
	}
	tests := []struct {
		name             string
		perMinute, burst int
		steps            []step
	}{
		{name: "burst then wait", perMinute: 6, burst: 2, steps: []step{
			{0, "a", true, 0},
			{0, "a", true, 0},
			{0, "a", false, 10 * time.Second}, // one token per 10 s
			{4 * time.Second, "a", false, 6 * time.Second},
			{6 * time.Second, "a", true, 0},
			{0, "a", false, 10 * time.Second},
		}},
		{name: "users are independent", perMinute: 1, burst: 1, steps: []step{
			{0, "a", true, 0},
			{0, "a", false, time.Minute},
			{0, "b", true, 0},
		}},
		{name: "denial consumes nothing", perMinute: 60, burst: 1, steps: []step{
			{0, "a", true, 0},
			{0, "a", false, time.Second},
			{0, "a", false, time.Second},
			{0, "a", false, time.Second},
			{time.Second, "a", true, 0},
		}},
		{name: "burst defaults to per minute", perMinute: 3, burst: 0, steps: []step{
			{0, "a", true, 0}, {0, "a", true, 0}, {0, "a", true, 0},
			{0, "a", false, 20 * time.Second},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Date(2024, 6, 25, 0, 0, 0, 0, time.UTC)}
			l := NewUserLimiter(tc.perMinute, tc.burst, clock.now)
			for i, st := range tc.steps {
				clock.advance(st.advance)
				ok, retry := l.Allow(st.user)
				if ok != st.wantOK || retry != st.wantRetry {
					t.Errorf("step %d: Allow(%q) = %v, %v; want %v, %v", i, st.user, ok, retry, st.wantOK, st.wantRetry)
				}
			}
		})
	}
}

func TestUserLimiterEvictsIdleUsers(t *testing.T) {
	clock := &fakeClock{t: time.Date(2024, 6, 25, 0, 0, 0, 0, time.UTC)}
	l := NewUserLimiter(6, 2, clock.now) // full again after 20 s
	for i := range 100 {
		l.Allow(fmt.Sprint("user", i))
	}
	if n := l.tracked(); n != 100 {
		t.Fatalf("tracking %d users, want 100", n)
	}
	clock.advance(21 * time.Second)
	l.Allow("fresh")
	if n := l.tracked(); n != 1 {
		t.Errorf("after idle period tracking %d users, want 1", n)
	}
	// An evicted user starts with a full bucket, as they would have had.
	for range 2 {
		if ok, _ := l.Allow("user1"); !ok {
			t.Error("evicted user denied")
		}
	}
}

func TestUserLimiterBounded(t *testing.T) {
	clock := &fakeClock{t: time.Date(2024, 6, 25, 0, 0, 0, 0, time.UTC)}
	l := NewUserLimiter(60, 1, clock.now) // full again after 1 s
	for i := range 3 * sweepAt {
		if i%1000 == 0 {
			clock.advance(2 * time.Second)
		}
		l.Allow(fmt.Sprint("user", i))
	}
	if n := l.tracked(); n > sweepAt+1000 {
		t.Errorf("tracking %d users; want at most %d", n, sweepAt+1000)
	}
}

func TestUserLimiterConcurrent(t *testing.T) {
	clock := &fakeClock{t: time.Date(2024, 6, 25, 0, 0, 0, 0, time.UTC)}
	l := NewUserLimiter(10, 10, clock.now)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _ := l.Allow("same"); ok {
				mu.Lock()
				allowed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if allowed != 10 {
		t.Errorf("%d of 50 concurrent requests allowed, want the burst of 10", allowed)
	}
}

func BenchmarkUserLimiterAllow(b *testing.B) {
	l := NewUserLimiter(600, 600, nil)
	users := make([]string, 1000)
	for i := range users {
		users[i] = fmt.Sprint("user", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.Allow(users[i%len(users)])
		i++
	}
}
