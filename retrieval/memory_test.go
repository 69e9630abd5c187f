package retrieval

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"missionbot/corpus"
)

// memChildEnv marks the re-executed test binary that takes the reading.
const memChildEnv = "MISSIONBOT_MEMTEST_CHILD"

// Size of the measured index: what a large deployment would hold.
const (
	memChunks     = 100_000
	memDim        = 384
	memWords      = 100 // words per chunk, as the chunker produces
	memChunksPerD = 20  // chunks per document
)

// memVectorBytes is the raw size of the vectors: 100k × 384 × 4 B.
const memVectorBytes = memChunks * memDim * 4

// memBudget is the largest acceptable RSS growth: the vectors once and a
// half (slice headers, chromem-go's documents) plus 100 MB for texts, IDs
// and the BM25 postings.
const memBudget = memVectorBytes*3/2 + 100_000_000

// TestIndexMemory measures the resident memory of a 100k-chunk, 384-dim
// index. The reading is taken in a fresh process (this test binary re-run
// on this test alone) so that other tests' garbage and caches do not count.
func TestIndexMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100k-chunk index; skipped under -short")
	}
	if raceSlowdown > 1 {
		t.Skip("the race detector's shadow memory makes an RSS reading meaningless")
	}
	if _, err := vmRSS(); err != nil {
		t.Skipf("no resident-memory reading on this system: %v", err)
	}
	if os.Getenv(memChildEnv) == "1" {
		measureIndexMemory(t)
		return
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestIndexMemory$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), memChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("measuring process failed: %v\n%s", err, out)
	}
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, "memtest:") {
			t.Log(strings.TrimSpace(line[strings.Index(line, "memtest:"):]))
		}
	}
	if !bytes.Contains(out, []byte("--- PASS: TestIndexMemory")) {
		t.Fatalf("measuring process did not run the test:\n%s", out)
	}
}

