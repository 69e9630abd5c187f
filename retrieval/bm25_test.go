package retrieval

import (
	"slices"
	"strings"
	"testing"

	"missionbot/text"
)

func TestCorrectFindsTheCorpusSpelling(t *testing.T) {
	lex := newBM25([]Chunk{
		{Text: "The defense minister signed the pact."},
		{Text: "Defense officials and the minister of defense met."},
		{Text: "Jovenel Moise was president."},
	})
	for in, want := range map[string]string{
		text.Terms("defence")[0]: text.Terms("defense")[0], // one edit away, the corpus spelling
		"jovenal":                "jovenel",
		"minister":               "minister",   // known terms stay
		"population":             "population", // nothing close: unchanged
		"def":                    "def",        // too short to correct
	} {
		if got := lex.correct(in); got != want {
			t.Errorf("correct(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSearchKeepsTheBestHits: the bounded selection returns exactly what
// scoring every chunk and sorting them all would, best first, ties by
// chunk index, for any n.
func TestSearchKeepsTheBestHits(t *testing.T) {
	words := strings.Fields("ferry harbour board pier storm crossing passenger captain deck rope tide quay")
	var chunks []Chunk
	for i := range 300 {
		var b strings.Builder
		for j := range 5 + i%7 {
			b.WriteString(words[(i*7+j*j)%len(words)] + " ")
		}
		chunks = append(chunks, Chunk{Text: b.String()})
	}
	lex := newBM25(chunks)
	var terms []weightedTerm
	for _, w := range []string{"ferry", "pier", "tide"} {
		id, ok := lex.terms[text.Terms(w)[0]]
		if !ok {
			t.Fatalf("%q not indexed", w)
		}
		terms = append(terms, weightedTerm{id: id, weight: 1})
	}
	// The reference: every chunk's score, fully sorted.
	var all []scored
	for i := range chunks {
		var s float32
		for _, wt := range terms {
			for _, p := range lex.postings(wt.id) {
				if int(p>>8) == i {
					f := float32(p & 0xff)
					norm := bm25K1 * (1 - bm25B + bm25B*lex.docLen[i]/lex.avgLen)
					s += float32(lex.idfOf(lex.df(wt.id))) * f * (bm25K1 + 1) / (f + norm)
				}
			}
		}
		if s > 0 {
			all = append(all, scored{idx: int32(i), score: s})
		}
	}
	slices.SortFunc(all, func(a, b scored) int {
		if better(a, b) {
			return -1
		}
		return 1
	})
	for _, n := range []int{1, 7, 40, len(all), len(all) + 10} {
		got := lex.search(terms, n)
		want := all[:min(n, len(all))]
		if !slices.Equal(got, want) {
			t.Fatalf("search(n=%d) = %v, want %v", n, got[:min(5, len(got))], want[:min(5, len(want))])
		}
	}
}
