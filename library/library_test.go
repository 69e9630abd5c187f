package library

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"missionbot/corpus"
	"missionbot/retrieval"
)

func openTest(t *testing.T, corpusDir string) *Library {
	t.Helper()
	l, err := Open(context.Background(), Options{DataDir: t.TempDir(), CorpusDir: corpusDir, Embedder: retrieval.NewLocalEmbedder(64)})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestBuiltInCorpusIsReadOnly(t *testing.T) {
	l := openTest(t, "")
	if l.Writable() {
		t.Fatal("built-in corpus reported writable")
	}
	if _, err := l.Add(context.Background(), NewDocument{Data: []byte("x"), Ext: ".txt"}, nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Add = %v, want ErrReadOnly", err)
	}
	if _, err := l.Remove(context.Background(), "000_58ba5e55d69f6e30.txt", nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Remove = %v, want ErrReadOnly", err)
	}
	_, built, err := l.EnsureBuilt(context.Background(), nil)
	if err != nil || !built || len(l.Sources()) != 5 {
		t.Fatalf("EnsureBuilt = %v, %v with %d sources; want the five built-in documents", built, err, len(l.Sources()))
	}
}

func TestAddLoadsBeforeSaving(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openTest(t, dir)
	tests := []struct {
		name    string
		doc     NewDocument
		wantErr bool
		title   string
	}{
		{name: "binary refused", doc: NewDocument{Data: []byte("\x00\x01\x02 not text"), Ext: ".txt", Name: "blob"}, wantErr: true},
		{name: "empty after cleaning refused", doc: NewDocument{Data: []byte("<html><body><nav>Home</nav></body></html>"), Ext: ".html", Name: "menu"}, wantErr: true},
		{name: "title from the page", doc: NewDocument{
			Data: []byte("<html><head><title>Kenyan police land in Haiti</title></head><body><article><p>The first contingent of Kenyan police officers arrived in Port-au-Prince on Tuesday, officials said.</p></article></body></html>"),
			Ext:  ".html", Name: "article-123"}, title: "Kenyan police land in Haiti"},
		{name: "moderator's title wins", doc: NewDocument{
			Data: []byte("Benin pledged to send about 2,000 troops to the multinational mission in Haiti, its government said on Friday."),
			Ext:  ".txt", Name: "benin", Meta: corpus.Meta{Title: "Benin offers troops", Publisher: "Wire"}}, title: "Benin offers troops"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadDir(dir)
			added, err := l.Add(ctx, tc.doc, nil)
			after, _ := os.ReadDir(dir)
			if tc.wantErr {
				if err == nil {
					t.Fatal("Add accepted a document that cannot be loaded")
				}
				if len(after) != len(before) {
					t.Errorf("a refused document changed the folder: %d files before, %d after", len(before), len(after))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if added.Meta.Title != tc.title {
				t.Errorf("title %q, want %q", added.Meta.Title, tc.title)
			}
			if _, err := os.Stat(filepath.Join(dir, added.Meta.DocID)); err != nil {
				t.Errorf("saved file: %v", err)
			}
			found := false
			for _, s := range l.Sources() {
				found = found || s.DocID == added.Meta.DocID
			}
			if !found {
				t.Errorf("%s is not in the index after Add", added.Meta.DocID)
			}
		})
	}
	docID := "benin-offers-troops.txt"
	if _, err := l.Remove(ctx, docID, nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range l.Sources() {
		if s.DocID == docID {
			t.Errorf("%s still indexed after Remove", docID)
		}
	}
	if _, err := l.Remove(ctx, docID, nil); !errors.Is(err, corpus.ErrNotFound) {
		t.Errorf("second Remove = %v, want ErrNotFound", err)
	}
}

func TestOneWriterAtATime(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l := openTest(t, dir)
	unlock, err := l.writer.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Refresh(ctx, RefreshOptions{}); !errors.Is(err, ErrBusy) {
		t.Errorf("Refresh while a writer runs = %v, want ErrBusy", err)
	}
	// A corpus change waits its turn rather than being refused: two
	// moderators (on one replica or two) adding at once both succeed.
	doc := NewDocument{Data: []byte("Officers waited for the other change to finish."), Ext: ".txt", Meta: corpus.Meta{Title: "Waiting report"}}
	done := make(chan error, 1)
	var added Added
	go func() {
		var err error
		added, err = l.Add(ctx, doc, nil)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Add returned while another writer held the lock: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	unlock()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Add after the other writer finished: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Add still waiting after the other writer finished")
	}
	// One that gives up waiting writes nothing.
	unlock, err = l.writer.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	late := NewDocument{Data: []byte("Late report\n\nNever written."), Ext: ".txt"}
	if _, err := l.Add(short, late, nil); !errors.Is(err, ErrBusy) {
		t.Errorf("Add that stops waiting = %v, want ErrBusy", err)
	}
	if _, err := l.Remove(short, added.Meta.DocID, nil); !errors.Is(err, ErrBusy) {
		t.Errorf("Remove that stops waiting = %v, want ErrBusy", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != FolderLockName {
			names = append(names, e.Name())
		}
	}
	if len(names) != 2 || !strings.Contains(strings.Join(names, " "), added.Meta.DocID) {
		t.Errorf("corpus folder holds %v, want the waiting document and the manifest only", names)
	}
}

// TestEnsureBuiltWaitsForAnotherBuilder: two processes starting together
// on one data directory (replicas on a new volume) both come up: the one
// that finds the lock taken waits, then serves what the other built,
// instead of failing with ErrBusy.
func TestEnsureBuiltWaitsForAnotherBuilder(t *testing.T) {
	ctx := context.Background()
	dataDir, corpusDir := t.TempDir(), t.TempDir()
	if err := os.CopyFS(corpusDir, corpus.Embedded()); err != nil {
		t.Fatal(err)
	}
	shared := newProcessLock() // one lock, as a database lock is for two processes
	open := func() *Library {
		l, err := Open(ctx, Options{DataDir: dataDir, CorpusDir: corpusDir, Embedder: retrieval.NewLocalEmbedder(64), Locker: shared})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	first, second := open(), open()
	unlock, err := shared.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		built bool
		err   error
	}
	done := make(chan result, 1)
	go func() {
		_, built, err := second.EnsureBuilt(ctx, nil)
		done <- result{built, err}
	}()
	if _, err := first.refresh(ctx, RefreshOptions{}); err != nil { // the first builds, holding the lock
		t.Fatal(err)
	}
	select {
	case r := <-done:
		t.Fatalf("EnsureBuilt returned while the other builder held the lock: %+v", r)
	case <-time.After(100 * time.Millisecond):
	}
	unlock()
	r := <-done
	if r.err != nil || r.built {
		t.Fatalf("EnsureBuilt = built %v, %v; want the other's index used, without building", r.built, r.err)
	}
	if need, why := second.NeedsBuild(); need || !second.Ready() {
		t.Errorf("second library needs a build (%s) or is not ready", why)
	}
}

func TestDocumentsListsFilesThatFailedToIndex(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken.pdf"), []byte("%PDF-1.4 not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "good.txt"), []byte("Benin pledged 2,000 troops to the mission, officials said."), 0o644); err != nil {
		t.Fatal(err)
	}
	l := openTest(t, dir)
	if _, err := l.Refresh(context.Background(), RefreshOptions{}); err != nil {
		t.Fatal(err)
	}
	docs, err := l.Documents()
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].DocID != "broken.pdf" || len(l.Sources()) != 1 {
		t.Fatalf("Documents = %+v with %d indexed; want both files, one indexed", docs, len(l.Sources()))
	}
	if _, err := l.Remove(context.Background(), "broken.pdf", nil); err != nil {
		t.Fatalf("removing a file that failed to index: %v", err)
	}
	if _, err := openTest(t, "").Documents(); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Documents of the built-in corpus = %v, want ErrReadOnly", err)
	}
}
