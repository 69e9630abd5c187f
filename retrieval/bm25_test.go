package retrieval

import (
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
