package retrieval

import (
	"context"
	"fmt"
	"math"
	"missionbot/corpus"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// RefreshOptions tunes one Refresh. The zero value refreshes incrementally.
type RefreshOptions struct {
	// Rebuild discards every stored vector and embeds all chunks again.
	Rebuild bool
	// Progress, when set, is called as batches of chunks are embedded,
	// serially and with a growing Embedded count; it must not block long.
	Progress func(Progress)
}

// Refresh batches handed to the embedder. Each batch is one Embed call;
// an embedder may split it further (the OpenAI one sends 64 per request).
const refreshBatch = 256

// Refresh brings the index in line with docs: it chunks them, embeds only
// chunks whose IDs are new (every chunk on a rebuild), builds a new
// generation beside the serving one, persists it as a snapshot and only
// then swaps it in, so queries keep being answered from the old generation
// throughout and a failed or cancelled refresh changes nothing. When
// nothing changed it embeds nothing, writes nothing and returns quickly.
//
// A full rebuild happens on opts.Rebuild, when no valid snapshot was
// loaded, or when the embedder's name, model or dimension differ from the
// index's; vectors from different spaces are never mixed. Only one refresh
// runs at a time: a concurrent call returns ErrRefreshRunning.
func (ix *Index) Refresh(ctx context.Context, docs []corpus.Document, opts RefreshOptions) (RefreshStats, error) {
	if !ix.refreshMu.TryLock() {
		return RefreshStats{}, ErrRefreshRunning
	}
	defer ix.refreshMu.Unlock()
	start := ix.now()
	old := ix.current()
	var stats RefreshStats

	chunks, dups := uniqueChunks(ChunkDocuments(docs))
	if dups > 0 {
		stats.Warnings = append(stats.Warnings, fmt.Sprintf("%d repeated passages were indexed once", dups))
	}

	info := ix.embedder.Info()
	ix.mu.Lock()
	stats.RebuildReason = ix.needReason
	ix.mu.Unlock()
	switch {
	case opts.Rebuild:
		stats.RebuildReason = "rebuild requested"
	case stats.RebuildReason != "":
	case !compatible(old.info, info):
		stats.RebuildReason = fmt.Sprintf("embedder changed: the index was built with %s, the configured embedder is %s",
			describeEmbedder(old.info), describeEmbedder(info))
	}
	stats.Rebuilt = stats.RebuildReason != ""
	stats.DocsAdded, stats.DocsUpdated, stats.DocsRemoved = diffDocs(old.chunks, chunks)
	if stats.Rebuilt {
		old = &generation{info: info} // reuse nothing
	}

	vecs := make([][]float32, len(chunks))
	var todo []int // positions in chunks needing vectors
	unchanged := !stats.Rebuilt && len(chunks) == len(old.chunks)
	for i, c := range chunks {
		j, ok := old.find(c.ID)
		if !ok {
			todo = append(todo, i)
			unchanged = false
			continue
		}
		vecs[i] = old.vecs[j]
		if unchanged && !sameChunk(c, old.chunks[j]) {
			unchanged = false
		}
	}
	stats.ChunksEmbedded, stats.ChunksTotal = len(todo), len(chunks)
	if unchanged {
		stats.Duration = ix.now().Sub(start)
		ix.log.Debug("refresh: nothing changed", "chunks", len(chunks))
		return stats, nil
	}

	if err := ix.embedInto(ctx, chunks, todo, vecs, opts.Progress); err != nil {
		return stats, err
	}
	info = ix.embedder.Info()
	dim := old.info.Dim
	if dim == 0 {
		dim = info.Dim
	}
	for _, i := range todo {
		if dim == 0 {
			dim = len(vecs[i])
		}
		if len(vecs[i]) != dim {
			return stats, fmt.Errorf("refresh: %w: the embedder returned a %d-dimensional vector, the index holds %d-dimensional ones; rebuild the index",
				ErrDimensionMismatch, len(vecs[i]), dim)
		}
	}
	info.Dim = dim
	if err := ctx.Err(); err != nil {
		return stats, fmt.Errorf("refresh: %w", context.Cause(ctx))
	}

	// Round(0) drops the monotonic reading, so the built-at time compares
	// equal to the one read back from the snapshot.
	builtAt := ix.now().Round(0)
	took := builtAt.Sub(start)
	g, err := newGeneration(info, chunks, vecs, builtAt, took)
	if err != nil {
		return stats, fmt.Errorf("refresh: %w", err)
	}
	stamp, err := writeSnapshot(ctx, ix.dir, &snapshot{
		header: snapshotHeader{Embedder: info, BuiltAt: builtAt, Took: took, Dim: dim},
		chunks: chunks, vecs: vecs,
	})
	if err != nil {
		return stats, fmt.Errorf("refresh: %w", err)
	}
	ix.install(g, stamp)
	stats.Duration = ix.now().Sub(start)
	ix.log.Info("index refreshed", "docs_added", stats.DocsAdded, "docs_updated", stats.DocsUpdated,
		"docs_removed", stats.DocsRemoved, "chunks_embedded", stats.ChunksEmbedded, "chunks", stats.ChunksTotal,
		"rebuilt", stats.Rebuilt, "reason", stats.RebuildReason, "took", stats.Duration)
	return stats, nil
}

// embedInto embeds chunks[todo] in batches with bounded concurrency and
// stores each normalised vector in vecs. The first failure cancels the
// other batches and is returned.
func (ix *Index) embedInto(ctx context.Context, chunks []Chunk, todo []int, vecs [][]float32, progress func(Progress)) error {
	if len(todo) == 0 {
		return nil
	}
	var (
		mu   sync.Mutex // serialises progress calls and the done count
		done int
	)
	report := func(n int) {
		if progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		done += n
		progress(Progress{Embedded: done, Total: len(todo)})
	}
	report(0)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(2, runtime.GOMAXPROCS(0)))
	for lo := 0; lo < len(todo); lo += refreshBatch {
		batch := todo[lo:min(lo+refreshBatch, len(todo))]
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			texts := make([]string, len(batch))
			for k, i := range batch {
				texts[k] = chunks[i].Text
			}
			out, err := ix.embedder.Embed(gctx, texts)
			if err != nil {
				return err
			}
			if len(out) != len(batch) {
				return fmt.Errorf("the embedder returned %d vectors for %d texts", len(out), len(batch))
			}
			for k, i := range batch {
				v, err := ensureUnit(out[k])
				if err != nil {
					return fmt.Errorf("chunk %s: %w", chunks[i].ID, err)
				}
				vecs[i] = v
			}
			report(len(batch))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		return fmt.Errorf("refresh: embed %d chunks: %w", len(todo), err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("refresh: embed %d chunks: %w", len(todo), context.Cause(ctx))
	}
	return nil
}

// ensureUnit returns v when it is normalised within chromem-go's tolerance
// (1e-6), otherwise a normalised copy; the embedder's slice is never
// modified, since it may share it.
func ensureUnit(v []float32) ([]float32, error) {
	if len(v) == 0 {
		return nil, fmt.Errorf("the embedder returned an empty vector")
	}
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if math.Abs(math.Sqrt(sum)-1) < 1e-6 {
		return v, nil
	}
	return unitVector(v)
}

// uniqueChunks drops chunks whose ID repeats an earlier one (a passage
// that occurs twice in one document), keeping the first, so the vector
// collection holds exactly one entry per chunk.
func uniqueChunks(chunks []Chunk) ([]Chunk, int) {
	seen := make(map[string]struct{}, len(chunks))
	out := chunks[:0:0]
	for _, c := range chunks {
		if _, ok := seen[c.ID]; ok {
			continue
		}
		seen[c.ID] = struct{}{}
		out = append(out, c)
	}
	return out, len(chunks) - len(out)
}

// sameChunk reports whether two chunks with the same ID also carry the
// same metadata: corroborating sources can change without the ID changing.
func sameChunk(a, b Chunk) bool {
	return a.ID == b.ID && a.Meta == b.Meta && a.Seq == b.Seq && a.Text == b.Text &&
		slices.Equal(a.Corroborating, b.Corroborating)
}

// diffDocs counts documents added, updated (their set of chunk IDs or their
// metadata changed) and removed between two chunk sets.
func diffDocs(before, after []Chunk) (added, updated, removed int) {
	type doc struct {
		meta corpus.Meta
		ids  []string
	}
	group := func(chunks []Chunk) map[string]*doc {
		m := map[string]*doc{}
		for _, c := range chunks {
			d, ok := m[c.Meta.DocID]
			if !ok {
				d = &doc{meta: c.Meta}
				m[c.Meta.DocID] = d
			}
			d.ids = append(d.ids, c.ID)
		}
		for _, d := range m {
			slices.Sort(d.ids)
		}
		return m
	}
	b, a := group(before), group(after)
	for id, da := range a {
		db, ok := b[id]
		switch {
		case !ok:
			added++
		case da.meta != db.meta || strings.Join(da.ids, "\x00") != strings.Join(db.ids, "\x00"):
			updated++
		}
	}
	for id := range b {
		if _, ok := a[id]; !ok {
			removed++
		}
	}
	return added, updated, removed
}