// measureIndexMemory builds the index in this process and checks its RSS
// growth against memBudget.
func measureIndexMemory(t *testing.T) {
	words := corpusWords(t)
	base := settledRSS(t)
	heap0 := liveHeap()

	start := time.Now()
	chunks, vecs, textBytes := memInputs(t, words)
	heapInputs := liveHeap()
	g, err := newGeneration(EmbedderInfo{Name: "local", Model: localModel, Dim: memDim}, chunks, vecs, time.Now(), 0)
	if err != nil {
		t.Fatalf("build generation: %v", err)
	}
	built := time.Since(start)

	after := settledRSS(t)
	heapIndex := liveHeap()
	growth := after - base

	// Where the memory goes, for whoever has to shrink it: the BM25 part is
	// measured by building a second copy once the RSS has been read.
	lex := newBM25(g.chunks)
	heapBM25 := liveHeap() - heapIndex
	runtime.KeepAlive(lex)
	runtime.KeepAlive(g)

	mb := func(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
	t.Logf("memtest: %d chunks × %d dims, text %s, raw vectors %s, built in %v",
		len(g.chunks), memDim, mb(textBytes), mb(memVectorBytes), built.Round(time.Millisecond))
	t.Logf("memtest: RSS before %s, after %s, growth %s (%.2f × raw vectors); budget %s",
		mb(base), mb(after), mb(growth), float64(growth)/memVectorBytes, mb(memBudget))
	t.Logf("memtest: live heap: inputs (vectors, texts, IDs, chunk structs) %s; index structures %s, of which BM25 %s",
		mb(heapInputs-heap0), mb(heapIndex-heapInputs), mb(heapBM25))
	if len(g.chunks) != memChunks || len(g.lex.docLen) != memChunks || g.coll.Count() != memChunks {
		t.Fatalf("index holds %d chunks, %d BM25 documents, %d vectors; want %d of each",
			len(g.chunks), len(g.lex.docLen), g.coll.Count(), memChunks)
	}
	if growth >= memBudget {
		t.Errorf("RSS grew %s for the index, over the budget of %s (1.5 × %s of vectors + 100 MB)",
			mb(growth), mb(memBudget), mb(memVectorBytes))
	}
}

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// corpusWords returns the built-in corpus as one stream of words, so the
// synthetic chunks have the real vocabulary and word frequencies.
func corpusWords(t *testing.T) []string {
	t.Helper()
	docs, _, err := corpus.Load(corpus.Embedded(), nil)
	if err != nil {
		t.Fatalf("load corpus: %v", err)
	}
	var words []string
	for _, d := range docs {
		words = append(words, strings.Fields(d.Text)...)
	}
	if len(words) < 10*memWords {
		t.Fatalf("corpus has only %d words", len(words))
	}
	return words
}

// memInputs makes the chunks and vectors of a memChunks index: windows of the
// corpus word stream (each its own string, as chunking makes), the real
// chunk ID scheme, documents of memChunksPerD chunks, random unit vectors.
// Vectors, texts and IDs are made in separate passes so that no temporary
// garbage lands between the objects the index keeps: interleaved garbage
// would leave half-used heap spans and bill the generator's waste to the
// index.
func memInputs(t *testing.T, words []string) ([]Chunk, [][]float32, int64) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 384))
	vecs := make([][]float32, memChunks)
	for i := range vecs {
		v := make([]float32, memDim)
		var sum float64
		for k := range v {
			x := r.NormFloat64()
			v[k] = float32(x)
			sum += x * x
		}
		scale := float32(1 / math.Sqrt(sum))
		for k := range v {
			v[k] *= scale
		}
		vecs[i] = v
	}
	window := func() string {
		at := r.IntN(len(words) - memWords)
		return strings.Join(words[at:at+memWords], " ") // one exact allocation
	}
	chunks := make([]Chunk, memChunks)
	var textBytes int64
	for i := range chunks {
		chunks[i].Text = window()
		textBytes += int64(len(chunks[i].Text))
	}
	seen := make(map[string]bool, memChunks)
	var meta corpus.Meta
	for i := range chunks {
		if i%memChunksPerD == 0 {
			n := i / memChunksPerD
			at := n % (len(words) - 12)
			meta = corpus.Meta{
				DocID:     fmt.Sprintf("%06d_%016x.txt", n, r.Uint64()),
				Title:     strings.Join(words[at:at+12], " "),
				Publisher: "Example News",
				Published: "2025-03-14",
				URL:       fmt.Sprintf("https://news.example.org/haiti/%d", n),
			}
		}
		id := chunkID(meta.DocID, chunks[i].Text)
		for seen[id] { // the same window drawn twice for one document
			textBytes -= int64(len(chunks[i].Text))
			chunks[i].Text = window()
			textBytes += int64(len(chunks[i].Text))
			id = chunkID(meta.DocID, chunks[i].Text)
		}
		seen[id] = true
		chunks[i].ID, chunks[i].Meta, chunks[i].Seq = id, meta, i%memChunksPerD
	}
	return chunks, vecs, textBytes
}

// settledRSS collects garbage, returns freed memory to the OS and reads
// the resident set size, so the reading holds live data only.
func settledRSS(t *testing.T) int64 {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	n, err := vmRSS()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// vmRSS reads this process's resident set size from /proc/self/status.
func vmRSS() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("read RSS: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("read RSS: unexpected VmRSS line %q", sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("read RSS: %w", err)
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read RSS: %w", err)
	}
	return 0, errors.New("read RSS: no VmRSS line in /proc/self/status")
}

func TestVMRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc on this system")
	}
	// Return earlier tests' garbage to the OS first, or the scavenger may
	// release it between the two readings and hide the growth.
	runtime.GC()
	debug.FreeOSMemory()
	before, err := vmRSS()
	if err != nil {
		t.Fatal(err)
	}
	// Touch 64 MB so the reading must move.
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	after, err := vmRSS()
	runtime.KeepAlive(buf)
	if err != nil {
		t.Fatal(err)
	}
	if before <= 0 || after-before < 32<<20 {
		t.Errorf("RSS %d → %d after touching 64 MB; the reading does not track memory", before, after)
	}
}
