package retrieval

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"missionbot/corpus"
	"missionbot/internal/atomicfile"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	chromem "github.com/philippgille/chromem-go"
)

// ErrRefreshRunning is returned by Refresh when another refresh of the same
// index is in progress; the caller should tell the user to wait.
var ErrRefreshRunning = errors.New("a refresh is already running")

// IndexOptions configures OpenIndex. The zero value logs nothing and uses
// the wall clock.
type IndexOptions struct {
	// Logger receives warnings (an unreadable snapshot) and refresh
	// summaries; nil discards them.
	Logger *slog.Logger
	// Now is the clock used for built-at times and durations; nil means
	// time.Now.
	Now func() time.Time
}

// Index is the searchable corpus: the chunks, their vectors in a chromem-go
// collection and a BM25 index beside them, persisted as one snapshot file
// under a data directory. Searches read an immutable generation through an
// atomic pointer, so they never wait for a refresh and never see a half
// built index. An Index is safe for concurrent use.
//
// How chromem-go is used, and why: each generation gets a fresh in-memory
// chromem DB and collection, filled with vectors the index computed itself
// (the collection's embedding function refuses to run), and queried with
// QueryEmbedding only. The snapshot on disk is the index's own format, not
// chromem-go's persistence: its persistent DB names files by a 32-bit hash
// (collisions past about 10k documents) and writes them in place, so a
// crash can leave a half-written database, and its export gob-encodes,
// which loads several times slower. Rebuilding the collection per
// generation also means the index never calls Delete, whose empty non-nil
// where-filter deletes everything. Keep it this way: "simplifying" back to
// chromem-go's persistence or incremental deletes brings those hazards
// back.
type Index struct {
	dir      string
	embedder Embedder
	log      *slog.Logger
	now      func() time.Time

	gen atomic.Pointer[generation]

	// refreshMu is held by Refresh and ReloadIfNewer: one writer at a time.
	refreshMu sync.Mutex

	mu sync.Mutex
	// needReason says why the index must be (re)built; empty when the
	// serving generation matches the embedder. Guarded by mu.
	needReason string
	// builtWith is the embedder of a snapshot on disk that the configured
	// embedder cannot query (zero otherwise). Guarded by mu.
	builtWith EmbedderInfo
	// stamp identifies the snapshot file the serving generation came from
	// or was written to. Guarded by mu.
	stamp fileStamp
}

// generation is one immutable, fully built index: what queries read.
type generation struct {
	info EmbedderInfo
	// chunks are all indexed chunks, ordered by DocID then Seq when built
	// by Update or read from a snapshot (heldChunks relies on it, and copes
	// when a test builds one otherwise); chromem IDs are chunk IDs.
	chunks []Chunk
	// byID holds the positions of chunks sorted by chunk ID, for lookups
	// by ID (see find); a slice, not a map, to save memory at 100k chunks.
	byID    []int32
	coll    *chromem.Collection // vectors of chunks (normalised)
	lex     *bm25               // newBM25(chunks)
	builtAt time.Time
	took    time.Duration

	// vecs[i] is the normalised vector of chunks[i]; kept for incremental
	// refreshes and snapshot writes (chromem-go only hands out copies).
	vecs [][]float32
	// sources lists the documents owning chunks, sorted by DocID, built
	// when first asked for (a command that only answers never needs it);
	// docs counts them.
	sources func() []SourceInfo
	docs    int
	// dropped are the chunks folded into others as near-duplicates,
	// ordered by DocID then Seq, without vectors: kept so that a refresh
	// can dedupe again without reading their files.
	dropped []Chunk
	// folds lists the documents folded into others, by Copy.DocID.
	folds []Fold
	// files records the corpus files the generation was built from.
	files Files
}

// genParts is what a generation is built from; lex, when set, is the
// BM25 index of chunks read from a snapshot, built otherwise.
type genParts struct {
	info    EmbedderInfo
	chunks  []Chunk
	vecs    [][]float32
	dropped []Chunk
	folds   []Fold
	files   Files
	lex     *bm25
	// byID, when set, is chunks' order by ID read from a snapshot,
	// checked rather than sorted again.
	byID    []int32
	builtAt time.Time
	took    time.Duration
}

// current returns the generation serving queries; never nil after OpenIndex.
func (ix *Index) current() *generation { return ix.gen.Load() }

