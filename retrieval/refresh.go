package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"missionbot/corpus"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// RefreshOptions tunes one Refresh. The zero value refreshes incrementally.
type RefreshOptions struct {
	// Rebuild discards every stored vector and embeds all chunks again.
	Rebuild bool
	// Progress, when set, is called as the refresh moves on (stages, and
	// batches of chunks embedded), serially and with growing counts; it
	// must not block long.
	Progress func(Progress)
	// Started is when the whole operation began, for a caller that loaded
	// the corpus first: durations and progress count from it. Zero means
	// when Refresh is called.
	Started time.Time
}

// Refresh batches handed to the embedder. Each batch is one Embed call;
// an embedder may split it further (the OpenAI one sends 64 per request).
const refreshBatch = 256

// Refresh brings the index in line with docs, the whole corpus: it is
// Update with every document read (no file stamps recorded, so nothing
// can be skipped unread next time).
func (ix *Index) Refresh(ctx context.Context, docs []corpus.Document, opts RefreshOptions) (RefreshStats, error) {
	files := make([]SourceFile, len(docs))
	for i := range docs {
		files[i] = SourceFile{DocID: docs[i].DocID, Doc: &docs[i]}
	}
	return ix.Update(ctx, files, opts)
}

// Update brings the index in line with files, the whole corpus: files
// not listed are removed. A file with a Doc is chunked afresh; a file
// without one is unchanged and its passages are taken from the index
// (ErrIndexChanged when the index does not hold that content). It embeds
// only chunks whose IDs are new (every chunk on a rebuild), dedupes the
// corpus again when any document changed, builds a new generation beside
// the serving one, persists it as a snapshot and only then swaps it in,
// so queries keep being answered from the old generation throughout and a
// failed or cancelled refresh changes nothing. When nothing changed it
// embeds nothing, writes nothing and returns quickly.
//
// A full rebuild happens on opts.Rebuild, when no valid snapshot was
// loaded, or when the embedder's name, model or dimension differ from the
// index's; vectors from different spaces are never mixed. Only one refresh
// runs at a time: a concurrent call returns ErrRefreshRunning.
func (ix *Index) Update(ctx context.Context, files []SourceFile, opts RefreshOptions) (RefreshStats, error) {
	if !ix.refreshMu.TryLock() {
		return RefreshStats{}, ErrRefreshRunning
	}
	defer ix.refreshMu.Unlock()
	start := opts.Started
	if start.IsZero() {
		start = ix.now()
	}
	progress := func(p Progress) {
		if opts.Progress != nil {
			p.Elapsed = ix.now().Sub(start)
			opts.Progress(p)
		}
	}
	old := ix.current()
	files = sortFiles(files)
	stats := RefreshStats{FilesTotal: len(files)}
	for _, f := range files {
		if f.Doc != nil {
			stats.FilesRead++
		}
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
			old.info.String(), info.String())
	}
	stats.Rebuilt = stats.RebuildReason != ""

	sameRecs := slices.EqualFunc(files, old.files, sameRecord) // sameRecord ignores Doc
	if !stats.Rebuilt && stats.FilesRead == 0 && sameContent(files, old.files) {
		// Every file is the one indexed (some perhaps touched): the
		// chunks, vectors and lexical index stay as they are.
		stats.ChunksTotal, stats.Folded = len(old.chunks), old.folds
		if !sameRecs {
			g := *old
			g.files = recordedFiles(files)
			if err := ix.persist(ctx, &g, progress); err != nil {
				return stats, err
			}
		}
		stats.Duration = ix.now().Sub(start)
		ix.log.Debug("refresh: nothing changed", "chunks", len(old.chunks), "files", len(files))
		return stats, nil
	}

	pre, err := ix.documents(old, files)
	if err != nil {
		return stats, err
	}
	res := dedupe(pre)
	chunks, dups := uniqueChunks(res.kept)
	if dups > 0 {
		stats.Warnings = append(stats.Warnings, fmt.Sprintf("%d repeated passages were indexed once", dups))
	}
	stats.Folded = res.folds
	stats.DocsAdded, stats.DocsUpdated, stats.DocsRemoved = diffDocs(
		[2][]Chunk{old.chunks, old.dropped}, [2][]Chunk{chunks, res.dropped})
	reuse := old
	if stats.Rebuilt {
		reuse = &generation{info: info} // reuse no vectors
	}

	vecs := make([][]float32, len(chunks))
	var todo []int // positions in chunks needing vectors
	unchanged := !stats.Rebuilt && len(chunks) == len(old.chunks) && sameRecs &&
		slices.EqualFunc(res.folds, old.folds, func(a, b Fold) bool { return a == b }) &&
		slices.EqualFunc(res.dropped, old.dropped, func(a, b Chunk) bool { return a.ID == b.ID && a.Meta == b.Meta })
	for i, c := range chunks {
		j, ok := reuse.find(c.ID)
		if !ok {
			todo = append(todo, i)
			unchanged = false
			continue
		}
		vecs[i] = reuse.vecs[j]
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

	// The lexical index needs only the chunks: build it on the side while
	// the embedder works, rather than after it.
	var (
		lex   *bm25
		lexWG sync.WaitGroup
	)
	lexWG.Go(func() { lex = newBM25(chunks) })
	defer lexWG.Wait()
	if err := ix.embedInto(ctx, chunks, todo, vecs, progress); err != nil {
		return stats, err
	}
	info = ix.embedder.Info()
	dim := reuse.info.Dim
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

	progress(Progress{Stage: StageWriting})
	// Round(0) drops the monotonic reading, so the built-at time compares
	// equal to the one read back from the snapshot.
	lexWG.Wait()
	builtAt := ix.now().Round(0)
	g, err := buildGeneration(genParts{info: info, chunks: chunks, vecs: vecs, dropped: res.dropped,
		folds: res.folds, files: recordedFiles(files), lex: lex, builtAt: builtAt, took: builtAt.Sub(start)})
	if err != nil {
		return stats, fmt.Errorf("refresh: %w", err)
	}
	if err := ix.persist(ctx, g, progress); err != nil {
		return stats, err
	}
	stats.Duration = ix.now().Sub(start)
	ix.log.Debug("index refreshed", "docs_added", stats.DocsAdded, "docs_updated", stats.DocsUpdated,
		"docs_removed", stats.DocsRemoved, "chunks_embedded", stats.ChunksEmbedded, "chunks", stats.ChunksTotal,
		"rebuilt", stats.Rebuilt, "reason", stats.RebuildReason, "took", stats.Duration)
	return stats, nil
}

