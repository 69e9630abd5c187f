package retrieval

import (
	"missionbot/text"
	"slices"
)

// coverageQuery is a query prepared for measuring how much of it each
// passage holds.
type coverageQuery struct {
	lex     *bm25
	terms   []string  // the content terms
	forms   [][]int32 // per content term, the vocabulary ids that count as it
	weights []float64 // per content term, its IDF
	total   float64
	known   int // how many terms the corpus uses
}

// coverageQuery prepares query's content terms with their weights (IDF:
// a term the corpus never uses weighs the most) and their forms.
func (ix *bm25) coverageQuery(query string) coverageQuery {
	q := coverageQuery{lex: ix}
	for _, t := range text.Terms(query) {
		w := ix.idf(t)
		forms := ix.forms(t)
		if len(forms) > 0 {
			q.known++
		}
		q.terms = append(q.terms, t)
		q.forms = append(q.forms, forms)
		q.weights = append(q.weights, w)
		q.total += w
	}
	return q
}

// support is the best coverage of the query by a single sentence of text
// that holds at least two of its terms together (one, when the corpus
// knows only one). A passage that says "the capital" in one sentence and
// "Benin" in another says nothing about Benin's capital.
func (q coverageQuery) support(passage string) float64 {
	if q.total == 0 {
		return 0
	}
	need := min(2, q.known)
	best := 0.0
	for _, s := range text.SplitSentences(passage) {
		toks := text.Tokens(s)
		var got float64
		hits := 0
		for i, t := range q.terms {
			if slices.ContainsFunc(toks, func(u string) bool { return text.Matches(t, u) }) {
				got += q.weights[i]
				hits++
			}
		}
		if hits >= max(need, 1) {
			best = max(best, got/q.total)
		}
	}
	return best
}

// coverage is the IDF-weighted share of the query's content terms that
// chunk holds: 1 when it holds them all, near 0 when it holds only the
// commonest ones. A term also counts when the chunk has a close variant of
// it (see text.IsVariant): "Kenya" is covered by "Kenyan".
func (q coverageQuery) coverage(chunk int32) float64 {
	if q.total == 0 {
		return 0
	}
	var got float64
	for i, forms := range q.forms {
		for _, id := range forms {
			if q.lex.has(id, chunk) {
				got += q.weights[i]
				break
			}
		}
	}
	return got / q.total
}
