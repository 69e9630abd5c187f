package retrieval

import (
	"context"
	"errors"
	"missionbot/corpus"
	"missionbot/internal/synth"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRefreshIncremental(t *testing.T) {
	base := synth.Documents(3, 6, 4)
	clone := func() []corpus.Document { return slices.Clone(base) }
	tests := []struct {
		name                    string
		change                  func([]corpus.Document) []corpus.Document
		opts                    RefreshOptions
		added, updated, removed int
		rebuilt                 bool
		wantReason              string
		wantTitle               string // title of doc 0 afterwards, when set
		wantNoWrite             bool
	}{
		{name: "nothing changed", change: func(d []corpus.Document) []corpus.Document { return d }, wantNoWrite: true},
		{name: "doc added", change: func(d []corpus.Document) []corpus.Document { return append(d, synth.Documents(99, 1, 3)[0]) }, added: 1},
		{name: "doc removed", change: func(d []corpus.Document) []corpus.Document { return d[1:] }, removed: 1},
		{name: "paragraph edited", change: func(d []corpus.Document) []corpus.Document {
			d[2].Text = strings.Replace(d[2].Text, "\n\n", "\n\nThe Kenyan contingent landed in Port-au-Prince on Tuesday.\n\n", 1)
			return d
		}, updated: 1},
		{name: "metadata only", change: func(d []corpus.Document) []corpus.Document {
			d[0].Title = "A corrected title"
			return d
		}, updated: 1, wantTitle: "A corrected title"},
		{name: "added, updated and removed", change: func(d []corpus.Document) []corpus.Document {
			d[1].Text += "\n\nA new closing paragraph about the Multinational Security Support mission."
			d = append(d[:4], synth.Documents(77, 2, 2)...) // drops docs 4 and 5, adds two
			return d
		}, added: 2, updated: 1, removed: 2},
		{name: "rebuild requested", change: func(d []corpus.Document) []corpus.Document { return d },
			opts: RefreshOptions{Rebuild: true}, rebuilt: true, wantReason: "rebuild requested"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			emb := newIxEmbedder()
			ix, _ := openTestIndex(t, dir, emb)
			first := mustRefresh(t, ix, base, RefreshOptions{})
			if !first.Rebuilt || first.DocsAdded != len(base) || first.ChunksEmbedded != first.ChunksTotal {
				t.Fatalf("first refresh stats %+v", first)
			}
			before := ix.current()
			fi1, _ := os.Stat(filepath.Join(dir, snapshotName))
			emb.calls.Store(0)
			emb.texts.Store(0)

			next := tc.change(clone())
			oldIDs, newIDs := chunkIDs(base), chunkIDs(next)
			wantEmbedded := 0
			for id := range newIDs {
				if !oldIDs[id] || tc.rebuilt {
					wantEmbedded++
				}
			}
			st := mustRefresh(t, ix, next, tc.opts)
			if st.DocsAdded != tc.added || st.DocsUpdated != tc.updated || st.DocsRemoved != tc.removed {
				t.Errorf("docs +%d ~%d -%d, want +%d ~%d -%d", st.DocsAdded, st.DocsUpdated, st.DocsRemoved, tc.added, tc.updated, tc.removed)
			}
			if st.ChunksEmbedded != wantEmbedded || int(emb.texts.Load()) != wantEmbedded {
				t.Errorf("embedded %d chunks (%d texts sent), want %d", st.ChunksEmbedded, emb.texts.Load(), wantEmbedded)
			}
			if st.ChunksTotal != len(newIDs) || st.Rebuilt != tc.rebuilt || st.RebuildReason != tc.wantReason {
				t.Errorf("stats %+v; want total %d rebuilt %v reason %q", st, len(newIDs), tc.rebuilt, tc.wantReason)
			}
			after := ix.current()
			for id := range newIDs {
				if _, ok := after.find(id); !ok {
					t.Errorf("chunk %s missing after refresh", id)
				}
			}
			for id := range oldIDs {
				if _, ok := after.find(id); ok != newIDs[id] {
					t.Errorf("chunk %s present = %v, want %v", id, ok, newIDs[id])
				}
			}
			// Unchanged chunks keep their vectors (the same backing array).
			if !tc.rebuilt {
				for j, c := range after.chunks {
					if i, ok := before.find(c.ID); ok && &before.vecs[i][0] != &after.vecs[j][0] {
						t.Errorf("chunk %s was re-embedded although unchanged", c.ID)
						break
					}
				}
			}
			if tc.wantTitle != "" {
				if got := ix.Sources()[0].Title; got != tc.wantTitle {
					t.Errorf("title after refresh %q, want %q", got, tc.wantTitle)
				}
				// The new metadata is what a restart sees too.
				re, _ := openTestIndex(t, dir, newIxEmbedder())
				if got := re.Sources()[0].Title; got != tc.wantTitle {
					t.Errorf("title after reopening %q, want %q", got, tc.wantTitle)
				}
			}
			fi2, _ := os.Stat(filepath.Join(dir, snapshotName))
			// A written snapshot is a new file renamed over the old one.
			if wrote := !os.SameFile(fi1, fi2); wrote == tc.wantNoWrite {
				t.Errorf("snapshot rewritten = %v, want %v", wrote, !tc.wantNoWrite)
			}
			if tc.wantNoWrite && after != before {
				t.Error("an unchanged refresh swapped the generation")
			}
			checkConsistent(t, ix)
		})
	}
}

