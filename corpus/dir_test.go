package corpus

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"report.txt", true},
		{"Report.PDF", true},
		{"notes.md", true},
		{"page.htm", true},
		{"page.html", true},
		{"", false},
		{".hidden.txt", false},
		{"../evil.txt", false},
		{"sub/doc.txt", false},
		{`sub\doc.txt`, false},
		{"doc.exe", false},
		{"doc", false},
		{"manifest.json", false},
		{"bad\x00name.txt", false},
		{strings.Repeat("a", 300) + ".txt", false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.name), func(t *testing.T) {
			err := ValidateName(tc.name)
			if (err == nil) != tc.ok {
				t.Fatalf("ValidateName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidName) {
				t.Fatalf("error does not wrap ErrInvalidName: %v", err)
			}
		})
	}
}

func TestDirAddRemove(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	entry := Meta{Title: "Ruto visits", Publisher: "Example News", Published: "2024-05-23"}
	if err := d.Add(ctx, "ruto.txt", []byte("Ruto visited.\n"), entry); err != nil {
		t.Fatalf("Add: %v", err)
	}
	if err := d.Add(ctx, "plain.md", []byte("# Plain\n"), Meta{}); err != nil {
		t.Fatalf("Add without metadata: %v", err)
	}

	steps := []struct {
		name  string
		run   func() error
		check func(t *testing.T, err error)
	}{
		{"add existing refuses", func() error { return d.Add(ctx, "ruto.txt", []byte("other"), Meta{}) }, wantErrIs(ErrExists)},
		{"add bad name", func() error { return d.Add(ctx, "../x.txt", []byte("x"), Meta{}) }, wantErrIs(ErrInvalidName)},
		{"add bad date", func() error { return d.Add(ctx, "x.txt", []byte("x"), Meta{Published: "May 5"}) }, wantErrIs(ErrInvalidManifest)},
		{"add empty", func() error { return d.Add(ctx, "x.txt", nil, Meta{}) }, wantErrContains("empty content")},
		{"remove missing", func() error { return d.Remove(ctx, "missing.txt") }, wantErrIs(ErrNotFound)},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { s.check(t, s.run()) })
	}

	data, err := fs.ReadFile(d.FS(), "ruto.txt")
	if err != nil || string(data) != "Ruto visited.\n" {
		t.Fatalf("content after refused overwrite = %q, %v", data, err)
	}
	m, err := ReadManifest(d.FS())
	if err != nil {
		t.Fatal(err)
	}
	got, ok := m.Lookup("ruto.txt")
	if !ok || got.Title != "Ruto visits" || got.DocID != "ruto.txt" {
		t.Fatalf("manifest entry = %+v, %v", got, ok)
	}
	if _, ok := m.Lookup("plain.md"); ok {
		t.Error("document without metadata got a manifest entry")
	}
	entries, err := d.Entries()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].DocID != "plain.md" || entries[1].Title != "Ruto visits" {
		t.Fatalf("Entries = %+v", entries)
	}

	if err := d.Remove(ctx, "ruto.txt"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "ruto.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("file still there after Remove: %v", err)
	}
	m, _ = ReadManifest(d.FS())
	if _, ok := m.Lookup("ruto.txt"); ok {
		t.Error("manifest entry still there after Remove")
	}
	leftovers, _ := filepath.Glob(filepath.Join(root, ".*.tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestDirConcurrentAdd(t *testing.T) {
	ctx := context.Background()
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			name := fmt.Sprintf("doc%02d.txt", i%10) // each name added twice
			errs[i] = d.Add(ctx, name, []byte("text"), Meta{Title: name})
		})
	}
	wg.Wait()
	exists := 0
	for _, err := range errs {
		switch {
		case errors.Is(err, ErrExists):
			exists++
		case err != nil:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if exists != 10 {
		t.Fatalf("%d adds refused as existing, want 10", exists)
	}
	m, err := ReadManifest(d.FS())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Documents) != 10 {
		t.Fatalf("manifest has %d entries, want 10 (lost update?)", len(m.Documents))
	}
}

func TestOpenDirNotADirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDir(file); err == nil {
		t.Fatal("OpenDir on a file succeeded")
	}
}

// TestOpenDirMissing: a mistyped corpus folder is an error naming it,
// and the folder is not created (an empty folder would empty the index).
func TestOpenDirMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-corpus")
	_, err := OpenDir(missing)
	if err == nil {
		t.Fatal("OpenDir on a missing folder succeeded")
	}
	if !errors.Is(err, ErrNoCorpusDir) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want ErrNoCorpusDir wrapping fs.ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), missing) {
		t.Errorf("err = %q does not name the folder %s", err, missing)
	}
	if _, statErr := os.Stat(missing); !errors.Is(statErr, fs.ErrNotExist) {
		t.Errorf("OpenDir created the missing folder (stat: %v)", statErr)
	}
}

func TestDirCanceledContext(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Add(ctx, "a.txt", []byte("x"), Meta{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Add with canceled context = %v", err)
	}
}

func wantErrIs(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Fatalf("err = %v, want %v", err, target)
		}
	}
}

func wantErrContains(s string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Fatalf("err = %v, want one containing %q", err, s)
		}
	}
}
