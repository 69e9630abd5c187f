package retrieval

import (
	"slices"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"numbers keep their separators out", "Benin pledged 2,000 troops and $3.5 million", []string{"benin", "pledg", "2000", "troop", "and", "money", "35", "million"}},
		{"possessives drop", "Kenya's High Court", []string{"kenya", "high", "court"}},
		{"names keep their apostrophe", "William O'Neill’s and D’Souza", []string{"william", "oneill", "and", "dsouza"}},
		{"accents fold", "Jovenel Moïse", []string{"jovenel", "mois"}},
		{"sentence end is not a decimal", "in 2021. Then", []string{"in", "2021", "then"}},
		{"US is not us", "the US told us", []string{"the", "usa", "told", "us"}},
		{"US spellings agree", "U.S. and United States and USA", []string{"usa", "and", "usa", "and", "usa"}},
		{"hyphenated place names are one token", "Port-au-Prince and Port-Au-Prince, Kenya-led", []string{"portauprinc", "and", "portauprinc", "kenya", "led"}},
		{"UN is not the article un", "UN and United Nations", []string{"un_", "and", "un_"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tokenize(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("tokenize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestStemJoinsInflections(t *testing.T) {
	groups := [][]string{
		{"provide", "provides", "provided", "providing"},
		{"pledge", "pledged", "pledges", "pledging"},
		{"visit", "visited", "visits", "visiting"},
		{"deploy", "deployed", "deploys", "deploying"},
		{"stop", "stopped", "stopping"},
		{"agree", "agreed", "agrees"},
		{"country", "countries"},
		{"troop", "troops"},
	}
	for _, g := range groups {
		for _, w := range g[1:] {
			if stem(w) != stem(g[0]) {
				t.Errorf("stem(%q)=%q differs from stem(%q)=%q", w, stem(w), g[0], stem(g[0]))
			}
		}
	}
	for _, pair := range [][2]string{{"kill", "kin"}, {"us", "use"}, {"state", "stature"}} {
		if stem(pair[0]) == stem(pair[1]) {
			t.Errorf("stem merged %q and %q", pair[0], pair[1])
		}
	}
}

func TestContentTermsDropStopwords(t *testing.T) {
	got := contentTerms("How many troops did Benin pledge to the mission?")
	want := []string{"troop", "benin", "pledg", "mission"}
	if !slices.Equal(got, want) {
		t.Errorf("contentTerms = %q, want %q", got, want)
	}
}

func TestCorrectFindsTheCorpusSpelling(t *testing.T) {
	lex := newBM25([]Chunk{
		{Text: "The defense minister signed the pact."},
		{Text: "Defense officials and the minister of defense met."},
		{Text: "Jovenel Moise was president."},
	})
	for in, want := range map[string]string{
		stem("defence"): stem("defense"), // one edit away, the corpus spelling
		"jovenal":       "jovenel",
		"minister":      "minister",   // known terms stay
		"population":    "population", // nothing close: unchanged
		"def":           "def",        // too short to correct
	} {
		if got := lex.correct(in); got != want {
			t.Errorf("correct(%q) = %q, want %q", in, got, want)
		}
	}
}
