package retrieval

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"missionbot/corpus"
	"missionbot/internal/synth"
	"strings"
	"sync"
	"testing"
	"time"
)

const benchDim = 384

// fixedEmbedder returns the same normalised vector for every text, so a
// benchmark measures search rather than embedding.
type fixedEmbedder struct{ v []float32 }

var _ Embedder = fixedEmbedder{}

func (e fixedEmbedder) Info() EmbedderInfo {
	return EmbedderInfo{Name: "local", Model: localModel, Dim: len(e.v)}
}

func (e fixedEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = e.v
	}
	return out, nil
}

func randomUnit(r *rand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	v, _ = unitVector(v)
	return v
}

// benchFixture is a generation of n synthetic chunks with random vectors,
// built directly rather than through Refresh to keep setup fast.
type benchFixture struct {
	gen     *generation
	queries []string
	qvec    []float32
}

// benchFixtures caches fixtures per size across benchmarks in one run.
var benchFixtures struct {
	sync.Mutex
	m map[int]*benchFixture
}

func benchFixtureFor(b *testing.B, n int) *benchFixture {
	b.Helper()
	benchFixtures.Lock()
	defer benchFixtures.Unlock()
	if f, ok := benchFixtures.m[n]; ok {
		return f
	}
	start := time.Now()
	r := rand.New(rand.NewPCG(uint64(n), 42))
	vocab := synth.Vocabulary(5000)
	chunks := make([]Chunk, n)
	vecs := make([][]float32, n)
	for i := range chunks {
		doc := i / 10
		chunks[i] = Chunk{
			ID:   fmt.Sprintf("c%07d", i),
			Meta: corpus.Meta{DocID: fmt.Sprintf("doc%06d.txt", doc), Title: fmt.Sprintf("Document %d", doc)},
			Seq:  i % 10,
			Text: synth.Paragraph(r, vocab),
		}
		vecs[i] = randomUnit(r, benchDim)
	}
	g, err := newGeneration(EmbedderInfo{Name: "local", Model: localModel, Dim: benchDim}, chunks, vecs, time.Now(), 0)
	if err != nil {
		b.Fatal(err)
	}
	f := &benchFixture{gen: g, qvec: randomUnit(r, benchDim)}
	for i := range 64 {
		// Queries of four to six words taken from one chunk, as a user
		// quoting a story would type.
		words := strings.Fields(chunks[(i*7919)%n].Text)
		lo := r.IntN(len(words) - 6)
		f.queries = append(f.queries, strings.Join(words[lo:lo+4+r.IntN(3)], " "))
	}
	if benchFixtures.m == nil {
		benchFixtures.m = map[int]*benchFixture{}
	}
	benchFixtures.m[n] = f
	b.Logf("fixture of %d chunks built in %v", n, time.Since(start))
	return f
}

func benchIndex(f *benchFixture, emb Embedder) *Index {
	ix := &Index{embedder: emb, log: slog.New(slog.DiscardHandler), now: time.Now}
	ix.gen.Store(f.gen)
	return ix
}

func BenchmarkChromemQuery(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			f := benchFixtureFor(b, n)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res, err := f.gen.coll.QueryEmbedding(ctx, f.qvec, 10, nil, nil)
				if err != nil || len(res) != 10 {
					b.Fatalf("query: %d results, %v", len(res), err)
				}
			}
		})
	}
}

func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			f := benchFixtureFor(b, n)
			ix := benchIndex(f, fixedEmbedder{v: f.qvec})
			benchSearch(b, ix, f)
		})
	}
}

func BenchmarkSearchLocalEmbedder(b *testing.B) {
	b.Run("chunks=10000", func(b *testing.B) {
		f := benchFixtureFor(b, 10_000)
		benchSearch(b, benchIndex(f, NewLocalEmbedder(benchDim)), f)
	})
}

