package answer

import (
	"context"
	"testing"
)

// TestRetrieveKeepsTheFirstQuerysTerms: merging the searches of several
// queries (a follow-up, a translated question) keeps the first query's
// terms and time frame, so an answer composed from them still refuses a
// question about a name no source mentions.
func TestRetrieveKeepsTheFirstQuerysTerms(t *testing.T) {
	e := ferryAnswerer(t)
	q := "How much did Japan pledge to the ferry project in 2023?"
	res, err := retrieve(context.Background(), e.searcher, []string{q, "ferry project pledge"}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Terms) == 0 || termIndex(res.Terms, "japan") < 0 {
		t.Fatalf("merged results have terms %+v, want the first query's", res.Terms)
	}
	if res.Time.Kind == 0 {
		t.Errorf("merged results lost the first query's time frame")
	}
	if a := Compose(q, res); !a.Refused {
		t.Errorf("Japan's pledge, which no source gives, composed from merged results: %q", a.Text)
	}
}
