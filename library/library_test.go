package library

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

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
	l := openTest(t, t.TempDir())
	unlock, err := l.writer.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := l.Refresh(context.Background(), RefreshOptions{}); !errors.Is(err, ErrBusy) {
		t.Errorf("Refresh while a writer runs = %v, want ErrBusy", err)
	}
	if _, err := l.Add(context.Background(), NewDocument{Data: []byte("Text."), Ext: ".txt"}, nil); !errors.Is(err, ErrBusy) {
		t.Errorf("Add while a writer runs = %v, want ErrBusy", err)
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
