package bot

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls cond until it holds or a second passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestGate(t *testing.T) {
	ctx := context.Background()
	g := NewGate(2, 1)
	r1, err := g.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := g.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		release, err := g.Acquire(ctx)
		if err == nil {
			release()
		}
		got <- err
	}()
	waitFor(t, "one queued", func() bool { _, q := g.InFlight(); return q == 1 })
	if _, err := g.Acquire(ctx); !errors.Is(err, ErrBusy) {
		t.Errorf("Acquire with a full queue: err = %v, want ErrBusy", err)
	}
	if run, q := g.InFlight(); run != 2 || q != 1 {
		t.Errorf("InFlight = %d, %d; want 2, 1", run, q)
	}
	r1()
	r1() // a second release is a no-op
	if err := <-got; err != nil {
		t.Errorf("queued Acquire: %v", err)
	}
	r2()
	if run, q := g.InFlight(); run != 0 || q != 0 {
		t.Errorf("InFlight after releases = %d, %d; want 0, 0", run, q)
	}
}

func TestGateCancelWhileQueued(t *testing.T) {
	g := NewGate(1, 5)
	release, _ := g.Acquire(context.Background())
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error, 1)
	go func() {
		_, err := g.Acquire(ctx)
		got <- err
	}()
	waitFor(t, "one queued", func() bool { _, q := g.InFlight(); return q == 1 })
	cancel()
	if err := <-got; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if _, q := g.InFlight(); q != 0 {
		t.Errorf("queued = %d after cancel, want 0", q)
	}
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := g.Acquire(done); !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire with a done context: err = %v", err)
	}
}

func TestGateBoundsConcurrency(t *testing.T) {
	tests := []struct {
		name                string
		maxRunning, maxWait int
		callers             int
	}{
		{name: "queue holds everyone", maxRunning: 3, maxWait: 100, callers: 50},
		{name: "small queue", maxRunning: 2, maxWait: 3, callers: 50},
		{name: "no queue", maxRunning: 4, maxWait: 0, callers: 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := NewGate(tc.maxRunning, tc.maxWait)
			var running, peak, busy, done atomic.Int64
			var wg sync.WaitGroup
			for range tc.callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					release, err := g.Acquire(context.Background())
					if errors.Is(err, ErrBusy) {
						busy.Add(1)
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					n := running.Add(1)
					for {
						p := peak.Load()
						if n <= p || peak.CompareAndSwap(p, n) {
							break
						}
					}
					if _, q := g.InFlight(); q > tc.maxWait {
						t.Errorf("queued %d > %d", q, tc.maxWait)
					}
					time.Sleep(time.Millisecond)
					running.Add(-1)
					done.Add(1)
					release()
				}()
			}
			wg.Wait()
			if p := peak.Load(); p > int64(tc.maxRunning) || p < 1 {
				t.Errorf("peak running = %d, limit %d", p, tc.maxRunning)
			}
			if done.Load()+busy.Load() != int64(tc.callers) {
				t.Errorf("done %d + busy %d != %d", done.Load(), busy.Load(), tc.callers)
			}
			if tc.maxWait >= tc.callers && busy.Load() != 0 {
				t.Errorf("%d callers turned away with room in the queue", busy.Load())
			}
		})
	}
}

func BenchmarkGateAcquire(b *testing.B) {
	g := NewGate(4, 100)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		release, _ := g.Acquire(ctx)
		release()
	}
}
