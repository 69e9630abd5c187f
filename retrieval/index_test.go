package retrieval

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"missionbot/corpus"
	"missionbot/internal/synth"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// ixEmbedder wraps an Embedder for index tests: it counts calls and texts,
// can report another identity, and runs hook before each call (to delay,
// block or fail).
type ixEmbedder struct {
	inner Embedder
	info  EmbedderInfo // when Name is set, reported instead of inner's
	calls atomic.Int64
	texts atomic.Int64
	hook  func(ctx context.Context, call int64) error
}

var _ Embedder = (*ixEmbedder)(nil)

func newIxEmbedder() *ixEmbedder { return &ixEmbedder{inner: NewLocalEmbedder(64)} }

func (e *ixEmbedder) Info() EmbedderInfo {
	if e.info.Name != "" {
		return e.info
	}
	return e.inner.Info()
}

func (e *ixEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	n := e.calls.Add(1)
	if e.hook != nil {
		if err := e.hook(ctx, n); err != nil {
			return nil, err
		}
	}
	e.texts.Add(int64(len(texts)))
	return e.inner.Embed(ctx, texts)
}

func openTestIndex(t *testing.T, dir string, emb Embedder) (*Index, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	ix, err := OpenIndex(context.Background(), dir, emb, IndexOptions{
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatalf("OpenIndex: %v", err)
	}
	return ix, &logs
}

func mustRefresh(t *testing.T, ix *Index, docs []corpus.Document, opts RefreshOptions) RefreshStats {
	t.Helper()
	st, err := ix.Refresh(context.Background(), docs, opts)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	return st
}

// checkConsistent asserts the invariants search relies on.
func checkConsistent(t *testing.T, ix *Index) {
	t.Helper()
	g := ix.current()
	if g == nil {
		t.Fatal("current() is nil")
	}
	if g.coll.Count() != len(g.chunks) || len(g.byID) != len(g.chunks) || len(g.vecs) != len(g.chunks) {
		t.Fatalf("inconsistent generation: coll %d, chunks %d, byID %d, vecs %d",
			g.coll.Count(), len(g.chunks), len(g.byID), len(g.vecs))
	}
	for i, c := range g.chunks {
		if pos, ok := g.find(c.ID); !ok || pos != int32(i) {
			t.Fatalf("find(%s) = %d, %v; want %d", c.ID, pos, ok, i)
		}
		if g.info.Dim > 0 && len(g.vecs[i]) != g.info.Dim {
			t.Fatalf("vector %d has %d dims, info %d", i, len(g.vecs[i]), g.info.Dim)
		}
	}
	st := ix.Stats()
	if st.Chunks != len(g.chunks) || st.Documents != len(ix.Sources()) {
		t.Fatalf("Stats %+v disagree with %d chunks, %d sources", st, len(g.chunks), len(ix.Sources()))
	}
	total := 0
	for _, s := range ix.Sources() {
		total += s.Chunks
	}
	if total != len(g.chunks) {
		t.Fatalf("Sources count %d chunks, index holds %d", total, len(g.chunks))
	}
}

func chunkIDs(docs []corpus.Document) map[string]bool {
	out := map[string]bool{}
	for _, c := range ChunkDocuments(docs) {
		out[c.ID] = true
	}
	return out
}

func TestOpenIndexStates(t *testing.T) {
	docs := synth.Documents(1, 5, 4)
	other := &ixEmbedder{inner: NewLocalEmbedder(64), info: EmbedderInfo{Name: "openai", Model: "text-embedding-3-small", Dim: 64}}
	otherDim := NewLocalEmbedder(32)
	tests := []struct {
		name      string
		prepare   func(t *testing.T, dir string) // builds the dir's state
		emb       Embedder
		wantNeed  string // prefix of the NeedsBuild reason; "" means loaded
		wantReady bool
	}{
		{name: "empty dir", prepare: func(*testing.T, string) {}, emb: newIxEmbedder(), wantNeed: "no index has been built yet"},
		{name: "missing dir is created", prepare: func(t *testing.T, dir string) { _ = os.RemoveAll(dir) }, emb: newIxEmbedder(), wantNeed: "no index has been built yet"},
		{name: "valid snapshot", prepare: buildIn(docs), emb: newIxEmbedder(), wantReady: true},
		{name: "other model", prepare: buildIn(docs), emb: other, wantNeed: "embedder changed: the index was built with local/" + localModel + " (64 dims), the configured embedder is openai/text-embedding-3-small (64 dims)"},
		{name: "other dim", prepare: buildIn(docs), emb: otherDim, wantNeed: "embedder changed"},
		{name: "truncated snapshot", prepare: func(t *testing.T, dir string) {
			buildIn(docs)(t, dir)
			p := filepath.Join(dir, snapshotName)
			fi, _ := os.Stat(p)
			if err := os.Truncate(p, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, emb: newIxEmbedder(), wantNeed: "snapshot unreadable: snapshot corrupt: end marker missing"},
		{name: "garbage snapshot", prepare: func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, snapshotName), []byte("hello"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, emb: newIxEmbedder(), wantNeed: "snapshot unreadable: snapshot corrupt: file is only 5 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			tc.prepare(t, dir)
			ix, logs := openTestIndex(t, dir, tc.emb)
			need, reason := ix.NeedsBuild()
			if need != (tc.wantNeed != "") || !strings.HasPrefix(reason, tc.wantNeed) {
				t.Errorf("NeedsBuild = %v, %q; want prefix %q", need, reason, tc.wantNeed)
			}
			if ix.Ready() != tc.wantReady {
				t.Errorf("Ready = %v, want %v", ix.Ready(), tc.wantReady)
			}
			if strings.HasPrefix(tc.wantNeed, "snapshot unreadable") && !strings.Contains(logs.String(), "level=WARN") {
				t.Errorf("no warning logged for an unreadable snapshot: %s", logs.String())
			}
			checkConsistent(t, ix)
			if tc.wantReady {
				if ix.Stats().Chunks != len(ChunkDocuments(docs)) || ix.Stats().RefreshedAt.IsZero() {
					t.Errorf("loaded Stats = %+v", ix.Stats())
				}
				return
			}
			// Whatever was wrong, the next refresh rebuilds and clears it.
			st := mustRefresh(t, ix, docs, RefreshOptions{})
			if !st.Rebuilt || st.RebuildReason != reason {
				t.Errorf("refresh Rebuilt = %v, reason %q; want the NeedsBuild reason %q", st.Rebuilt, st.RebuildReason, reason)
			}
			if need, _ := ix.NeedsBuild(); need || !ix.Ready() {
				t.Errorf("after refresh NeedsBuild = %v, Ready = %v", need, ix.Ready())
			}
			if ix.Stats().Embedder != tc.emb.Info() {
				t.Errorf("index embedder %+v, want %+v", ix.Stats().Embedder, tc.emb.Info())
			}
			checkConsistent(t, ix)
		})
	}
}

// buildIn returns a prepare step that refreshes docs into dir with the
// default test embedder.
func buildIn(docs []corpus.Document) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		ix, _ := openTestIndex(t, dir, newIxEmbedder())
		mustRefresh(t, ix, docs, RefreshOptions{})
	}
}

func TestOpenIndexErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		dir  string
		emb  Embedder
	}{
		{name: "no embedder", ctx: context.Background(), dir: t.TempDir()},
		{name: "no dir", ctx: context.Background(), emb: newIxEmbedder()},
		{name: "dir is a file", ctx: context.Background(), dir: filepath.Join(file, "sub"), emb: newIxEmbedder()},
		{name: "cancelled", ctx: cancelled, dir: t.TempDir(), emb: newIxEmbedder()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := OpenIndex(tc.ctx, tc.dir, tc.emb, IndexOptions{}); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	docs := synth.Documents(2, 6, 5)
	docs[0].Author = "Jane Doe"
	docs[1].Title = "Kényan police in Port-au-Prince — «MSS»"
	ix, _ := openTestIndex(t, dir, newIxEmbedder())
	mustRefresh(t, ix, docs, RefreshOptions{})
	want := ix.current()

	emb := newIxEmbedder()
	re, _ := openTestIndex(t, dir, emb)
	got := re.current()
	if len(got.chunks) != len(want.chunks) {
		t.Fatalf("reopened %d chunks, want %d", len(got.chunks), len(want.chunks))
	}
	for i := range want.chunks {
		if !sameChunk(got.chunks[i], want.chunks[i]) || !vecsClose(got.vecs[i], want.vecs[i]) {
			t.Fatalf("chunk %d differs after reopening", i)
		}
	}
	if got.info != want.info || !got.builtAt.Equal(want.builtAt) || got.took != want.took {
		t.Errorf("reopened info %+v at %v took %v; want %+v at %v took %v", got.info, got.builtAt, got.took, want.info, want.builtAt, want.took)
	}
	if fmt.Sprint(re.Sources()) != fmt.Sprint(ix.Sources()) {
		t.Errorf("Sources differ after reopening")
	}
	// Nothing changed: no embedding, no write.
	fi1, _ := os.Stat(filepath.Join(dir, snapshotName))
	st := mustRefresh(t, re, docs, RefreshOptions{})
	fi2, _ := os.Stat(filepath.Join(dir, snapshotName))
	if emb.calls.Load() != 0 || st.ChunksEmbedded != 0 || st.Rebuilt {
		t.Errorf("unchanged refresh after reopen: %d embed calls, stats %+v", emb.calls.Load(), st)
	}
	if !fi1.ModTime().Equal(fi2.ModTime()) {
		t.Error("unchanged refresh rewrote the snapshot")
	}
	checkConsistent(t, re)
}

func TestSourcesAndStats(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tick := now
	ix, err := OpenIndex(context.Background(), t.TempDir(), newIxEmbedder(), IndexOptions{
		Now: func() time.Time { tick = tick.Add(time.Second); return tick },
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := ix.Stats(); st.Chunks != 0 || st.Documents != 0 || !st.RefreshedAt.IsZero() {
		t.Errorf("Stats before any build = %+v", st)
	}
	docs := []corpus.Document{
		{Meta: corpus.Meta{DocID: "b.txt", Title: "B"}, Text: "Kenyan police arrived in Haiti.\n\nThey patrolled the capital."},
		{Meta: corpus.Meta{DocID: "a.txt", Title: "A"}, Text: "The council approved the mission."},
		{Meta: corpus.Meta{DocID: "c.txt", Title: "C"}, Text: "   "},
	}
	mustRefresh(t, ix, docs, RefreshOptions{})
	src := ix.Sources()
	if len(src) != 2 || src[0].DocID != "a.txt" || src[1].DocID != "b.txt" || src[0].Title != "A" {
		t.Fatalf("Sources = %+v; want a.txt then b.txt, without the empty c.txt", src)
	}
	if src[0].Chunks+src[1].Chunks != ix.Stats().Chunks {
		t.Errorf("Sources chunk counts %+v do not add up to %d", src, ix.Stats().Chunks)
	}
	src[0].Title = "mutated"
	if ix.Sources()[0].Title != "A" {
		t.Error("Sources returned the index's own slice")
	}
	st := ix.Stats()
	if st.Documents != 2 || st.RefreshedAt.IsZero() || st.RefreshDuration <= 0 || st.Embedder.Name != "local" {
		t.Errorf("Stats = %+v", st)
	}
}
