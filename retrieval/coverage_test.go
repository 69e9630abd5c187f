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

// TestParaphraseOfAKnownWordRanks: a passage saying what the query asks in
// other words ("permit" for "allow") ranks above one that shares only the
// query's other words, even when the corpus uses the query's word
// elsewhere; it still does not count as holding the word.
func TestParaphraseOfAKnownWordRanks(t *testing.T) {
	ix, _ := openTestIndex(t, t.TempDir(), newIxEmbedder())
	docs := []corpus.Document{
		{Meta: corpus.Meta{DocID: "talks.txt"}, Text: "The harbour board will discuss the night crossing from June. Fishermen asked for the meeting after two collisions last winter."},
		{Meta: corpus.Meta{DocID: "ruling.txt"}, Text: "The harbour board will permit the night crossing from June. The ferry operator welcomed the decision and hired four more pilots."},
		{Meta: corpus.Meta{DocID: "dogs.txt"}, Text: "Dogs are allowed on deck if they stay on a lead."},
		{Meta: corpus.Meta{DocID: "pier.txt"}, Text: "The pier was repaired after the storm."},
	}
	mustRefresh(t, ix, docs, RefreshOptions{})
	g := ix.current()
	q := g.lex.coverageQuery("Will the harbour board allow the night crossing?", g.chunks)
	hits := g.lex.search(q.bm25Terms(), 3)
	if len(hits) < 2 || g.chunks[hits[0].idx].Meta.DocID != "ruling.txt" || hits[0].score <= hits[1].score {
		t.Fatalf("keyword ranking %+v, want the passage saying permit first", hits)
	}
	for _, qt := range q.public() {
		if ok, _ := qt.Holds([]string{"permit"}); qt.Term == "allow" && ok {
			t.Errorf("allow: %+v; a related word must not count as the word itself", qt)
		}
	}
	if c := q.coverage(hits[0].idx); c != q.coverage(hits[1].idx) {
		t.Errorf("coverage %.2f and %.2f: a related word must not count as the word itself", c, q.coverage(hits[1].idx))
	}
}

// TestNamesAcrossAnIrregularVerb: "did" between two names is a verb, not
// the connector "do" of a name ("Banco do Brasil"), so "Which vaccine did
// Gavi buy from Bavarian Nordic?" asks about Gavi and Bavarian Nordic, not
// about a name "MVA-BN do Gavi" that no source writes.
func TestNamesAcrossAnIrregularVerb(t *testing.T) {
	ix, _ := openTestIndex(t, t.TempDir(), newIxEmbedder())
	docs := []corpus.Document{
		{Meta: corpus.Meta{DocID: "a.txt", Title: "Order"}, Text: "Gavi bought 500,000 doses of MVA-BN from Bavarian Nordic. The loan came from Banco do Brasil."},
	}
	mustRefresh(t, ix, docs, RefreshOptions{})
	tests := []struct {
		query string
		want  []string // terms the query must have, each known to the corpus
	}{
		{"How many doses of MVA-BN did Gavi buy?", []string{"gavi"}},
		{"Which lender did Gavi use, and did Banco do Brasil lend?", []string{"gavi", "banco do brasil"}},
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), tt.query, 5)
		if err != nil {
			t.Fatal(err)
		}
		terms := map[string]QueryTerm{}
		for _, qt := range res.Terms {
			terms[qt.Term] = qt
			if qt.Name && !qt.Known && len(qt.Related) == 0 {
				t.Errorf("%q: name %q is unknown to the corpus", tt.query, qt.Term)
			}
		}
		for _, w := range tt.want {
			if qt, ok := terms[w]; !ok || !qt.Known {
				t.Errorf("%q: term %q = %+v, want a known term (terms %v)", tt.query, w, qt, res.Terms)
			}
		}
	}
}

