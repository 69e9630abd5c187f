package postgres

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"missionbot/store/postgres/pgtest"
)

func TestReplayCacheSharedAcrossHandles(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	now := t0
	clock := func() time.Time { return now }
	a := openTest(t, u, Options{}).ReplayCache(ReplayOptions{Now: clock})
	b := openTest(t, u, Options{}).ReplayCache(ReplayOptions{Now: clock})
	expires := now.Add(5 * time.Minute)
	steps := []struct {
		name  string
		cache *ReplayCache
		key   string
		want  bool
	}{
		{"first sight", a, "sig-1", true},
		{"replayed to the same replica", a, "sig-1", false},
		{"replayed to another replica", b, "sig-1", false},
		{"another request", b, "sig-2", true},
	}
	for _, st := range steps {
		got, err := st.cache.FirstSight(ctx, st.key, expires)
		if err != nil {
			t.Fatal(err)
		}
		if got != st.want {
			t.Errorf("%s: FirstSight = %v, want %v", st.name, got, st.want)
		}
	}
	now = expires.Add(time.Second)
	if got, err := b.FirstSight(ctx, "sig-1", now.Add(5*time.Minute)); err != nil || !got {
		t.Errorf("an expired entry: FirstSight = %v, %v; want it taken as new", got, err)
	}
}

func TestReplayCacheSweepsExpiredEntries(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	now := t0
	c := openTest(t, u, Options{}).ReplayCache(ReplayOptions{Now: func() time.Time { return now }, SweepInterval: time.Minute})
	for _, k := range []string{"a", "b", "c"} {
		if _, err := c.FirstSight(ctx, k, now.Add(5*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := c.Len(ctx); err != nil || n != 3 {
		t.Fatalf("Len = %d, %v; want 3", n, err)
	}
	now = now.Add(10 * time.Minute) // all three expired, past the grace
	if _, err := c.FirstSight(ctx, "d", now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Len(ctx); err != nil || n != 1 {
		t.Errorf("Len after the sweep = %d, %v; want only the live entry", n, err)
	}
}

// TestReplayCacheOneWinner: the same request arriving at several replicas
// at the same instant is accepted exactly once.
func TestReplayCacheOneWinner(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	caches := []*ReplayCache{openTest(t, u, Options{}).ReplayCache(ReplayOptions{}), openTest(t, u, Options{}).ReplayCache(ReplayOptions{})}
	for round := range 20 {
		var wins atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				ok, err := caches[i%2].FirstSight(ctx, "race", time.Now().Add(time.Hour))
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		want := int32(0)
		if round == 0 {
			want = 1
		}
		if wins.Load() != want {
			t.Fatalf("round %d: %d of 8 simultaneous copies accepted, want %d", round, wins.Load(), want)
		}
	}
}
