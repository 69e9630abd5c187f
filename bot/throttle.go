package bot

import (
	"context"
	"sync"
	"time"
)

// throttle publishes the latest state of something that changes often
// (an answer's streamed text, a refresh's progress) at most once per
// interval, from one goroutine it owns, so Discord sees about one edit a
// second however fast the changes come.
type throttle[T any] struct {
	publish func(context.Context, T)

	mu      sync.Mutex
	latest  T    // guarded by mu
	changed bool // guarded by mu

	stop chan struct{}
	wg   sync.WaitGroup
}

// startThrottle starts publishing: every interval, if the state changed
// since the last call, publish gets the latest state. It runs until Stop or
// until ctx ends.
func startThrottle[T any](ctx context.Context, interval time.Duration, publish func(context.Context, T)) *throttle[T] {
	t := &throttle[T]{publish: publish, stop: make(chan struct{})}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-t.stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			t.mu.Lock()
			v, dirty := t.latest, t.changed
			t.changed = false
			t.mu.Unlock()
			if dirty {
				t.publish(ctx, v)
			}
		}
	}()
	return t
}

// Update changes the state with f (given the current state) and marks it
// for publishing. It is safe to call from any goroutine.
func (t *throttle[T]) Update(f func(T) T) {
	t.mu.Lock()
	t.latest, t.changed = f(t.latest), true
	t.mu.Unlock()
}

// Stop ends publishing and waits for a publish in progress, so the caller's
// final edit cannot be overtaken by a stale one. It publishes nothing more.
func (t *throttle[T]) Stop() {
	close(t.stop)
	t.wg.Wait()
}
