package bot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"missionbot/answer"
	"missionbot/retrieval"
)

// openTestStore opens a fresh store in a temporary directory.
func openTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "missionbot.db")
	s, err := OpenStore(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

var t0 = time.Date(2024, 6, 25, 12, 0, 0, 123456789, time.UTC)

func TestOpenStore(t *testing.T) {
	ctx := context.Background()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	latest := ms[len(ms)-1].version
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
		wantErr error
	}{
		{name: "fresh", prepare: func(t *testing.T, path string) {}},
		{name: "reopen is idempotent", prepare: func(t *testing.T, path string) {
			for range 2 {
				s, err := OpenStore(ctx, path)
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
			}
		}},
		{name: "version 1 migrates forward", prepare: func(t *testing.T, path string) {
			s, err := openStore(ctx, path, ms[:1])
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if v, _ := s.version(ctx); v != 1 {
				t.Fatalf("old store at version %d, want 1", v)
			}
			if _, err := s.SaveAnswer(ctx, AnswerRecord{Question: "kept?", Answer: "yes", At: t0}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "garbage file", prepare: func(t *testing.T, path string) {
			garbage := make([]byte, 8192)
			for i := range garbage {
				garbage[i] = byte(i*7 + 3)
			}
			os.WriteFile(path, garbage, 0o600)
		}, wantErr: ErrCorruptStore},
		{name: "truncated database", prepare: func(t *testing.T, path string) {
			s, err := OpenStore(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			s.SaveAnswer(ctx, AnswerRecord{Question: "q", Answer: "a", At: t0})
			s.Close()
			b, _ := os.ReadFile(path)
			copy(b[:16], "not a database!!")
			os.WriteFile(path, b, 0o600)
		}, wantErr: ErrCorruptStore},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "missionbot.db")
			tc.prepare(t, path)
			before, _ := os.ReadFile(path)
			s, err := OpenStore(ctx, path)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				after, _ := os.ReadFile(path)
				if string(before) != string(after) {
					t.Error("OpenStore changed the unreadable file")
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
			if s, err := OpenStore(context.Background(), tc.path); err == nil {
				s.Close()
				t.Fatal("no error")
			}
		})
	}
}

func TestVotes(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	a1, err := s.SaveAnswer(ctx, AnswerRecord{InteractionID: "i1", Question: "q1", Answer: "a1", DocIDs: []string{"d1"}, Mode: "llm", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := s.SaveAnswer(ctx, AnswerRecord{Question: "q2", Answer: "a2", At: t0})
	a3, _ := s.SaveAnswer(ctx, AnswerRecord{Question: "q3", Answer: "a3", Refused: true, At: t0})
	alice, bob := HashUser("salt", "111"), HashUser("salt", "222")
	steps := []struct {
		id   int64
		user string
		up   bool
		at   time.Duration
	}{
		{a1, alice, true, 1}, {a1, alice, false, 2}, // changed mind: one vote, down
		{a1, bob, true, 3},
		{a2, alice, false, 4},
		{a3, bob, false, 5}, {a3, bob, false, 6}, // repeated: still one
	}
	for _, st := range steps {
		if err := s.Vote(ctx, st.id, st.user, st.up, t0.Add(st.at*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Feedback(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := FeedbackSummary{Up: 1, Down: 3, RecentDown: []FeedbackItem{
		{Question: "q3", Answer: "a3", At: t0.Add(6 * time.Minute)},
		{Question: "q2", Answer: "a2", At: t0.Add(4 * time.Minute)},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Feedback = %+v\nwant %+v", got, want)
	}
	if err := s.Vote(ctx, 9999, alice, true, t0); !errors.Is(err, ErrUnknownAnswer) {
		t.Errorf("vote on unknown answer: err = %v, want ErrUnknownAnswer", err)
	}
	if err := s.Vote(ctx, a1, "", true, t0); err == nil {
		t.Error("vote with empty user hash accepted")
	}
	empty, _ := openTestStore(t)
	if got, err := empty.Feedback(ctx, 5); err != nil || got.Up != 0 || got.Down != 0 || len(got.RecentDown) != 0 {
		t.Errorf("empty Feedback = %+v, %v", got, err)
	}
}

func TestHashUser(t *testing.T) {
	h := HashUser("pepper", "123456789")
	if len(h) != 64 || h == HashUser("other", "123456789") || h != HashUser("pepper", "123456789") {
		t.Errorf("HashUser = %q: want stable 64 hex digits that depend on the salt", h)
	}
}

func TestConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	s, _ := openTestStore(t)
	const workers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := HashUser("s", fmt.Sprint(w))
			for i := range each {
				id, err := s.SaveAnswer(ctx, AnswerRecord{Question: fmt.Sprint(w, i), Answer: "a", At: t0})
				if err != nil {
					errs <- err
					continue
				}
				if err := s.Vote(ctx, id, user, i%2 == 0, t0); err != nil {
					errs <- err
				}
				if err := s.AppendTurn(ctx, "shared-thread", answer.Turn{Question: "q", Answer: "a"}, t0); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	sum, err := s.Feedback(ctx, 0)
	if err != nil || sum.Up+sum.Down != workers*each {
		t.Errorf("Feedback = %+v, %v; want %d votes", sum, err, workers*each)
	}
	h, err := s.History(ctx, "shared-thread", 1000)
	if err != nil || len(h) != workers*each {
		t.Errorf("History has %d turns, %v; want %d", len(h), err, workers*each)
	}
}

func turn(q, a string) answer.Turn { return answer.Turn{Question: q, Answer: a} }

func TestHistory(t *testing.T) {
	ctx := context.Background()
	s, path := openTestStore(t)
	for i := 1; i <= 5; i++ {
		if err := s.AppendTurn(ctx, "t1", answer.Turn{Question: fmt.Sprint("q", i), Answer: fmt.Sprint("a", i)}, t0); err != nil {
			t.Fatal(err)
		}
	}
	s.AppendTurn(ctx, "t2", answer.Turn{Question: "other", Answer: "x"}, t0)
	if err := s.AppendTurn(ctx, "", answer.Turn{}, t0); err == nil {
		t.Error("empty thread id accepted")
	}
	s.Close()
	s, err := OpenStore(ctx, path) // history survives a restart
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		name, thread string
		max          int
		want         []answer.Turn
	}{
		{"last three oldest first", "t1", 3, []answer.Turn{turn("q3", "a3"), turn("q4", "a4"), turn("q5", "a5")}},
		{"more than there are", "t1", 10, []answer.Turn{turn("q1", "a1"), turn("q2", "a2"), turn("q3", "a3"), turn("q4", "a4"), turn("q5", "a5")}},
		{"other thread", "t2", 10, []answer.Turn{turn("other", "x")}},
		{"unknown thread", "t3", 10, nil},
		{"zero max", "t1", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.History(ctx, tc.thread, tc.max)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("History = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRefreshLog(t *testing.T) {
	ctx := context.Background()
	s, path := openTestStore(t)
	if _, ok, err := s.LastRefresh(ctx); ok || err != nil {
		t.Fatalf("LastRefresh on empty store = %v, %v", ok, err)
	}
	older := RefreshRecord{At: t0, Stats: retrieval.RefreshStats{DocsAdded: 1}}
	newer := RefreshRecord{
		At: t0.Add(time.Hour),
		Stats: retrieval.RefreshStats{DocsAdded: 2, DocsUpdated: 3, DocsRemoved: 4, ChunksEmbedded: 50, ChunksTotal: 600,
			Rebuilt: true, RebuildReason: "embedder changed", Duration: 1500 * time.Millisecond, Warnings: []string{"bad.pdf: no text"}},
		Err: "partial", By: HashUser("s", "42"),
	}
	for _, r := range []RefreshRecord{newer, older} { // recorded out of order
		if err := s.RecordRefresh(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s, err := OpenStore(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, ok, err := s.LastRefresh(ctx)
	if err != nil || !ok {
		t.Fatalf("LastRefresh = %v, %v", ok, err)
	}
	if !reflect.DeepEqual(got, newer) {
		t.Errorf("LastRefresh = %+v\nwant %+v", got, newer)
	}
}

func BenchmarkSaveAnswer(b *testing.B) {
	ctx := context.Background()
	s, err := OpenStore(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := AnswerRecord{InteractionID: "1", Question: "What is the MSS?", Answer: "A mission [1].", DocIDs: []string{"a", "b"}, At: t0}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.SaveAnswer(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