func benchSearch(b *testing.B, ix *Index, f *benchFixture) {
	b.Helper()
	ctx := context.Background()
	// The lexicon of related words is read once per process, on the first
	// search; it is no part of each search's cost.
	if _, err := ix.Search(ctx, f.queries[0], 5); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		res, err := ix.Search(ctx, f.queries[i%len(f.queries)], 5)
		if err != nil || len(res.Passages) == 0 {
			b.Fatalf("search: %d passages, %v", len(res.Passages), err)
		}
		i++
	}
}

// BenchmarkIngest measures a full build of about 10k chunks with the local
// embedder: chunking, embedding, the chromem-go and BM25 indexes and the
// snapshot write.
func BenchmarkIngest(b *testing.B) {
	docs := ixDocsWithChunks(10_000)
	chunks := len(ChunkDocuments(docs))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ix, err := OpenIndex(ctx, b.TempDir(), NewLocalEmbedder(benchDim), IndexOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		st, err := ix.Refresh(ctx, docs, RefreshOptions{})
		if err != nil || st.ChunksEmbedded != chunks {
			b.Fatalf("refresh: %+v, %v", st, err)
		}
	}
	b.ReportMetric(float64(chunks*b.N)/b.Elapsed().Seconds(), "chunks/s")
}

// ixDocsWithChunks returns synthetic documents that chunk into at least n
// chunks, whatever the chunker's sizing.
func ixDocsWithChunks(n int) []corpus.Document {
	docs := synth.Documents(21, n/20, 20)
	if got := len(ChunkDocuments(docs)); got < n {
		docs = synth.Documents(21, (n/20)*n/max(got, 1)+1, 20)
	}
	return docs
}

// TestRefreshNoChangeIsFast: with 10k chunks indexed, a refresh of the same
// documents embeds nothing and returns within a second.
func TestRefreshNoChangeIsFast(t *testing.T) {
	docs := ixDocsWithChunks(10_000)
	emb := &ixEmbedder{inner: NewLocalEmbedder(benchDim)}
	ix, _ := openTestIndex(t, t.TempDir(), emb)
	first := mustRefresh(t, ix, docs, RefreshOptions{})
	if first.ChunksTotal < 10_000 {
		t.Fatalf("only %d chunks", first.ChunksTotal)
	}
	emb.calls.Store(0)
	start := time.Now()
	st := mustRefresh(t, ix, docs, RefreshOptions{})
	took := time.Since(start)
	if calls := emb.calls.Load(); calls != 0 || st.ChunksEmbedded != 0 {
		t.Errorf("unchanged refresh made %d embedding calls, embedded %d chunks", calls, st.ChunksEmbedded)
	}
	if limit := time.Second * raceSlowdown; took > limit {
		t.Errorf("unchanged refresh of %d chunks took %v, limit %v", st.ChunksTotal, took, limit)
	}
	t.Logf("unchanged refresh of %d chunks: %v (first build %v)", st.ChunksTotal, took, first.Duration)
}

// BenchmarkSnapshotLoad measures what OpenIndex does with a 100k-chunk
// snapshot: read and verify the file, then build the chromem-go collection
// and the BM25 index.
func BenchmarkSnapshotLoad(b *testing.B) {
	f := benchFixtureFor(b, 100_000)
	dir := b.TempDir()
	ctx := context.Background()
	g := f.gen
	if _, err := writeSnapshot(ctx, dir, &snapshot{
		header:   snapshotHeader{Embedder: g.info, BuiltAt: g.builtAt, Dim: g.info.Dim},
		genParts: genParts{chunks: g.chunks, vecs: g.vecs, lex: g.lex},
	}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ix, err := OpenIndex(ctx, dir, fixedEmbedder{v: f.qvec}, IndexOptions{})
		if err != nil || ix.Stats().Chunks != len(g.chunks) {
			b.Fatalf("open: %+v, %v", ix.Stats(), err)
		}
	}
}