// OpenIndex opens the index stored under dir (creating dir if needed) for
// embedder emb, loading the snapshot there when it is valid and was built
// by the same embedder (same name and model, and same dimension when emb
// knows it). A missing, unreadable or incompatible snapshot is not an
// error: the index opens empty and NeedsBuild says why, so the caller can
// announce a build and call Refresh. Errors are only for a dir that cannot
// be created or a cancelled ctx.
func OpenIndex(ctx context.Context, dir string, emb Embedder, opts IndexOptions) (*Index, error) {
	if emb == nil {
		return nil, errors.New("open index: no embedder")
	}
	if dir == "" {
		return nil, errors.New("open index: no data directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open index: create data directory: %w", err)
	}
	ix := &Index{dir: dir, embedder: emb, log: opts.Logger, now: opts.Now}
	if ix.log == nil {
		ix.log = slog.New(slog.DiscardHandler)
	}
	if ix.now == nil {
		ix.now = time.Now
	}
	for _, f := range removeStaleTemps(dir, ix.now()) {
		ix.log.Info("removed a temporary snapshot left by an interrupted write", "file", f)
	}
	empty, err := newGeneration(emb.Info(), nil, nil, time.Time{}, 0)
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	ix.gen.Store(empty)

	path := filepath.Join(dir, snapshotName)
	snap, stamp, err := readSnapshotIf(ctx, path, func(h snapshotHeader) bool { return compatible(h.Embedder, emb.Info()) })
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("open index: %w", context.Cause(ctx))
	case errors.Is(err, fs.ErrNotExist):
		ix.needReason = "no index has been built yet"
		return ix, nil
	case err != nil && !errors.Is(err, errSnapshotCorrupt):
		// The file is there but this process may not read it (permissions,
		// an I/O error): rebuilding would overwrite an index that may be
		// perfectly good, so say so instead.
		return nil, fmt.Errorf("open index: cannot read %s: %w (fix its permissions or run as its owner; the index was left as it is)", path, err)
	case err != nil:
		ix.needReason = "snapshot unreadable: " + err.Error()
		ix.log.Warn("index snapshot unreadable; the next refresh rebuilds it", "path", path, "error", err)
		return ix, nil
	}
	if !compatible(snap.header.Embedder, emb.Info()) {
		ix.builtWith = snap.header.Embedder
		ix.needReason = fmt.Sprintf("embedder changed: the index was built with %s, the configured embedder is %s",
			snap.header.Embedder.String(), emb.Info().String())
		ix.log.Info("index built with another embedder; the next refresh rebuilds it", "reason", ix.needReason)
		return ix, nil
	}
	g, err := buildGeneration(snap.parts())
	if err != nil {
		ix.needReason = "snapshot unreadable: " + err.Error()
		ix.log.Warn("index snapshot unusable; the next refresh rebuilds it", "path", path, "error", err)
		return ix, nil
	}
	ix.gen.Store(g)
	ix.stamp = stamp
	ix.log.Info("index loaded", "chunks", len(g.chunks), "documents", g.docs, "folded", len(g.folds),
		"embedder", g.info.String(), "built_at", g.builtAt)
	return ix, nil
}

// compatible reports whether vectors recorded as snap can be queried with
// vectors from cur: same implementation and model, and the same dimension
// when both are known.
func compatible(snap, cur EmbedderInfo) bool {
	return snap.Name == cur.Name && snap.Model == cur.Model &&
		(snap.Dim == 0 || cur.Dim == 0 || snap.Dim == cur.Dim)
}

// rejectEmbed is the collection's embedding function: every vector is
// computed by Refresh and handed to chromem-go, so a call means a bug (it
// would otherwise embed with chromem-go's OpenAI default behind our back).
func rejectEmbed(context.Context, string) ([]float32, error) {
	return nil, errors.New("index collection embeds nothing itself: vectors must be supplied")
}

// newGeneration builds a generation from chunks and their normalised
// vectors alone (vecs[i] belongs to chunks[i]; IDs must be unique).
func newGeneration(info EmbedderInfo, chunks []Chunk, vecs [][]float32, builtAt time.Time, took time.Duration) (*generation, error) {
	return buildGeneration(genParts{info: info, chunks: chunks, vecs: vecs, builtAt: builtAt, took: took})
}

