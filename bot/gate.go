package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
// ends while waiting. When ctx carries a Reservation of g (see
// withReservation), Acquire uses the place it holds and cannot be busy.
// The caller must call release exactly once; further calls are no-ops.
func (g *Gate) Acquire(ctx context.Context) (release func(), err error) {
	if r, ok := ctx.Value(reservationKey{}).(*Reservation); ok && r != nil && r.g == g {
		return r.acquire(ctx)
	}
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

// Reservation is a place among a Gate's running or waiting calls, taken
// before the work it is for is acknowledged: a handler that learns it
// would be busy can still refuse privately, before Discord shows the user
// a public "thinking…" message that an edit could not make private again.
type Reservation struct {
	g *Gate

	mu   sync.Mutex // guards slot, done
	slot bool       // holds a running slot (else a place in the queue)
	done bool       // acquired or cancelled
}

// Reserve takes a running slot if one is free, or else a place in the
// queue, without waiting; it returns ErrBusy when the queue is full. The
// caller hands the reservation to Acquire through withReservation, and
// must call Cancel when done with it (a no-op once Acquire has used it).
func (g *Gate) Reserve() (*Reservation, error) {
	select {
	case g.slots <- struct{}{}:
		return &Reservation{g: g, slot: true}, nil
	default:
	}
	if g.queued.Add(1) > g.maxQueue {
		g.queued.Add(-1)
		return nil, ErrBusy
	}
	return &Reservation{g: g}, nil
}

// Cancel gives the reserved place back unless Acquire has used it. A nil
// reservation is fine.
func (r *Reservation) Cancel() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return
	}
	r.done = true
	if r.slot {
		<-r.g.slots
	} else {
		r.g.queued.Add(-1)
	}
}

// acquire turns the reservation into a running slot, waiting in the queue
// place it holds.
func (r *Reservation) acquire(ctx context.Context) (func(), error) {
	r.mu.Lock()
	if r.done {
		r.mu.Unlock()
		return nil, errors.New("gate: reservation already used")
	}
	r.done = true
	slot := r.slot
	r.mu.Unlock()
	if slot {
		return r.g.releaser(), nil
	}
	defer r.g.queued.Add(-1)
	select {
	case r.g.slots <- struct{}{}:
		return r.g.releaser(), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("gate: wait for a slot: %w", ctx.Err())
	}
}

// reservationKey is the context key of a Reservation.
type reservationKey struct{}

// withReservation returns ctx carrying r, for Gate.Acquire.
func withReservation(ctx context.Context, r *Reservation) context.Context {
	return context.WithValue(ctx, reservationKey{}, r)
}
