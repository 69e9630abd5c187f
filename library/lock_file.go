package library

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// Lock file names: LockFileName in the data directory serialises writers
// of the index; FolderLockName in a corpus folder serialises writers of
// its manifest. Corpus loading skips dot files, so the folder's lock is
// never taken for a document.
const (
	LockFileName   = "writer.lock"
	FolderLockName = ".missionbot.lock"
)

// lockRetry is how often a waiting Lock tries the file lock again.
const lockRetry = 50 * time.Millisecond

// FileLock is a Locker that holds across processes: an exclusive advisory
// lock (flock(2) on Unix, LockFileEx on Windows, through
// github.com/gofrs/flock) on a lock file, behind an in-process lock. The
// operating system releases the file lock when its holder exits, even by
// kill -9, so a crashed writer never leaves a stale lock behind. It guards
// processes that share a local file system (command-line runs beside a
// server, replicas sharing a volume); file locks over NFS or SMB are only
// as reliable as the server's lock support, and replicas on separate
// machines should use a database lock instead.
type FileLock struct {
	path string
	// proc keeps goroutines of this process one at a time: two flocks on
	// separate descriptors of one process exclude each other on Linux but
	// not everywhere (fcntl-based systems), so the process lock comes first.
	proc processLock
}

var _ Locker = (*FileLock)(nil)

// NewFileLock returns a lock on the file at path, which is created (mode
// 0600, empty) when first locked; its directory must exist by then.
func NewFileLock(path string) *FileLock {
	return &FileLock{path: path, proc: newProcessLock()}
}

// Path is the lock file's path.
func (l *FileLock) Path() string { return l.path }

// TryLock implements Locker: it returns ErrBusy at once when a writer in
// this or another process holds the lock.
func (l *FileLock) TryLock(ctx context.Context) (func(), error) {
	unlockProc, err := l.proc.TryLock(ctx)
	if err != nil {
		return nil, err
	}
	fl := flock.New(l.path)
	ok, err := fl.TryLock()
	if err != nil {
		unlockProc()
		return nil, fmt.Errorf("take lock %s: %w", l.path, err)
	}
	if !ok {
		unlockProc()
		return nil, ErrBusy
	}
	return releaser(fl, unlockProc), nil
}

// Lock implements Locker: it waits for writers in this and other
// processes, until ctx ends.
func (l *FileLock) Lock(ctx context.Context) (func(), error) {
	unlockProc, err := l.proc.Lock(ctx)
	if err != nil {
		return nil, err
	}
	fl := flock.New(l.path)
	ok, err := fl.TryLockContext(ctx, lockRetry)
	if err != nil || !ok {
		unlockProc()
		if ctx.Err() != nil {
			return nil, errors.Join(ErrBusy, context.Cause(ctx))
		}
		return nil, fmt.Errorf("take lock %s: %w", l.path, err)
	}
	return releaser(fl, unlockProc), nil
}

// releaser unlocks fl (which closes its descriptor) and then the process
// lock, at most once.
func releaser(fl *flock.Flock, unlockProc func()) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			// An unlock that fails still ends with the descriptor closed
			// at exit; there is nothing better to do with the error here.
			_ = fl.Unlock()
			_ = fl.Close()
			unlockProc()
		})
	}
}
