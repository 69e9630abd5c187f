package library

import (
	"context"
	"errors"
)

// Locker is the writer lock that keeps refreshes and corpus changes one at
// a time. The default holds within one process; a lock that also holds
// across processes (a file lock in the data directory, an advisory lock in
// a shared database) implements the same interface, so replicas and
// concurrent command-line runs serialise too.
type Locker interface {
	// TryLock takes the lock if it is free and returns ErrBusy at once if
	// another writer holds it. The caller must call unlock exactly once.
	TryLock(ctx context.Context) (unlock func(), err error)
	// Lock waits until the lock is free (or ctx ends) and takes it.
	Lock(ctx context.Context) (unlock func(), err error)
}

// processLock is the default Locker: a one-slot semaphore, so Lock can
// give up when its context ends.
type processLock chan struct{}

func newProcessLock() processLock { return make(processLock, 1) }

// TryLock implements Locker.
func (l processLock) TryLock(context.Context) (func(), error) {
	select {
	case l <- struct{}{}:
		return l.unlocker(), nil
	default:
		return nil, ErrBusy
	}
}

// Lock implements Locker.
func (l processLock) Lock(ctx context.Context) (func(), error) {
	select {
	case l <- struct{}{}:
		return l.unlocker(), nil
	case <-ctx.Done():
		return nil, errors.Join(ErrBusy, context.Cause(ctx))
	}
}

// unlocker returns a release func that frees the slot at most once.
func (l processLock) unlocker() func() {
	done := false
	return func() {
		if !done {
			done = true
			<-l
		}
	}
}