func TestRefreshEmbedderChange(t *testing.T) {
	dir := t.TempDir()
	docs := synth.Documents(4, 4, 3)
	ix, _ := openTestIndex(t, dir, newIxEmbedder())
	mustRefresh(t, ix, docs, RefreshOptions{})

	// Same process, the embedder's identity changes (e.g. a model swapped
	// behind a config reload): never mix spaces.
	emb := newIxEmbedder()
	ix.embedder = emb
	emb.info = EmbedderInfo{Name: "local", Model: localModel + "-next", Dim: 64}
	st := mustRefresh(t, ix, docs, RefreshOptions{})
	if !st.Rebuilt || !strings.HasPrefix(st.RebuildReason, "embedder changed") || st.ChunksEmbedded != st.ChunksTotal {
		t.Errorf("stats %+v; want a full rebuild for the embedder change", st)
	}
	if ix.Stats().Embedder.Model != localModel+"-next" {
		t.Errorf("index embedder %+v", ix.Stats().Embedder)
	}
}

// truncatingEmbedder returns vectors of dim components while claiming the
// inner embedder's identity: a server whose model changed silently.
type truncatingEmbedder struct {
	Embedder
	dim int
}

func (e truncatingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	vs, err := e.Embedder.Embed(ctx, texts)
	for i := range vs {
		vs[i], _ = unitVector(vs[i][:e.dim])
	}
	return vs, err
}

func TestRefreshDimensionMismatch(t *testing.T) {
	ix, _ := openTestIndex(t, t.TempDir(), newIxEmbedder())
	docs := synth.Documents(5, 3, 3)
	mustRefresh(t, ix, docs, RefreshOptions{})
	before := ix.current()
	ix.embedder = truncatingEmbedder{Embedder: NewLocalEmbedder(64), dim: 48}
	_, err := ix.Refresh(context.Background(), append(docs, synth.Documents(6, 1, 2)...), RefreshOptions{})
	if !errors.Is(err, ErrDimensionMismatch) || !strings.Contains(err.Error(), "48") || !strings.Contains(err.Error(), "64") {
		t.Fatalf("error = %v, want ErrDimensionMismatch naming 48 and 64", err)
	}
	if ix.current() != before {
		t.Error("a failed refresh replaced the serving generation")
	}
}

func TestRefreshEmptyCorpus(t *testing.T) {
	dir := t.TempDir()
	ix, _ := openTestIndex(t, dir, newIxEmbedder())
	st := mustRefresh(t, ix, nil, RefreshOptions{})
	if st.ChunksTotal != 0 || !st.Rebuilt {
		t.Errorf("stats %+v", st)
	}
	if ix.Ready() {
		t.Error("Ready with no chunks")
	}
	if need, reason := ix.NeedsBuild(); need {
		t.Errorf("NeedsBuild after building an empty corpus: %q", reason)
	}
	checkConsistent(t, ix)
	res, err := ix.Search(context.Background(), "Kenyan police in Haiti", 5)
	if err != nil || len(res.Passages) != 0 {
		t.Errorf("Search on empty index = %+v, %v", res, err)
	}
	// The empty build persists: a restart does not ask for a build again.
	re, _ := openTestIndex(t, dir, newIxEmbedder())
	if need, reason := re.NeedsBuild(); need {
		t.Errorf("reopened empty index NeedsBuild: %q", reason)
	}
	// From empty to non-empty and back.
	mustRefresh(t, re, synth.Documents(8, 2, 2), RefreshOptions{})
	checkConsistent(t, re)
	if st := mustRefresh(t, re, nil, RefreshOptions{}); st.DocsRemoved != 2 || st.ChunksTotal != 0 {
		t.Errorf("emptying stats %+v", st)
	}
	checkConsistent(t, re)
}

