package retrieval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"missionbot/text"
	"sort"
	"time"
)

// Search tuning.
const (
	// rrfK is reciprocal rank fusion's damping constant (Cormack et al.).
	rrfK = 60
	// minCandidates is the least number of candidates drawn from each of the
	// vector and lexical rankings before fusion.
	minCandidates = 40
	// mmrLambda trades relevance against novelty when picking passages.
	mmrLambda = 0.75
	// nearDuplicate is the cosine above which a passage repeats one already
	// picked and is skipped.
	nearDuplicate = 0.95
	// maxPerDocument caps passages from one document in a result, so one
	// long article cannot crowd out the others.
	maxPerDocument = 3
)

// candidate is a chunk considered by one search.
type candidate struct {
	idx      int32
	fused    float64
	coverage float64
	vec      []float32
}

// Search finds the k passages most relevant to query: vector similarity
// and BM25 fused by reciprocal rank, weighted by how much of the query each
// passage covers, diversified by maximal marginal relevance with a
// per-document cap. Each passage carries its Coverage and Support, so an
// answerer can decide whether the corpus covers the question. k must be at
// least 1.
func (ix *Index) Search(ctx context.Context, query string, k int) (Results, error) {
	if k < 1 {
		return Results{}, fmt.Errorf("search: k is %d, want at least 1", k)
	}
	g := ix.current()
	res := Results{Query: query}
	if len(g.chunks) == 0 || len(text.Terms(query)) == 0 {
		return res, nil
	}
	qvec, err := ix.embedQuery(ctx, query, g.info.Dim)
	if err != nil {
		if ctx.Err() != nil {
			return res, fmt.Errorf("search: %w", context.Cause(ctx))
		}
		// An embedding service that is down must not take answers down
		// with it: BM25 alone still finds passages.
		ix.log.Warn("search: query embedding failed; matching keywords only", "err", err)
		res.Notice = NoticeKeywordsOnly
		if errors.Is(err, ErrDimensionMismatch) {
			res.Notice = NoticeDimensionMismatch
		}
	}
	q := g.lex.coverageQuery(query, g.chunks)
	res.Terms = q.public()
	cands, err := g.candidates(ctx, q, qvec, max(k*8, minCandidates))
	if err != nil {
		return res, err
	}
	res.Coverage = bestCoverage(cands)
	frame := text.ParseTimeFrame(query)
	res.Time = frame
	if frame.Kind != text.TimeNone {
		g.weighByTime(cands, frame)
	}
	perDoc := maxPerDocument
	if frame.Kind == text.TimeChange {
		// A change is told by several sources: one passage each first.
		perDoc = 1
	}
	for i, c := range diversify(cands, k, g.chunks, perDoc) {
		text := g.chunks[c.idx].Text
		res.Passages = append(res.Passages, Passage{Chunk: g.chunks[c.idx], Rank: i + 1, Score: round4(c.fused),
			Coverage: c.coverage, Support: q.support(text)})
	}
	return res, nil
}

// NoticeKeywordsOnly is the Results.Notice of a search that could not embed
// its query and matched keywords only.
const NoticeKeywordsOnly = "The embedding service is unavailable, so this search matched keywords only."

// NoticeDimensionMismatch is the Results.Notice of a search whose query
// vector does not match the index: the embedding model changed since the
// index was built.
const NoticeDimensionMismatch = "The embedding model no longer matches the index, so this search matched keywords only; rebuild the index with `missionbot ingest`."

// queryEmbedTimeout bounds embedding one query, retries included; past it
// the search goes on with keywords alone.
const queryEmbedTimeout = 5 * time.Second

// embedQuery embeds query with the index's embedder, within
// queryEmbedTimeout, checking the vector against the index dimension.
func (ix *Index) embedQuery(ctx context.Context, query string, dim int) ([]float32, error) {
	ctx, cancel := context.WithTimeout(ctx, queryEmbedTimeout)
	defer cancel()
	vecs, err := ix.embedder.Embed(ctx, []string{query})
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	if len(vecs) != 1 || (dim > 0 && len(vecs[0]) != dim) {
		return nil, fmt.Errorf("query vector has %d dimensions, the index %d (was the embedding model changed? rebuild the index with `missionbot ingest`): %w",
			vecLen(vecs), dim, ErrDimensionMismatch)
	}
	return vecs[0], nil
}