// buildGeneration builds a generation from its parts. It builds a fresh
// in-memory chromem-go collection, so no generation ever needs
// chromem-go's Delete (whose empty non-nil where map deletes everything),
// and the BM25 index beside it (in parallel, when p.lex is not given).
func buildGeneration(p genParts) (*generation, error) {
	chunks, vecs, info := p.chunks, p.vecs, p.info
	if len(chunks) != len(vecs) {
		return nil, fmt.Errorf("build generation: %d vectors for %d chunks", len(vecs), len(chunks))
	}
	coll, err := chromem.NewDB().CreateCollection("chunks", nil, rejectEmbed)
	if err != nil {
		return nil, fmt.Errorf("build generation: create collection: %w", err)
	}
	g := &generation{
		info:    info,
		chunks:  chunks,
		vecs:    vecs,
		byID:    p.byID,
		coll:    coll,
		builtAt: p.builtAt,
		took:    p.took,
		dropped: p.dropped,
		folds:   p.folds,
		files:   p.files,
		lex:     p.lex,
	}
	var lexDone chan struct{}
	if g.lex == nil {
		// BM25 is a tokenising pass over every chunk, independent of the
		// vectors: build it on another core meanwhile.
		lexDone = make(chan struct{})
		go func() {
			defer close(lexDone)
			g.lex = newBM25(chunks)
		}()
	}
	err = g.fill()
	if lexDone != nil {
		<-lexDone
	}
	if err != nil {
		return nil, err
	}
	return g, nil
}

// fill adds the chunks to the collection and derives byID and sources.
func (g *generation) fill() error {
	chunks, vecs := g.chunks, g.vecs
	for i, c := range chunks {
		if c.ID == "" {
			return fmt.Errorf("build generation: chunk %d has an empty ID", i)
		}
		if g.info.Dim > 0 && len(vecs[i]) != g.info.Dim {
			return fmt.Errorf("build generation: chunk %s: %w: vector has %d dimensions, the index %d",
				c.ID, ErrDimensionMismatch, len(vecs[i]), g.info.Dim)
		}
		if err := g.coll.AddDocument(context.Background(), chromem.Document{ID: c.ID, Embedding: vecs[i], Content: c.Text}); err != nil {
			return fmt.Errorf("build generation: add chunk %s: %w", c.ID, err)
		}
	}
	if len(g.byID) != len(chunks) {
		g.byID = make([]int32, len(chunks))
		for i := range g.byID {
			g.byID[i] = int32(i)
		}
		slices.SortFunc(g.byID, func(a, b int32) int { return cmp.Compare(chunks[a].ID, chunks[b].ID) })
	}
	// Strictly increasing IDs in byID order: no ID repeats, and a byID
	// read from a snapshot is a permutation of the chunks.
	for i := 1; i < len(g.byID); i++ {
		if a, b := chunks[g.byID[i-1]].ID, chunks[g.byID[i]].ID; a >= b {
			return fmt.Errorf("build generation: chunk ID %q is repeated or out of order", b)
		}
	}
	g.docs = countDocs(chunks)
	g.sources = sync.OnceValue(func() []SourceInfo { return sourcesOf(chunks, g.folds) })
	return nil
}

// countDocs counts the documents owning chunks.
func countDocs(chunks []Chunk) int {
	if slices.IsSortedFunc(chunks, func(a, b Chunk) int { return cmp.Compare(a.Meta.DocID, b.Meta.DocID) }) {
		n := 0
		for i, c := range chunks {
			if i == 0 || c.Meta.DocID != chunks[i-1].Meta.DocID {
				n++
			}
		}
		return n
	}
	seen := map[string]bool{}
	for _, c := range chunks {
		seen[c.Meta.DocID] = true
	}
	return len(seen)
}

// sourcesOf lists the documents owning chunks, sorted by DocID, with the
// documents folds put into each.
func sourcesOf(chunks []Chunk, folds []Fold) []SourceInfo {
	perDoc := map[string]int{}
	metas := map[string]corpus.Meta{}
	for _, c := range chunks {
		perDoc[c.Meta.DocID]++
		if _, ok := metas[c.Meta.DocID]; !ok {
			metas[c.Meta.DocID] = c.Meta
		}
	}
	also := map[string][]corpus.Meta{}
	for _, f := range folds {
		also[f.Into.DocID] = append(also[f.Into.DocID], f.Copy)
	}
	out := make([]SourceInfo, 0, len(perDoc))
	for id, n := range perDoc {
		out = append(out, SourceInfo{Meta: metas[id], Chunks: n, AlsoReportedBy: also[id]})
	}
	slices.SortFunc(out, func(a, b SourceInfo) int { return cmp.Compare(a.DocID, b.DocID) })
	return out
}

// install makes g, read from or written to the snapshot stamp, the
// generation queries read; the index no longer needs a build.
func (ix *Index) install(g *generation, stamp fileStamp) {
	ix.gen.Store(g)
	ix.mu.Lock()
	ix.stamp, ix.needReason, ix.builtWith = stamp, "", EmbedderInfo{}
	ix.mu.Unlock()
}