func TestRefreshRepeatedPassage(t *testing.T) {
	ix, _ := openTestIndex(t, t.TempDir(), newIxEmbedder())
	p := "The Kenyan-led mission deployed more police officers to Port-au-Prince this week."
	docs := []corpus.Document{{Meta: corpus.Meta{DocID: "a.txt"}, Text: p + "\n\nSomething else entirely happened.\n\n" + p}}
	mustRefresh(t, ix, docs, RefreshOptions{})
	checkConsistent(t, ix)
}

func TestRefreshRunning(t *testing.T) {
	emb := newIxEmbedder()
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	emb.hook = func(ctx context.Context, _ int64) error {
		once.Do(func() { close(started) })
		<-release
		return nil
	}
	ix, _ := openTestIndex(t, t.TempDir(), emb)
	done := make(chan error)
	go func() {
		_, err := ix.Refresh(context.Background(), synth.Documents(9, 3, 3), RefreshOptions{})
		done <- err
	}()
	<-started
	if _, err := ix.Refresh(context.Background(), nil, RefreshOptions{}); !errors.Is(err, ErrRefreshRunning) {
		t.Errorf("concurrent Refresh error = %v, want ErrRefreshRunning", err)
	}
	if ok, err := ix.ReloadIfNewer(context.Background()); ok || err != nil {
		t.Errorf("ReloadIfNewer during a refresh = %v, %v; want false, nil", ok, err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("first Refresh: %v", err)
	}
}

func TestRefreshProgress(t *testing.T) {
	ix, _ := openTestIndex(t, t.TempDir(), newIxEmbedder())
	docs := synth.Documents(10, 40, 20) // enough chunks for several batches
	var got, all []Progress
	st := mustRefresh(t, ix, docs, RefreshOptions{Progress: func(p Progress) {
		all = append(all, p)
		if p.Stage == StageEmbedding {
			got = append(got, p)
		}
	}})
	if last := all[len(all)-1]; last.Stage != StageWriting || last.Elapsed <= 0 {
		t.Errorf("last progress %+v, want the writing stage with the time elapsed", last)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Elapsed < all[i-1].Elapsed {
			t.Errorf("elapsed time went back: %+v after %+v", all[i], all[i-1])
		}
	}
	if len(got) < 3 {
		t.Fatalf("%d progress reports for %d chunks", len(got), st.ChunksEmbedded)
	}
	for i, p := range got {
		if p.Total != st.ChunksEmbedded || (i > 0 && p.Embedded <= got[i-1].Embedded) {
			t.Fatalf("progress %d = %+v after %+v (total %d)", i, p, got[max(i-1, 0)], st.ChunksEmbedded)
		}
	}
	if got[0].Embedded != 0 || got[len(got)-1].Embedded != st.ChunksEmbedded {
		t.Errorf("progress runs %+v .. %+v, want 0 .. %d", got[0], got[len(got)-1], st.ChunksEmbedded)
	}
}

// TestRefreshFailureKeepsServing: an embedder that dies mid-refresh leaves
// the old generation serving and the snapshot untouched; a later refresh
// completes.
func TestRefreshFailureKeepsServing(t *testing.T) {
	dir := t.TempDir()
	emb := newIxEmbedder()
	ix, _ := openTestIndex(t, dir, emb)
	docs := synth.Documents(11, 5, 4)
	mustRefresh(t, ix, docs, RefreshOptions{})
	before := ix.current()
	fi1, _ := os.Stat(filepath.Join(dir, snapshotName))

	bigger := append(slices.Clone(docs), synth.Documents(12, 30, 20)...)
	emb.calls.Store(0)
	emb.hook = func(_ context.Context, call int64) error {
		if call > 1 {
			return errors.New("connection reset by peer")
		}
		return nil
	}
	_, err := ix.Refresh(context.Background(), bigger, RefreshOptions{})
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("Refresh error = %v, want the embedder failure", err)
	}
	if ix.current() != before {
		t.Fatal("a failed refresh replaced the serving generation")
	}
	fi2, _ := os.Stat(filepath.Join(dir, snapshotName))
	if !fi1.ModTime().Equal(fi2.ModTime()) || fi1.Size() != fi2.Size() {
		t.Error("a failed refresh rewrote the snapshot")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, snapshotTmp+"*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	emb.hook = nil
	res, err := ix.Search(context.Background(), docs[0].Text[:200], 3)
	if err != nil || len(res.Passages) == 0 {
		t.Errorf("search after a failed refresh = %+v, %v", res, err)
	}

	st := mustRefresh(t, ix, bigger, RefreshOptions{})
	if st.DocsAdded != 30 || ix.Stats().Chunks != st.ChunksTotal {
		t.Errorf("recovery refresh stats %+v, index %+v", st, ix.Stats())
	}
	checkConsistent(t, ix)
}

func TestRefreshCancel(t *testing.T) {
	emb := newIxEmbedder()
	ix, _ := openTestIndex(t, t.TempDir(), emb)
	mustRefresh(t, ix, synth.Documents(13, 2, 2), RefreshOptions{})
	before := ix.current()
	emb.hook = func(ctx context.Context, _ int64) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
			return nil
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := ix.Refresh(ctx, synth.Documents(14, 50, 20), RefreshOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelled refresh took %v to return", d)
	}
	if ix.current() != before {
		t.Error("a cancelled refresh replaced the serving generation")
	}
}

// TestSearchDuringRefresh: queries are answered from the old generation
// while a refresh embeds, and from the new one afterwards (run with -race).
func TestSearchDuringRefresh(t *testing.T) {
	emb := newIxEmbedder()
	ix, _ := openTestIndex(t, t.TempDir(), emb)
	docs := synth.Documents(15, 5, 4)
	mustRefresh(t, ix, docs, RefreshOptions{})
	oldChunks := ix.Stats().Chunks

	emb.hook = func(ctx context.Context, _ int64) error {
		time.Sleep(5 * time.Millisecond)
		return nil
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var searches, duringOld int
	query := strings.Join(strings.Fields(docs[1].Text)[:12], " ")
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			n := ix.Stats().Chunks
			res, err := ix.Search(context.Background(), query, 5)
			if err != nil {
				t.Errorf("Search during refresh: %v", err)
				return
			}
			if len(res.Passages) == 0 {
				t.Errorf("Search during refresh found nothing")
				return
			}
			searches++
			if n == oldChunks {
				duringOld++
			}
		}
	})
	st := mustRefresh(t, ix, append(slices.Clone(docs), synth.Documents(16, 10, 10)...), RefreshOptions{})
	close(stop)
	wg.Wait()
	if duringOld == 0 {
		t.Errorf("no search completed against the old generation during the refresh (%d searches)", searches)
	}
	if ix.Stats().Chunks != st.ChunksTotal || st.ChunksTotal <= oldChunks {
		t.Errorf("after refresh %d chunks, stats %+v", ix.Stats().Chunks, st)
	}
}

