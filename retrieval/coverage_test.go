package retrieval

import (
	"context"
	"slices"
	"testing"

	"missionbot/corpus"
)

// TestSearchReportsHowTheCorpusHoldsEachTerm: a word the corpus never uses
// is matched through a related word it does use; a name of several words
// counts only as that sequence; a date weighs nothing in coverage.
func TestSearchReportsHowTheCorpusHoldsEachTerm(t *testing.T) {
	ix, _ := openTestIndex(t, t.TempDir(), newIxEmbedder())
	docs := []corpus.Document{
		{Meta: corpus.Meta{DocID: "a.txt", Title: "Visit"}, Text: "The president brought tea for the officers in September 2024. The court heard the appeal of the petitioners."},
		{Meta: corpus.Meta{DocID: "b.txt", Title: "Ruling"}, Text: "The High Court ruled that the deployment was unconstitutional. The government said it would appeal."},
	}
	mustRefresh(t, ix, docs, RefreshOptions{})
	res, err := ix.Search(context.Background(), "What beverage did the president bring in September 2024, and when did the Court of Appeal rule?", 5)
	if err != nil {
		t.Fatal(err)
	}
	terms := map[string]QueryTerm{}
	for _, qt := range res.Terms {
		terms[qt.Term] = qt
	}
	if b := terms["beverag"]; b.Known || !slices.Contains(b.Related, "tea") {
		t.Errorf("beverage: known %v, related %q; want unknown, matched through tea", b.Known, b.Related)
	}
	if c, ok := terms["court of appeal"]; !ok || !c.Sequence || c.Known {
		t.Errorf("Court of Appeal: %+v; want a name the corpus never writes as such", c)
	}
	if s := terms["september"]; !s.Frame || s.Weight != 0 {
		t.Errorf("september: %+v; want a frame word of no weight", s)
	}
	if b := terms["bring"]; !b.Known {
		t.Errorf("bring: %+v; the corpus says brought", b)
	}
}