// find returns the position in g.chunks of the chunk with ID id.
func (g *generation) find(id string) (int32, bool) {
	i, ok := slices.BinarySearchFunc(g.byID, id, func(pos int32, id string) int { return cmp.Compare(g.chunks[pos].ID, id) })
	if !ok {
		return 0, false
	}
	return g.byID[i], true
}

// Ready reports whether the index can answer: a snapshot was loaded or a
// refresh built one, and it holds at least one chunk.
func (ix *Index) Ready() bool { return len(ix.current().chunks) > 0 }

// NeedsBuild reports whether the index must be built before it can serve,
// with a reason to announce: no snapshot yet, the embedder changed, or the
// snapshot is unreadable ("snapshot unreadable: <why>"). It is false once a
// refresh or a reload succeeds.
func (ix *Index) NeedsBuild() (bool, string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.needReason != "", ix.needReason
}

// EmbedderMismatch reports whether the snapshot on disk was built with an
// embedder the configured one cannot query, and which: a build would
// replace its vectors, which is for a command that writes the index.
func (ix *Index) EmbedderMismatch() (builtWith EmbedderInfo, mismatch bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.builtWith, ix.builtWith.Name != ""
}

// Sources lists the indexed documents, sorted by DocID, with their chunk
// counts and the documents folded into them as copies. Only documents
// that own chunks appear: a document folded into another is listed in
// that one's AlsoReportedBy (and in Folds).
func (ix *Index) Sources() []SourceInfo {
	return slices.Clone(ix.current().sources())
}

// Folds lists the documents folded into others as copies, by the copy's
// DocID.
func (ix *Index) Folds() []Fold {
	return slices.Clone(ix.current().folds)
}

// Files returns what the serving index records of the corpus files it was
// built from, so a refresh can tell which files changed without reading
// them (see SourceStamp.Unchanged). The slice is shared: do not modify it.
func (ix *Index) Files() Files {
	return ix.current().files
}

// Stats describes the generation serving queries.
func (ix *Index) Stats() Stats {
	g := ix.current()
	return Stats{
		Documents:       g.docs,
		Chunks:          len(g.chunks),
		Embedder:        g.info,
		RefreshedAt:     g.builtAt,
		RefreshDuration: g.took,
		Folded:          len(g.folds),
	}
}

// RemoveTemps deletes every temporary snapshot in the index's directory,
// whatever its age, and returns their names: what writes killed midway
// leave behind. The caller must hold the writer lock that every process
// writing this index takes, so that none of them is writing one now;
// OpenIndex, which holds no such lock, removes only old ones.
func (ix *Index) RemoveTemps() []string {
	// A negative age takes files of any age, even with a clock skewed
	// ahead on a shared volume.
	removed := atomicfile.RemoveStale(filepath.Join(ix.dir, snapshotName), math.MinInt64+1, ix.now())
	for _, f := range removed {
		ix.log.Info("removed a temporary snapshot left by an interrupted write", "file", f)
	}
	return removed
}

// ReloadIfNewer loads the snapshot file when another process (a replica
// sharing the data directory) has replaced it with a newer build, and swaps
// it in. It reports whether it did. It returns false without error while a
// refresh runs in this process, and an error, keeping the current
// generation, when the newer snapshot is unreadable or built with another
// embedder.
func (ix *Index) ReloadIfNewer(ctx context.Context) (bool, error) {
	if !ix.refreshMu.TryLock() {
		return false, nil
	}
	defer ix.refreshMu.Unlock()
	path := filepath.Join(ix.dir, snapshotName)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reload index: %w", err)
	}
	ix.mu.Lock()
	same := ix.stamp == stampOf(fi)
	ix.mu.Unlock()
	if same {
		return false, nil
	}
	// One open: the header decides whether the body is read at all.
	cur := ix.current()
	var incompatible error
	newer := false
	snap, stamp, err := readSnapshotIf(ctx, path, func(h snapshotHeader) bool {
		if !h.BuiltAt.After(cur.builtAt) {
			return false
		}
		if !compatible(h.Embedder, ix.embedder.Info()) {
			incompatible = fmt.Errorf("reload index: the new snapshot was built with %s, this process embeds with %s",
				h.Embedder.String(), ix.embedder.Info().String())
			return false
		}
		newer = true
		return true
	})
	if err != nil {
		return false, fmt.Errorf("reload index: %w", err)
	}
	if incompatible != nil {
		return false, incompatible
	}
	if !newer {
		return false, nil
	}
	g, err := buildGeneration(snap.parts())
	if err != nil {
		return false, fmt.Errorf("reload index: %w", err)
	}
	ix.install(g, stamp)
	ix.log.Info("index reloaded from a newer snapshot", "chunks", len(g.chunks), "built_at", g.builtAt)
	return true, nil
}