// persist writes g as the snapshot and swaps it in.
func (ix *Index) persist(ctx context.Context, g *generation, progress func(Progress)) error {
	progress(Progress{Stage: StageWriting})
	stamp, err := writeSnapshot(ctx, ix.dir, snapshotOf(g))
	if err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	ix.install(g, stamp)
	return nil
}

// documents returns the chunks of every document of files, before dedupe:
// those of files read afresh chunked now (in parallel), those of unchanged
// files taken from old, kept and folded alike (dedupe ignores their
// Corroborating).
func (ix *Index) documents(old *generation, files []SourceFile) ([]docChunks, error) {
	held := heldChunks(old)
	var fresh []corpus.Document
	pre := make([]docChunks, 0, len(files))
	for _, f := range files {
		switch {
		case f.Doc != nil:
			fresh = append(fresh, *f.Doc)
		case f.Skip != "":
		default:
			rec, ok := old.files.Lookup(f.DocID)
			if !ok || rec.Skip != "" || !rec.Stamp.SameContent(f.Stamp) {
				return nil, fmt.Errorf("refresh: %s: %w", f.DocID, ErrIndexChanged)
			}
			if cs := held(f.DocID); len(cs) > 0 {
				pre = append(pre, docChunks{meta: cs[0].Meta, chunks: cs})
			}
		}
	}
	return append(pre, chunkEach(fresh)...), nil
}

// heldChunks returns a lookup of a document's chunks in g, kept and
// folded, in Seq order. The chunks of a generation are ordered by DocID,
// so a document's kept chunks are a run of them, shared, not copied.
func heldChunks(g *generation) func(docID string) []Chunk {
	byDoc := func(c Chunk, id string) int { return cmp.Compare(c.Meta.DocID, id) }
	byDocSeq := func(a, b Chunk) int {
		if c := cmp.Compare(a.Meta.DocID, b.Meta.DocID); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	}
	if !slices.IsSortedFunc(g.chunks, byDocSeq) || !slices.IsSortedFunc(g.dropped, byDocSeq) {
		// Not built by Update (a test's generation): sort a copy.
		all := slices.Concat(g.chunks, g.dropped)
		slices.SortStableFunc(all, byDocSeq)
		return func(id string) []Chunk {
			lo, _ := slices.BinarySearchFunc(all, id, byDoc)
			hi := lo
			for hi < len(all) && all[hi].Meta.DocID == id {
				hi++
			}
			return all[lo:hi:hi]
		}
	}
	run := func(cs []Chunk, id string) []Chunk {
		lo, _ := slices.BinarySearchFunc(cs, id, byDoc)
		hi := lo
		for hi < len(cs) && cs[hi].Meta.DocID == id {
			hi++
		}
		return cs[lo:hi:hi]
	}
	return func(id string) []Chunk {
		kept, folded := run(g.chunks, id), run(g.dropped, id)
		if len(folded) == 0 {
			return kept
		}
		out := slices.Concat(kept, folded)
		slices.SortFunc(out, byDocSeq)
		return out
	}
}