func TestReloadIfNewer(t *testing.T) {
	dir := t.TempDir()
	writer, _ := openTestIndex(t, dir, newIxEmbedder())
	mustRefresh(t, writer, synth.Documents(17, 3, 3), RefreshOptions{})
	replica, _ := openTestIndex(t, dir, newIxEmbedder())
	ctx := context.Background()

	if ok, err := replica.ReloadIfNewer(ctx); ok || err != nil {
		t.Fatalf("ReloadIfNewer with nothing new = %v, %v", ok, err)
	}
	time.Sleep(10 * time.Millisecond) // a distinct mtime and built-at
	mustRefresh(t, writer, synth.Documents(18, 5, 3), RefreshOptions{})
	if ok, err := replica.ReloadIfNewer(ctx); !ok || err != nil {
		t.Fatalf("ReloadIfNewer after the writer refreshed = %v, %v", ok, err)
	}
	if r, w := replica.Stats(), writer.Stats(); r.Chunks != w.Chunks || r.Documents != w.Documents ||
		!r.RefreshedAt.Equal(w.RefreshedAt) || r.RefreshDuration != w.RefreshDuration || r.Embedder != w.Embedder {
		t.Errorf("replica %+v, writer %+v", replica.Stats(), writer.Stats())
	}
	checkConsistent(t, replica)
	if ok, err := replica.ReloadIfNewer(ctx); ok || err != nil {
		t.Errorf("second ReloadIfNewer = %v, %v; want false, nil", ok, err)
	}
	if ok, err := writer.ReloadIfNewer(ctx); ok || err != nil {
		t.Errorf("the writer reloading its own snapshot = %v, %v; want false, nil", ok, err)
	}

	// A replica with another embedder refuses the snapshot and keeps serving.
	other := &ixEmbedder{inner: NewLocalEmbedder(64), info: EmbedderInfo{Name: "openai", Model: "m", Dim: 64}}
	foreign, _ := openTestIndex(t, t.TempDir(), other)
	foreign.dir = dir
	if ok, err := foreign.ReloadIfNewer(ctx); ok || err == nil || !strings.Contains(err.Error(), "openai/m") {
		t.Errorf("ReloadIfNewer across embedders = %v, %v; want an error naming both", ok, err)
	}
	if foreign.Stats().Chunks != 0 {
		t.Error("a refused reload changed the serving generation")
	}
}
