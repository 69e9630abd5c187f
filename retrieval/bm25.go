package retrieval

import (
	"maps"
	"math"
	"missionbot/text"
	"slices"
	"sort"
	"strings"
)

// BM25 parameters: the usual defaults, which suit news passages of
// 60–200 words.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// bm25 is an in-memory Okapi BM25 index over chunk texts. It is immutable
// once built and safe for concurrent searches. It is rebuilt from the chunks
// when a snapshot loads rather than persisted: building is a tokenising pass.
//
// Postings live in one exact-size arena of 4-byte entries (chunk index in
// the high 24 bits, term frequency capped at 255 in the low 8): at 100k
// chunks that is about a third of per-term slices of 8-byte structs, which
// matters because the index must fit in a memory budget beside the vectors.
type bm25 struct {
	terms  map[string]int32 // term -> id
	starts []uint32         // postings of term id: post[starts[id]:starts[id+1]]
	post   []uint32         // chunk index << 8 | min(tf, 255), by chunk index
	docLen []float32        // tokens per chunk
	sorted []string         // the vocabulary in order, for variant lookups
	avgLen float32
	n      int
}

// maxBM25Chunks is the most chunks the posting format can address.
const maxBM25Chunks = 1 << 24

// scored is one search hit: an index into the chunk slice and its score.
type scored struct {
	idx   int32
	score float32
}

// newBM25 indexes the texts of chunks; hits refer to positions in chunks.
// Chunks past maxBM25Chunks are left out of the lexical index (they remain
// searchable by vector).
func newBM25(chunks []Chunk) *bm25 {
	n := min(len(chunks), maxBM25Chunks)
	ix := &bm25{terms: make(map[string]int32), docLen: make([]float32, n), n: n}
	// First pass: every (term, chunk, tf) as one word, in chunk order.
	pairs := make([]uint64, 0, n*64)
	var df []uint32
	var total float64
	tf := map[int32]uint32{}
	for i, c := range chunks[:n] {
		toks := text.Tokens(c.Text)
		ix.docLen[i] = float32(len(toks))
		total += float64(len(toks))
		clear(tf)
		for _, t := range toks {
			if text.IsStopword(t) {
				continue // never searched: queries use content terms only
			}
			id, ok := ix.terms[t]
			if !ok {
				id = int32(len(df))
				ix.terms[t] = id
				df = append(df, 0)
			}
			tf[id]++
		}
		for id, f := range tf {
			df[id]++
			pairs = append(pairs, uint64(id)<<32|uint64(i)<<8|uint64(min(f, 255)))
		}
	}
	// Second pass: lay the postings out by term, each run in chunk order.
	ix.starts = make([]uint32, len(df)+1)
	for id, d := range df {
		ix.starts[id+1] = ix.starts[id] + d
	}
	ix.post = make([]uint32, len(pairs))
	next := slices.Clone(ix.starts[:len(df)])
	for _, p := range pairs {
		id := p >> 32
		ix.post[next[id]] = uint32(p)
		next[id]++
	}
	if n > 0 {
		ix.avgLen = float32(total / float64(n))
	}
	ix.sorted = slices.Sorted(maps.Keys(ix.terms))
	return ix
}

// maxForms bounds how many vocabulary variants one query term may match,
// so a short stem with many extensions cannot slow a search down.
const maxForms = 16

// forms returns the vocabulary terms that count as t, and their ids: t
// itself and its close variants (see text.IsVariant), such as "kenyan" for
// "kenya".
func (ix *bm25) forms(t string) ([]int32, []string) {
	var ids []int32
	var words []string
	if id, ok := ix.terms[t]; ok {
		ids, words = append(ids, id), append(words, t)
	}
	// Shorter forms: t minus up to three letters, at least five left.
	for cut := 1; cut <= 3 && len(t)-cut >= 5; cut++ {
		if id, ok := ix.terms[t[:len(t)-cut]]; ok {
			ids, words = append(ids, id), append(words, t[:len(t)-cut])
		}
	}
	if len(t) < 5 {
		return ids, words
	}
	// Longer forms: t plus up to three letters, found by prefix in order.
	for i, _ := slices.BinarySearch(ix.sorted, t); i < len(ix.sorted) && len(ids) < maxForms; i++ {
		u := ix.sorted[i]
		if !strings.HasPrefix(u, t) {
			break
		}
		if u != t && len(u)-len(t) <= 3 {
			ids, words = append(ids, ix.terms[u]), append(words, u)
		}
	}
	return ids, words
}

// has reports whether chunk holds term id: a binary search of the term's
// postings, which are in chunk order.
func (ix *bm25) has(id, chunk int32) bool {
	ps := ix.postings(id)
	i := sort.Search(len(ps), func(i int) bool { return int32(ps[i]>>8) >= chunk })
	return i < len(ps) && int32(ps[i]>>8) == chunk
}

