package retrieval

import (
	"math"
	"sort"
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
type bm25 struct {
	terms    map[string]int32 // term -> id
	postings [][]posting      // by term id
	docLen   []float32        // tokens per chunk
	avgLen   float32
	n        int
}

type posting struct {
	doc int32
	tf  float32
}

// scored is one search hit: an index into the chunk slice and its score.
type scored struct {
	idx   int32
	score float32
}

// newBM25 indexes the texts of chunks; hits refer to positions in chunks.
func newBM25(chunks []Chunk) *bm25 {
	ix := &bm25{terms: make(map[string]int32), docLen: make([]float32, len(chunks)), n: len(chunks)}
	var total float64
	tf := map[int32]float32{}
	for i, c := range chunks {
		toks := tokenize(c.Text)
		ix.docLen[i] = float32(len(toks))
		total += float64(len(toks))
		clear(tf)
		for _, t := range toks {
			id, ok := ix.terms[t]
			if !ok {
				id = int32(len(ix.postings))
				ix.terms[t] = id
				ix.postings = append(ix.postings, nil)
			}
			tf[id]++
		}
		for id, f := range tf {
			ix.postings[id] = append(ix.postings[id], posting{doc: int32(i), tf: f})
		}
	}
	if len(chunks) > 0 {
		ix.avgLen = float32(total / float64(len(chunks)))
	}
	return ix
}

// idf is the BM25 inverse document frequency of a token. A token that no
// chunk contains gets the highest possible value: it is what makes a query
// about something the corpus never mentions stand out.
func (ix *bm25) idf(tok string) float64 {
	df := 0
	if id, ok := ix.terms[tok]; ok {
		df = len(ix.postings[id])
	}
	return math.Log(1 + (float64(ix.n)-float64(df)+0.5)/(float64(df)+0.5))
}

// search returns up to n chunks scoring above zero for the query's
// non-stopword terms, best first.
func (ix *bm25) search(query string, n int) []scored {
	if ix.n == 0 || n <= 0 {
		return nil
	}
	acc := map[int32]float32{}
	for _, t := range contentTerms(query) {
		id, ok := ix.terms[t]
		if !ok {
			continue
		}
		idf := float32(ix.idf(t))
		for _, p := range ix.postings[id] {
			norm := bm25K1 * (1 - bm25B + bm25B*ix.docLen[p.doc]/ix.avgLen)
			acc[p.doc] += idf * p.tf * (bm25K1 + 1) / (p.tf + norm)
		}
	}
	hits := make([]scored, 0, len(acc))
	for doc, s := range acc {
		hits = append(hits, scored{idx: doc, score: s})
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].idx < hits[j].idx
	})
	if len(hits) > n {
		hits = hits[:n]
	}
	return hits
}

// correct maps a token the corpus never uses to the closest one it does
// (one edit away, same first three letters, at least five letters long):
// "defence" finds "defense", "Jovenal" finds "Jovenel". It returns tok
// unchanged when the corpus has it or nothing is close.
func (ix *bm25) correct(tok string) string {
	if _, ok := ix.terms[tok]; ok || len(tok) < 5 || isDigitByte(tok[0]) {
		return tok
	}
	best, bestDF := tok, 0
	for t, id := range ix.terms {
		if len(t) < 4 || t[:3] != tok[:3] || !oneEdit(t, tok) {
			continue
		}
		if df := len(ix.postings[id]); df > bestDF || (df == bestDF && t < best) {
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
