package postgres

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"missionbot/library"
	"missionbot/store/postgres/pgtest"
)

// newTestLocker is a Locker on u as a separate process would have it.
func newTestLocker(t *testing.T, u string, opts LockerOptions) *Locker {
	t.Helper()
	l, err := NewLocker(u, opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLockerExcludesOtherProcesses(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	a, b := newTestLocker(t, u, LockerOptions{}), newTestLocker(t, u, LockerOptions{})
	unlock, err := a.TryLock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.TryLock(ctx); !errors.Is(err, library.ErrBusy) {
		t.Fatalf("TryLock while another holds it = %v, want library.ErrBusy", err)
	}
	if _, err := a.TryLock(ctx); !errors.Is(err, library.ErrBusy) {
		t.Fatalf("a second TryLock by the same Locker = %v, want library.ErrBusy", err)
	}
	other := newTestLocker(t, u, LockerOptions{Name: "another lock"})
	if u2, err := other.TryLock(ctx); err != nil {
		t.Errorf("a lock of another name is independent: %v", err)
	} else {
		u2()
	}
	waitCtx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := b.Lock(waitCtx); !errors.Is(err, library.ErrBusy) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock that times out = %v, want library.ErrBusy and the deadline", err)
	}

	got := make(chan error, 1)
	var unlockB func()
	go func() {
		var err error
		unlockB, err = b.Lock(ctx)
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("Lock returned while the lock was held: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	unlock()
	unlock() // a second call is harmless
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Lock still waiting after the holder unlocked")
	}
	if _, err := a.TryLock(ctx); !errors.Is(err, library.ErrBusy) {
		t.Errorf("TryLock while the waiter holds it = %v, want library.ErrBusy", err)
	}
	unlockB()
	if u3, err := a.TryLock(ctx); err != nil {
		t.Errorf("TryLock after every unlock: %v", err)
	} else {
		u3()
	}
}

// TestLockerOneWriterAtATime: many goroutines, through several Lockers as
// several processes, never hold the lock at once.
func TestLockerOneWriterAtATime(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	lockers := []*Locker{newTestLocker(t, u, LockerOptions{}), newTestLocker(t, u, LockerOptions{}), newTestLocker(t, u, LockerOptions{})}
	var inside, most, done atomic.Int32
	var wg sync.WaitGroup
	for i := range 9 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				unlock, err := lockers[i%len(lockers)].Lock(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				n := inside.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(5 * time.Millisecond)
				inside.Add(-1)
				done.Add(1)
				unlock()
			}
		}()
	}
	wg.Wait()
	if most.Load() != 1 || done.Load() != 27 {
		t.Errorf("at most %d holders at once over %d turns; want 1 over 27", most.Load(), done.Load())
	}
}

// TestLockerHolderDeath: when the holder's session dies (its process is
// killed, its host vanishes and keepalives give up, an operator ends it),
// the server releases the lock at once, others take it, and the former
// holder logs that it lost the lock.
func TestLockerHolderDeath(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	holder := newTestLocker(t, u, LockerOptions{CheckInterval: 50 * time.Millisecond, Logger: logger})
	unlock, err := holder.TryLock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	db := openTest(t, u, Options{})
	var ended bool
	if err := db.pool.QueryRow(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&ended); err != nil || !ended {
		t.Fatalf("terminate the holder's session: %v, %v", ended, err)
	}
	other := newTestLocker(t, u, LockerOptions{})
	start := time.Now()
	got, err := other.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("taking the dead holder's lock took %v", d)
	}
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		lost := strings.Contains(logs.String(), "writer lock lost")
		mu.Unlock()
		if lost {
			return
		}
	}
	t.Error("the former holder did not log that it lost the lock")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestLockerDatabaseDown(t *testing.T) {
	u := pgtest.URL(t)
	p := startProxy(t, serverAddr(t, u))
	l := newTestLocker(t, p.via(t, u), LockerOptions{ConnectTimeout: time.Second})
	p.set(linkRefused)
	_, err := l.TryLock(context.Background())
	if err == nil || errors.Is(err, library.ErrBusy) || !strings.Contains(err.Error(), "unavailable") {
		t.Errorf("TryLock with the database down = %v, want an unavailable error, not busy", err)
	}
}
