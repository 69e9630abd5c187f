package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

// countingReloader counts polls and reports a reload on the third.
type countingReloader struct{ polls atomic.Int32 }

func (r *countingReloader) ReloadIfNewer(context.Context) (bool, error) {
	n := r.polls.Add(1)
	if n == 2 {
		return false, errors.New("snapshot being replaced")
	}
	return n == 3, nil
}

func TestWatchSnapshotPollsUntilCancelled(t *testing.T) {
	r := &countingReloader{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		watchSnapshot(ctx, r, 5*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
		close(done)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for r.polls.Load() < 4 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("watchSnapshot did not stop when its context ended")
	}
	if r.polls.Load() < 4 {
		t.Errorf("polled %d times; an error must not stop the watch", r.polls.Load())
	}
}