// sortFiles orders files by DocID, keeping the first of repeated IDs. A
// list already in strict order (as a scan makes it) is returned as it is.
func sortFiles(files []SourceFile) []SourceFile {
	strict := true
	for i := 1; i < len(files) && strict; i++ {
		strict = files[i-1].DocID < files[i].DocID
	}
	if strict {
		return files
	}
	files = slices.Clone(files)
	slices.SortStableFunc(files, func(a, b SourceFile) int { return cmp.Compare(a.DocID, b.DocID) })
	return slices.CompactFunc(files, func(a, b SourceFile) bool { return a.DocID == b.DocID })
}

// recordedFiles is what the index records of files: the stamps, without
// the documents.
func recordedFiles(files []SourceFile) Files {
	out := make(Files, 0, len(files))
	for _, f := range files {
		f.Doc = nil
		out = append(out, f)
	}
	return out
}

// sameRecord reports whether two file records are the same.
func sameRecord(a, b SourceFile) bool {
	return a.DocID == b.DocID && a.Skip == b.Skip && a.Stamp.Size == b.Stamp.Size &&
		a.Stamp.ModTime.Equal(b.Stamp.ModTime) && a.Stamp.Sum == b.Stamp.Sum && a.Stamp.Key == b.Stamp.Key
}

// sameContent reports whether files, none of them read, are the ones recs
// records: the same names, contents and skip reasons, perhaps with other
// modification times.
func sameContent(files []SourceFile, recs Files) bool {
	return slices.EqualFunc(files, recs, func(f, rec SourceFile) bool {
		return f.Doc == nil && f.DocID == rec.DocID && f.Skip == rec.Skip && f.Stamp.Sum == rec.Stamp.Sum && f.Stamp.Key == rec.Stamp.Key
	})
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
		mu.Lock()
		defer mu.Unlock()
		done += n
		progress(Progress{Stage: StageEmbedding, Embedded: done, Total: len(todo)})
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
// collection holds exactly one entry per chunk. Without repeats it
// returns chunks itself.
func uniqueChunks(chunks []Chunk) ([]Chunk, int) {
	seen := make(map[string]struct{}, len(chunks))
	var out []Chunk
	for i, c := range chunks {
		if _, ok := seen[c.ID]; ok {
			if out == nil {
				out = slices.Clone(chunks[:i])
			}
			continue
		}
		seen[c.ID] = struct{}{}
		if out != nil {
			out = append(out, c)
		}
	}
	if out == nil {
		return chunks, 0
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
// metadata changed) and removed between two corpora, each given as its
// kept and folded chunks: a document folded into another still counts as
// present.
func diffDocs(before, after [2][]Chunk) (added, updated, removed int) {
	b, a := docSignatures(before), docSignatures(after)
	for id, sa := range a {
		sb, ok := b[id]
		switch {
		case !ok:
			added++
		case sa != sb:
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

// docSignature digests a document's metadata and set of chunk IDs.
type docSignature struct{ meta, ids uint64 }

// docSignatures digests each document of chunks; the IDs are combined
// order-independently, so no grouping or sorting is needed.
func docSignatures(chunks [2][]Chunk) map[string]docSignature {
	m := make(map[string]docSignature, len(chunks[0])/4)
	fields, _ := metaFields()
	for _, cs := range chunks {
		for _, c := range cs {
			sig, ok := m[c.Meta.DocID]
			if !ok {
				sig.meta = metaDigest(c.Meta, fields)
			}
			sig.ids += mix64(fnvAdd(fnvOffset, c.ID))
			m[c.Meta.DocID] = sig
		}
	}
	return m
}

// metaDigest hashes the fields of m (see metaFields).
func metaDigest(m corpus.Meta, fields []int) uint64 {
	v := reflect.ValueOf(&m).Elem()
	h := uint64(fnvOffset)
	for _, f := range fields {
		h = fnvAdd(h, v.Field(f).String()) ^ 0xff // a separator no UTF-8 text holds
		h *= fnvPrime
	}
	return h
}

// mix64 is splitmix64's finaliser: summing mixed hashes makes a set digest.
func mix64(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}