func vecLen(v [][]float32) int {
	if len(v) == 0 {
		return 0
	}
	return len(v[0])
}

// candidates fuses the vector and lexical rankings of up to n chunks each.
func (g *generation) candidates(ctx context.Context, q coverageQuery, qvec []float32, n int) ([]candidate, error) {
	n = min(n, g.coll.Count(), len(g.chunks))
	byIdx := map[int32]*candidate{}
	get := func(idx int32) *candidate {
		c, ok := byIdx[idx]
		if !ok {
			c = &candidate{idx: idx}
			byIdx[idx] = c
		}
		return c
	}
	if n > 0 && qvec != nil {
		// chromem-go errors when n exceeds the collection size, hence the clamp above.
		hits, err := g.coll.QueryEmbedding(ctx, qvec, n, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("search: vector query: %w", err)
		}
		for rank, h := range hits {
			idx, ok := g.find(h.ID)
			if !ok {
				continue
			}
			c := get(idx)
			c.fused += 1.0 / float64(rrfK+rank+1)
			c.vec = h.Embedding
		}
	}
	for rank, h := range g.lex.search(q.bm25Terms(), max(n, minCandidates)) {
		c := get(h.idx)
		c.fused += 1.0 / float64(rrfK+rank+1)
		if c.vec == nil {
			// A lexical-only hit: diversification compares its vector too.
			c.vec = g.vecs[h.idx]
		}
	}
	out := make([]candidate, 0, len(byIdx))
	for _, c := range byIdx {
		c.coverage = q.coverage(c.idx)
		// Fusion ranks passages that share vocabulary with the query; the
		// coverage weight prefers those holding its rarest terms.
		c.fused *= 0.5 + c.coverage
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].fused != out[j].fused {
			return out[i].fused > out[j].fused
		}
		return out[i].idx < out[j].idx
	})
	return out, nil
}

func bestCoverage(cands []candidate) float64 {
	best := 0.0
	for _, c := range cands {
		best = math.Max(best, c.coverage)
	}
	return best
}

// diversify picks k candidates by maximal marginal relevance, skipping near
// duplicates and taking at most perDoc passages per document (more only
// when other documents run out).
func diversify(cands []candidate, k int, chunks []Chunk, perDoc int) []candidate {
	picked := diversifyCapped(cands, k, chunks, perDoc, nil)
	if len(picked) < k && perDoc < maxPerDocument {
		picked = diversifyCapped(cands, k, chunks, maxPerDocument, picked)
	}
	return picked
}

// diversifyCapped extends picked to k candidates by maximal marginal
// relevance with at most limit passages per document.
func diversifyCapped(cands []candidate, k int, chunks []Chunk, limit int, picked []candidate) []candidate {
	if len(cands) == 0 {
		return nil
	}
	top := cands[0].fused
	perDoc := map[string]int{}
	used := make([]bool, len(cands))
	for _, p := range picked {
		perDoc[chunks[p.idx].Meta.DocID]++
		for i, c := range cands {
			if c.idx == p.idx {
				used[i] = true
			}
		}
	}
	// sims[i] is candidate i's highest similarity to the picked passages:
	// computed once against those picked before, then updated against the
	// newest pick only, so picking costs k passes over the candidates, not
	// k² (the llm answerer asks for twice k).
	sims := make([]float64, len(cands))
	for i, c := range cands {
		for _, p := range picked {
			sims[i] = math.Max(sims[i], cosine(c.vec, p.vec))
		}
	}
	given := len(picked)
	for len(picked) < k {
		best, bestScore := -1, math.Inf(-1)
		for i, c := range cands {
			if used[i] || perDoc[chunks[c.idx].Meta.DocID] >= limit {
				continue
			}
			if n := len(picked); n > given {
				sims[i] = math.Max(sims[i], cosine(c.vec, picked[n-1].vec))
			}
			sim := sims[i]
			if sim >= nearDuplicate {
				used[i] = true
				continue
			}
			score := mmrLambda*c.fused/top - (1-mmrLambda)*sim
			if score > bestScore {
				best, bestScore = i, score
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		picked = append(picked, cands[best])
		perDoc[chunks[cands[best].idx].Meta.DocID]++
	}
	return picked
}

// cosine of two normalised vectors; 0 when either is missing (a lexical-only
// candidate whose vector was not fetched).
func cosine(a, b []float32) float64 {
	if len(a) == 0 || len(a) != len(b) {
		return 0
	}
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
