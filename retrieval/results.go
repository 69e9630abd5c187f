package retrieval

import "missionbot/text"

// Passage is a chunk returned by a search, with its rank, its fused score
// and how much of the query it holds. Whether that is enough to answer
// from is the answerers' decision, not the index's.
type Passage struct {
	Chunk
	// Rank is the passage's 1-based position in the results.
	Rank int `json:"rank"`
	// Score is the fused relevance score; higher is better. Scores are
	// comparable within one result set only.
	Score float64 `json:"score"`
	// Coverage is the IDF-weighted share of the query's content terms the
	// passage holds, counting close variants: 1 when it holds them all, near
	// 0 when it holds only the commonest (a term the corpus never uses
	// weighs the most).
	Coverage float64 `json:"coverage"`
	// Support is the best coverage of the query by a single sentence of the
	// passage that holds at least two of its terms together (one, when the
	// corpus knows only one): a passage that says "the capital" in one
	// sentence and "Benin" in another says nothing about Benin's capital.
	Support float64 `json:"support"`
}

// Results is the outcome of one search.
type Results struct {
	// Query is the text that was searched.
	Query string
	// Time is when the query is about, as text.ParseTimeFrame reads it;
	// passages were ranked with it.
	Time text.TimeFrame
	// Terms are the query's content terms as the corpus knows them: their
	// weights, whether the corpus uses them, the related words it uses
	// instead. Answerers match sentences through them.
	Terms []QueryTerm
	// Passages are the top-k passages in rank order. They are empty when
	// the index is empty or the query has no content terms.
	Passages []Passage
	// Coverage is the best Coverage of any passage the search considered,
	// returned or not.
	Coverage float64
	// Notice says, for the user, how the search was degraded (e.g. it
	// matched keywords only); empty when it ran fully.
	Notice string
}
