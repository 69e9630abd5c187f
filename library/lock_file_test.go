package library

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"missionbot/corpus"
	"missionbot/retrieval"
)

// The test binary doubles as a helper process: with helperEnv set, TestMain
// runs the helper named there instead of the tests, so locks are tried
// across real processes, not only goroutines.
const helperEnv = "MISSIONBOT_LIBRARY_HELPER"

func TestMain(m *testing.M) {
	if h := os.Getenv(helperEnv); h != "" {
		if err := runHelper(h, os.Args[len(os.Args)-3:]); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	// The benchmarks' generated corpus (see corpusForBench).
	if benchCorpus.base != "" {
		os.RemoveAll(benchCorpus.base)
	}
	os.Exit(code)
}

// runHelper runs one helper:
//
//	hold  LOCKFILE  -  -      takes the lock, prints "locked", holds it until stdin closes
//	add   CORPUS    DATA N    adds N small documents to CORPUS, indexing into DATA
func runHelper(name string, args []string) error {
	ctx := context.Background()
	switch name {
	case "hold":
		unlock, err := NewFileLock(args[0]).TryLock(ctx)
		if err != nil {
			return err
		}
		defer unlock()
		fmt.Println("locked")
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		return nil
	case "add":
		n, err := strconv.Atoi(args[2])
		if err != nil {
			return err
		}
		l, err := Open(ctx, Options{DataDir: args[1], CorpusDir: args[0], Embedder: retrieval.NewLocalEmbedder(16)})
		if err != nil {
			return err
		}
		for i := range n {
			title := fmt.Sprintf("Report %d from process %d", i, os.Getpid())
			_, err := l.Add(ctx, NewDocument{
				Data: []byte(fmt.Sprintf("Officers patrolled district %d on day %d, a spokesperson for process %d said.", i, i, os.Getpid())),
				Ext:  ".txt", Meta: corpus.Meta{Title: title, Publisher: "Test wire"},
			}, nil)
			if err != nil {
				return fmt.Errorf("add %q: %w", title, err)
			}
		}
		return nil
	}
	return fmt.Errorf("unknown helper %q", name)
}

// helper starts the test binary as helper name with args.
func helper(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	cmd.Env = append(os.Environ(), helperEnv+"="+name)
	return cmd
}

func TestFileLockExcludesGoroutines(t *testing.T) {
	ctx := context.Background()
	l := NewFileLock(filepath.Join(t.TempDir(), LockFileName))
	unlock, err := l.TryLock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.TryLock(ctx); !errors.Is(err, ErrBusy) {
		t.Fatalf("second TryLock = %v, want ErrBusy", err)
	}
	// A second FileLock on the same file is a second descriptor: it must
	// be refused too, as another process would be.
	other := NewFileLock(l.Path())
	if _, err := other.TryLock(ctx); !errors.Is(err, ErrBusy) {
		t.Fatalf("TryLock through another FileLock = %v, want ErrBusy", err)
	}
	waitCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := other.Lock(waitCtx); !errors.Is(err, ErrBusy) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock past its deadline = %v, want ErrBusy and the deadline", err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := other.Lock(ctx)
		if err == nil {
			u()
		}
		got <- err
	}()
	time.Sleep(50 * time.Millisecond)
	unlock()
	unlock() // a second call is a no-op
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("waiting Lock = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Lock did not get the lock once it was released")
	}
}

// TestFileLockHoldsAcrossProcesses: while another process holds the lock,
// this one cannot take it; once that process exits, it can.
func TestFileLockHoldsAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), LockFileName)
	cmd := helper(t, "hold", path, "-", "-")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper did not take the lock: %q, %v", line, err)
	}
	l := NewFileLock(path)
	if _, err := l.TryLock(context.Background()); !errors.Is(err, ErrBusy) {
		t.Fatalf("TryLock while another process holds the lock = %v, want ErrBusy", err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	unlock, err := l.TryLock(context.Background())
	if err != nil {
		t.Fatalf("TryLock after the holder exited = %v", err)
	}
	unlock()
}

// TestConcurrentAddsAcrossProcessesKeepEveryManifestEntry: two processes
// adding documents to one corpus folder at once (each with its own index)
// lose none of each other's manifest entries.
func TestConcurrentAddsAcrossProcessesKeepEveryManifestEntry(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	corpusDir := t.TempDir()
	const perProcess = 15
	var wg sync.WaitGroup
	errs := make([]error, 2)
	outs := make([][]byte, 2)
	for p := range errs {
		cmd := helper(t, "add", corpusDir, t.TempDir(), strconv.Itoa(perProcess))
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[p], errs[p] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	for p, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v\n%s", p, err, outs[p])
		}
	}
	m, err := corpus.ReadManifest(os.DirFS(corpusDir))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Documents) != 2*perProcess {
		t.Errorf("manifest keeps %d entries, want %d", len(m.Documents), 2*perProcess)
	}
	for _, e := range m.Documents {
		if _, err := os.Stat(filepath.Join(corpusDir, e.DocID)); err != nil {
			t.Errorf("manifest entry %s has no file: %v", e.DocID, err)
		}
	}
}
