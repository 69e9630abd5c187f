package library

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"missionbot/retrieval"
)

// snapshotFiles returns the contents of every file in the index
// directory, by name.
func snapshotFiles(t *testing.T, dataDir string) map[string][]byte {
	t.Helper()
	des, err := os.ReadDir(filepath.Join(dataDir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, de := range des {
		b, err := os.ReadFile(filepath.Join(dataDir, "index", de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[de.Name()] = b
	}
	return out
}

func sameFiles(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestEnsureReadableNeverReplacesTheSnapshot(t *testing.T) {
	ctx := context.Background()
	build := func(t *testing.T) string {
		dataDir := t.TempDir()
		l, err := Open(ctx, Options{DataDir: dataDir, Embedder: retrieval.NewLocalEmbedder(64)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Refresh(ctx, RefreshOptions{}); err != nil {
			t.Fatal(err)
		}
		return dataDir
	}
	t.Run("other embedder settings", func(t *testing.T) {
		dataDir := build(t)
		before := snapshotFiles(t, dataDir)
		l, err := Open(ctx, Options{DataDir: dataDir, Embedder: retrieval.NewLocalEmbedder(32)})
		if err != nil {
			t.Fatal(err)
		}
		_, built, err := l.EnsureReadable(ctx, ReadOptions{})
		if !errors.Is(err, ErrEmbedderMismatch) || built {
			t.Fatalf("EnsureReadable = %v (built %v), want ErrEmbedderMismatch", err, built)
		}
		if !strings.Contains(err.Error(), "64 dims") || !strings.Contains(err.Error(), "32 dims") {
			t.Errorf("error does not name both embedders: %v", err)
		}
		if !sameFiles(before, snapshotFiles(t, dataDir)) {
			t.Error("the snapshot changed")
		}
	})
	t.Run("damaged snapshot", func(t *testing.T) {
		dataDir := build(t)
		path := filepath.Join(dataDir, "index", "index.snapshot")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data[:len(data)/2], 0o644); err != nil {
			t.Fatal(err)
		}
		before := snapshotFiles(t, dataDir)
		l, err := Open(ctx, Options{DataDir: dataDir, Embedder: retrieval.NewLocalEmbedder(64)})
		if err != nil {
			t.Fatal(err)
		}
		var kept []bool
		_, built, err := l.EnsureReadable(ctx, ReadOptions{Building: func(_ string, k bool) { kept = append(kept, k) }})
		if err != nil || !built {
			t.Fatalf("EnsureReadable = %v (built %v), want an index built in memory", err, built)
		}
		if len(kept) != 1 || kept[0] {
			t.Errorf("Building told kept=%v, want one call saying the index is not kept", kept)
		}
		if len(l.Sources()) != 5 || !l.Ready() {
			t.Errorf("the index built in memory has %d sources", len(l.Sources()))
		}
		if !sameFiles(before, snapshotFiles(t, dataDir)) {
			t.Error("the damaged snapshot was replaced by a read-only command")
		}
	})
	t.Run("no index yet", func(t *testing.T) {
		dataDir := t.TempDir()
		l, err := Open(ctx, Options{DataDir: dataDir, Embedder: retrieval.NewLocalEmbedder(64)})
		if err != nil {
			t.Fatal(err)
		}
		var kept []bool
		_, built, err := l.EnsureReadable(ctx, ReadOptions{Building: func(_ string, k bool) { kept = append(kept, k) }})
		if err != nil || !built || len(kept) != 1 || !kept[0] {
			t.Fatalf("EnsureReadable = %v (built %v, kept %v), want a kept build", err, built, kept)
		}
		again, err := Open(ctx, Options{DataDir: dataDir, Embedder: retrieval.NewLocalEmbedder(64)})
		if err != nil {
			t.Fatal(err)
		}
		if need, why := again.NeedsBuild(); need {
			t.Errorf("the first build was not kept: %s", why)
		}
	})
}

// TestEnsureReadableWaitsForAWriter: with no index yet and another writer
// building one, a read waits for it and uses what it wrote.
func TestEnsureReadableWaitsForAWriter(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	writer, err := Open(ctx, Options{DataDir: dataDir, Embedder: retrieval.NewLocalEmbedder(64)})
	if err != nil {
		t.Fatal(err)
	}
	reader, err := Open(ctx, Options{DataDir: dataDir, Embedder: retrieval.NewLocalEmbedder(64)})
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := writer.writer.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan struct{})
	done := make(chan error, 1)
	built := false
	go func() {
		var err error
		_, built, err = reader.EnsureReadable(ctx, ReadOptions{OnWait: func() { close(waiting) }})
		done <- err
	}()
	<-waiting
	if _, err := writer.refresh(ctx, RefreshOptions{}); err != nil {
		t.Fatal(err)
	}
	unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if built || len(reader.Sources()) != 5 {
		t.Errorf("reader built %v with %d sources; want the writer's index, not a second build", built, len(reader.Sources()))
	}
}

// TestRefreshAfterAnotherProcessStartsFromItsSnapshot: a refresh that
// waited for another writer builds on that writer's snapshot, so a
// document that writer added is kept.
func TestRefreshAfterAnotherWriterKeepsItsDocuments(t *testing.T) {
	ctx := context.Background()
	dataDir, corpusDir := t.TempDir(), t.TempDir()
	open := func() *Library {
		l, err := Open(ctx, Options{DataDir: dataDir, CorpusDir: corpusDir, Embedder: retrieval.NewLocalEmbedder(64)})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	first, second := open(), open()
	if err := os.WriteFile(filepath.Join(corpusDir, "a.txt"), []byte("Benin pledged 2,000 troops to the mission, officials said."), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Refresh(ctx, RefreshOptions{}); err != nil {
		t.Fatal(err)
	}
	stats, err := second.Refresh(ctx, RefreshOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if stats.DocsAdded != 0 || stats.Rebuilt || len(second.Sources()) != 1 {
		t.Errorf("second refresh: %+v with %d sources; want it to start from the first one's snapshot", stats, len(second.Sources()))
	}
}

func TestRefreshWaitsWhenAsked(t *testing.T) {
	ctx := context.Background()
	l := openTest(t, t.TempDir())
	unlock, err := l.writer.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := l.Refresh(ctx, RefreshOptions{OnWait: func() { close(waited) }})
		done <- err
	}()
	<-waited
	unlock()
	if err := <-done; err != nil {
		t.Fatalf("Refresh after waiting = %v", err)
	}
}
