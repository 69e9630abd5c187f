package retrieval

// Passage is a chunk returned by a search, with its rank and fused score.
type Passage struct {
	Chunk
	// Rank is the passage's 1-based position in the results.
	Rank int `json:"rank"`
	// Score is the fused relevance score; higher is better. Scores are
	// comparable within one result set only.
	Score float64 `json:"score"`
	// Relevant reports whether this passage cleared the relevance floor.
	Relevant bool `json:"relevant"`
}

// Results is the outcome of one search.
type Results struct {
	// Query is the text that was searched.
	Query string
	// Passages are the top-k passages in rank order, whether or not they
	// cleared the relevance floor, so callers can show or evaluate them.
	Passages []Passage
	// NothingRelevant is true when no passage cleared the relevance floor:
	// the corpus does not cover the query and an answerer must refuse.
	NothingRelevant bool
	// Notice says, for the user, how the search was degraded (e.g. it
	// matched keywords only); empty when it ran fully.
	Notice string
}

// Relevant returns the passages that cleared the relevance floor, in rank
// order; it is empty when NothingRelevant is true.
func (r Results) Relevant() []Passage {
	var out []Passage
	for _, p := range r.Passages {
		if p.Relevant {
			out = append(out, p)
		}
	}
	return out
}
