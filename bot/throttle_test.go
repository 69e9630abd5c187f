package bot

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestThrottlePublishesLatestAtMostOncePerInterval(t *testing.T) {
	var mu sync.Mutex
	var got []int
	th := startThrottle(context.Background(), 20*time.Millisecond, func(_ context.Context, v int) {
		mu.Lock()
		got = append(got, v)
		mu.Unlock()
	})
	start := time.Now()
	for i := 1; i <= 100; i++ {
		th.Update(func(int) int { return i })
		time.Sleep(time.Millisecond)
	}
	time.Sleep(40 * time.Millisecond) // let the last change be published
	th.Stop()
	elapsed := time.Since(start)
	mu.Lock()
	defer mu.Unlock()
	if max := int(elapsed/(20*time.Millisecond)) + 1; len(got) == 0 || len(got) > max {
		t.Fatalf("published %d times in %v, want 1..%d", len(got), elapsed, max)
	}
	if got[len(got)-1] != 100 {
		t.Errorf("last published %d, want the latest state, 100", got[len(got)-1])
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Errorf("published %v: a stale state after a newer one", got)
		}
	}
}

func TestThrottleStopsWithoutPublishingUnchangedState(t *testing.T) {
	calls := 0
	th := startThrottle(context.Background(), time.Millisecond, func(context.Context, string) { calls++ })
	time.Sleep(10 * time.Millisecond)
	th.Stop()
	if calls != 0 {
		t.Errorf("published %d times without any change", calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	th = startThrottle(ctx, time.Hour, func(context.Context, string) {})
	cancel()
	done := make(chan struct{})
	go func() { th.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Stop hung after the context ended")
	}
}