// postings returns the postings of a term id.
func (ix *bm25) postings(id int32) []uint32 {
	return ix.post[ix.starts[id]:ix.starts[id+1]]
}

// idf is the BM25 inverse document frequency of a token. A token that no
// chunk contains gets the highest possible value: it is what makes a query
// about something the corpus never mentions stand out.
func (ix *bm25) idf(tok string) float64 {
	df := 0
	if id, ok := ix.terms[tok]; ok {
		df = ix.df(id)
	}
	return ix.idfOf(df)
}

// df is how many chunks hold term id.
func (ix *bm25) df(id int32) int { return len(ix.postings(id)) }

// idfOf is the BM25 inverse document frequency of a term df chunks hold.
func (ix *bm25) idfOf(df int) float64 {
	return math.Log(1 + (float64(ix.n)-float64(df)+0.5)/(float64(df)+0.5))
}

// weightedTerm is a vocabulary term a search scores by, with a weight
// multiplying its BM25 contribution.
type weightedTerm struct {
	id     int32
	weight float64
}

// search returns up to n chunks scoring above zero for the terms, best
// first (ties by chunk index). A term listed twice counts once, with its
// largest weight. Scores accumulate in a dense slice and the best n are
// kept in a bounded heap: a common query word has postings in thousands
// of chunks, which a map and a full sort made the costliest part of a
// search after the vector scan.
func (ix *bm25) search(terms []weightedTerm, n int) []scored {
	if ix.n == 0 || n <= 0 {
		return nil
	}
	weights := map[int32]float64{}
	for _, t := range terms {
		weights[t.id] = max(weights[t.id], t.weight)
	}
	acc := make([]float32, ix.n)
	var touched []int32
	for id, w := range weights {
		idf := float32(ix.idfOf(ix.df(id)) * w)
		if idf <= 0 {
			continue
		}
		for _, p := range ix.postings(id) {
			doc, f := int32(p>>8), float32(p&0xff)
			norm := bm25K1 * (1 - bm25B + bm25B*ix.docLen[doc]/ix.avgLen)
			if acc[doc] == 0 {
				touched = append(touched, doc)
			}
			acc[doc] += idf * f * (bm25K1 + 1) / (f + norm)
		}
	}
	top := topN{n: n}
	for _, doc := range touched {
		top.offer(scored{idx: doc, score: acc[doc]})
	}
	return top.sorted()
}

// topN keeps the n best hits offered, in a min-heap on (score, -index).
type topN struct {
	n    int
	heap []scored
}

// better reports whether a ranks before b: a higher score, or an equal
// score and a lower chunk index.
func better(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.idx < b.idx
}

func (t *topN) offer(h scored) {
	if len(t.heap) < t.n {
		t.heap = append(t.heap, h)
		for i := len(t.heap) - 1; i > 0; {
			parent := (i - 1) / 2
			if !better(t.heap[parent], t.heap[i]) {
				break
			}
			t.heap[parent], t.heap[i] = t.heap[i], t.heap[parent]
			i = parent
		}
		return
	}
	if !better(h, t.heap[0]) {
		return
	}
	t.heap[0] = h
	for i := 0; ; {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(t.heap) && better(t.heap[worst], t.heap[l]) {
			worst = l
		}
		if r < len(t.heap) && better(t.heap[worst], t.heap[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		t.heap[i], t.heap[worst] = t.heap[worst], t.heap[i]
		i = worst
	}
}

// sorted returns the hits kept, best first.
func (t *topN) sorted() []scored {
	slices.SortFunc(t.heap, func(a, b scored) int {
		if better(a, b) {
			return -1
		}
		return 1
	})
	return t.heap
}

// correct maps a token the corpus never uses to the closest one it does
// (one edit away, same first three letters, at least five letters long):
// "defence" finds "defense", "Jovenal" finds "Jovenel". It returns tok
// unchanged when the corpus has it or nothing is close.
func (ix *bm25) correct(tok string) string {
	if _, ok := ix.terms[tok]; ok || len(tok) < 5 || (tok[0] >= '0' && tok[0] <= '9') {
		return tok
	}
	// Candidates share the first three letters: one range of the sorted
	// vocabulary, not a scan of all of it.
	best, bestDF := tok, 0
	prefix := tok[:3]
	for i, _ := slices.BinarySearch(ix.sorted, prefix); i < len(ix.sorted) && strings.HasPrefix(ix.sorted[i], prefix); i++ {
		t := ix.sorted[i]
		if len(t) < 4 || !oneEdit(t, tok) {
			continue
		}
		if df := len(ix.postings(ix.terms[t])); df > bestDF {
			best, bestDF = t, df
		}
	}
	return best
}

// oneEdit reports whether a and b differ by exactly one insertion, deletion
// or substitution.
func oneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 || a == b {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}
