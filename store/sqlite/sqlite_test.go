package sqlite

import (
	"context"
	"errors"
	"fmt"
	"missionbot/store"
	"missionbot/store/storetest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBehaviour(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "missionbot.db")
		return func(ctx context.Context) (storetest.Backend, error) { return Open(ctx, path) }
	})
}

// openTestStore opens a fresh store in a temporary directory.
func openTestStore(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "missionbot.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

var t0 = time.Date(2024, 6, 25, 12, 0, 0, 123456789, time.UTC)

func TestOpen(t *testing.T) {
	ctx := context.Background()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	latest := ms[len(ms)-1].Version
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
		wantErr error
	}{
		{name: "fresh", prepare: func(t *testing.T, path string) {}},
		{name: "reopen is idempotent", prepare: func(t *testing.T, path string) {
			for range 2 {
				s, err := Open(ctx, path)
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
			}
		}},
		{name: "version 1 migrates forward", prepare: func(t *testing.T, path string) {
			s, err := open(ctx, path, ms[:1])
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if v, _ := s.version(ctx); v != 1 {
				t.Fatalf("old store at version %d, want 1", v)
			}
			if _, err := s.SaveAnswer(ctx, store.AnswerRecord{Question: "kept?", Answer: "yes", At: t0}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "garbage file", prepare: func(t *testing.T, path string) {
			garbage := make([]byte, 8192)
			for i := range garbage {
				garbage[i] = byte(i*7 + 3)
			}
			os.WriteFile(path, garbage, 0o600)
		}, wantErr: ErrCorrupt},
		{name: "truncated database", prepare: func(t *testing.T, path string) {
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			s.SaveAnswer(ctx, store.AnswerRecord{Question: "q", Answer: "a", At: t0})
			s.Close()
			b, _ := os.ReadFile(path)
			copy(b[:16], "not a database!!")
			os.WriteFile(path, b, 0o600)
		}, wantErr: ErrCorrupt},
		{name: "corrupted bytes inside", prepare: func(t *testing.T, path string) {
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 200 {
				if _, err := s.SaveAnswer(ctx, store.AnswerRecord{Question: fmt.Sprintf("question %d about the mission", i), Answer: strings.Repeat("an answer with some length ", 10), At: t0}); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) < 5*4096 {
				t.Fatalf("database of %d bytes is too small to damage inside", len(b))
			}
			// 300 bytes over the start of a page in the middle of the
			// file: its header is readable, so opening alone succeeds.
			at := (len(b) / 4096 / 2) * 4096
			for i := range 300 {
				b[at+i] = byte(i*31 + 7)
			}
			os.WriteFile(path, b, 0o600)
		}, wantErr: ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "missionbot.db")
			tc.prepare(t, path)
			before, _ := os.ReadFile(path)
			s, err := Open(ctx, path)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				after, _ := os.ReadFile(path)
				if string(before) != string(after) {
					t.Error("OpenSQLite changed the unreadable file")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if v, err := s.version(ctx); err != nil || v != latest {
				t.Errorf("version = %d, %v; want %d", v, err, latest)
			}
			var mode string
			if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
				t.Errorf("journal_mode = %q, %v; want wal", mode, err)
			}
			var n int
			if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n != len(ms) {
				t.Errorf("schema_migrations has %d rows, %v; want %d", n, err, len(ms))
			}
			if tc.name == "version 1 migrates forward" {
				if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM answers WHERE question = 'kept?'").Scan(&n); err != nil || n != 1 {
					t.Errorf("old answer lost: %d, %v", n, err)
				}
			}
		})
	}
}

func TestOpenStoreBadPath(t *testing.T) {
	tests := []struct{ name, path string }{
		{"empty", ""},
		{"query chars", filepath.Join(t.TempDir(), "a?mode=ro")},
		{"missing directory", filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := Open(context.Background(), tc.path); err == nil {
				s.Close()
				t.Fatal("no error")
			}
		})
	}
}

func BenchmarkSaveAnswer(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := store.AnswerRecord{InteractionID: "1", Question: "What is the MSS?", Answer: "A mission [1].", DocIDs: []string{"a", "b"}, At: t0}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.SaveAnswer(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStoreFilesArePrivate: the database holds questions and answers, so
// it is readable by its owner only, like the salt; so are its WAL files.
func TestStoreFilesArePrivate(t *testing.T) {
	s, path := openTestStore(t)
	if _, err := s.SaveAnswer(context.Background(), store.AnswerRecord{Question: "q", Answer: "a", At: t0}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v, want no access for group and others", filepath.Base(p), fi.Mode().Perm())
		}
	}
	// A database created before this rule is tightened when opened.
	old := filepath.Join(t.TempDir(), "old.db")
	if err := os.WriteFile(old, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(context.Background(), old)
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if fi, _ := os.Stat(old); fi.Mode().Perm() != 0o600 {
		t.Errorf("existing database left at mode %v", fi.Mode().Perm())
	}
}
