package bot

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
)

// ErrBusy is returned by Gate.Acquire when every model slot is taken and the
// waiting queue is full; the bot tells the user to try again shortly.
var ErrBusy = errors.New("bot busy")

// Gate bounds how many model calls run at once and how many wait for a slot,
// so a burst of questions degrades into "busy, try again" instead of an
// unbounded pile of goroutines and upstream requests. It is safe for
// concurrent use.
type Gate struct {
	slots    chan struct{} // one token per running call
	maxQueue int64
	queued   atomic.Int64
}

// NewGate returns a Gate allowing maxConcurrent running calls (at least 1)
// and maxQueue waiting ones (at least 0).
func NewGate(maxConcurrent, maxQueue int) *Gate {
	if maxConcurrent < 1 {
		maxConcurrent = 1
	}
	if maxQueue < 0 {
		maxQueue = 0
	}
	return &Gate{slots: make(chan struct{}, maxConcurrent), maxQueue: int64(maxQueue)}
}

// Acquire takes a slot, waiting in the queue if all are busy. It returns
// ErrBusy at once when the queue is full, and the context's error when ctx
// ends while waiting. The caller must call release exactly once; further
// calls are no-ops.
func (g *Gate) Acquire(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("gate: acquire: %w", err)
	}
	select {
	case g.slots <- struct{}{}:
		return g.releaser(), nil
	default:
	}
	if g.queued.Add(1) > g.maxQueue {
		g.queued.Add(-1)
		return nil, ErrBusy
	}
	defer g.queued.Add(-1)
	select {
	case g.slots <- struct{}{}:
		return g.releaser(), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("gate: wait for a slot: %w", ctx.Err())
	}
}

// releaser returns a release func that frees one slot at most once.
func (g *Gate) releaser() func() {
	var done atomic.Bool
	return func() {
		if done.CompareAndSwap(false, true) {
			<-g.slots
		}
	}
}

// InFlight reports how many calls are running and how many are waiting.
func (g *Gate) InFlight() (running, queued int) {
	return len(g.slots), int(g.queued.Load())
}
