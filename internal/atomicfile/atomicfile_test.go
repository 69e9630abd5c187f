package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWriteFileReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "manifest.json")
	for _, content := range []string{"first", "second"} {
		if err := WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("content %q, %v; want %q", got, err, content)
		}
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	assertNoTemps(t, filepath.Dir(path))
}

func TestWriteNewNeverOverwrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.txt")
	if err := WriteNew(path, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteNew(path, []byte("two"), 0o644); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second WriteNew = %v, want fs.ErrExist", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "one" {
		t.Errorf("content %q after a refused overwrite, want %q", got, "one")
	}
	assertNoTemps(t, filepath.Dir(path))
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "index.snapshot")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(path, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half a new snap"))
	f.Abort()
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("an aborted write changed the file to %q", got)
	}
	assertNoTemps(t, dir)
	if err := f.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "index.snapshot")
	now := time.Now()
	old := filepath.Join(dir, tempPrefix("index.snapshot")+"old")
	fresh := filepath.Join(dir, tempPrefix("index.snapshot")+"fresh")
	other := filepath.Join(dir, tempPrefix("manifest.json")+"old")
	for _, p := range []string{old, fresh, other} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if p != fresh {
			os.Chtimes(p, now.Add(-2*time.Hour), now.Add(-2*time.Hour))
		}
	}
	removed := RemoveStale(path, time.Hour, now)
	if len(removed) != 1 || removed[0] != old {
		t.Errorf("removed %v, want only %s", removed, old)
	}
	for _, p := range []string{fresh, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