// TestOneTermCarryingTheQuestionSupportsIt: in a corpus about one body,
// "Who is the treasurer of the Harbour Authority?" is answered by a
// sentence naming the treasurer without the authority's full name:
// the authority is in every passage and says little.
func TestOneTermCarryingTheQuestionSupportsIt(t *testing.T) {
	ix, _ := openTestIndex(t, t.TempDir(), newIxEmbedder())
	var docs []corpus.Document
	for i, body := range []string{
		"The Harbour Authority said the north quay would close for repairs. Treasurer Jo Vass said the work would take a month.",
		"The Harbour Authority raised mooring fees by 4 percent.",
		"The Harbour Authority opened a new ferry terminal on Monday.",
		"The Harbour Authority reported record cargo volumes for the year.",
	} {
		docs = append(docs, corpus.Document{Meta: corpus.Meta{DocID: string(rune('a'+i)) + ".txt", Title: "Harbour news"}, Text: body})
	}
	mustRefresh(t, ix, docs, RefreshOptions{})
	res, err := ix.Search(context.Background(), "Who is the treasurer of the Harbour Authority?", 4)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range res.Passages {
		if p.Meta.DocID == "a.txt" {
			found = true
			if p.Support < 0.5 {
				t.Errorf("support of %q = %.2f, want the treasurer's sentence to support the question", p.Text, p.Support)
			}
		}
	}
	if !found {
		t.Errorf("the passage naming the treasurer is not among %d results", len(res.Passages))
	}
}

// TestSearchAcrossLanguages: an English question finds a French report
// through the glossary's renderings ("level" → "niveau"), and a French
// question finds the English report even though a French document uses
// its words too.
func TestSearchAcrossLanguages(t *testing.T) {
	ix, _ := openTestIndex(t, t.TempDir(), newIxEmbedder())
	docs := []corpus.Document{
		{Meta: corpus.Meta{DocID: "fr.txt", Title: "Le lac baisse"}, Text: "Le niveau du lac Orrin est tombé à 81 pieds en mars, selon l'autorité du port."},
		{Meta: corpus.Meta{DocID: "en.txt", Title: "Ferry timetable"}, Text: "The ferry now sails twelve times a day between the two towns on the lake."},
		{Meta: corpus.Meta{DocID: "en2.txt", Title: "Town budget"}, Text: "The city council approved a budget of $4 million for the new city library."},
		{Meta: corpus.Meta{DocID: "fr2.txt", Title: "Budget"}, Text: "La ville a approuvé un budget pour la bibliothèque."},
	}
	mustRefresh(t, ix, docs, RefreshOptions{})
	tests := []struct {
		query, want string
	}{
		{"What level did Lake Orrin fall to?", "fr.txt"},
		{"Quel budget la ville a-t-elle approuvé pour la bibliothèque, en dollars ?", "en2.txt"},
	}
	for _, tt := range tests {
		res, err := ix.Search(context.Background(), tt.query, 2)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range res.Passages {
			got = append(got, p.Meta.DocID)
		}
		if !slices.Contains(got, tt.want) {
			t.Errorf("%q: passages %v, want %s among them", tt.query, got, tt.want)
		}
	}
}

// TestGlossedEnglishWordsStayEnglish: a glossary word that is also an
// English word ("Ed", Creole for "aid"; "chin", for "China") is not a
// rendering of the English question's word, nor read as a translation
// where the corpus uses it as English.
func TestGlossedEnglishWordsStayEnglish(t *testing.T) {
	ix, _ := openTestIndex(t, t.TempDir(), newIxEmbedder())
	docs := []corpus.Document{
		{Meta: corpus.Meta{DocID: "a.txt", Title: "Night shift"}, Text: "Ed Marsh rested his chin on his hand at the coast road checkpoint."},
		{Meta: corpus.Meta{DocID: "b.txt", Title: "Convoy"}, Text: "The aid convoy from China reached the coast on Monday."},
	}
	mustRefresh(t, ix, docs, RefreshOptions{})
	res, err := ix.Search(context.Background(), "How much aid did China send to the coast?", 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, qt := range res.Terms {
		if slices.Contains(qt.Forms, "ed") || slices.Contains(qt.Forms, "chin") {
			t.Errorf("term %q is matched through the English words %v", qt.Term, qt.Forms)
		}
	}
	for _, p := range res.Passages {
		if p.Meta.DocID == "a.txt" && p.Coverage > 0.3 {
			t.Errorf("a passage about Ed Marsh's chin covers %.2f of a question about aid from China", p.Coverage)
		}
	}
}
