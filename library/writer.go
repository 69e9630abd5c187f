package library

import (
	"context"
	"errors"
)

// lockWriter takes the writer lock. When another writer holds it, it
// returns ErrBusy, or, with onWait set, calls onWait and waits. Once it
// holds the lock it loads any newer snapshot another process wrote
// meanwhile, so the refresh that follows starts from the latest index
// rather than from what this process opened: otherwise the second of two
// refreshes would rebuild from a stale generation and its write would
// undo the first's.
func (l *Library) lockWriter(ctx context.Context, onWait func()) (func(), error) {
	unlock, err := l.writer.TryLock(ctx)
	if errors.Is(err, ErrBusy) && onWait != nil {
		onWait()
		unlock, err = l.writer.Lock(ctx)
	}
	if err != nil {
		return nil, err
	}
	if _, err := l.index.ReloadIfNewer(ctx); err != nil {
		// The refresh rebuilds what it cannot reuse, and its stats say
		// why (the same unreadable or incompatible snapshot Open saw).
		l.log.Debug("writer lock taken; the snapshot on disk cannot be reused", "err", err)
	}
	return unlock, nil
}

// inFolder runs write, which changes the corpus folder or its manifest,
// under the folder's lock: the manifest is read, changed and written back,
// and two processes doing that at once would each drop the other's entry.
// The lock is held only for the write, so waiting for it is short.
func (l *Library) inFolder(ctx context.Context, write func() error) error {
	unlock, err := l.folderLock.Lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return write()
}
