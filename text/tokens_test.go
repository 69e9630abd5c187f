package text

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
		{"US is not us", "the US told us", []string{"the", "usa", "tell", "us"}},
		{"irregular forms take their lemma", "Ruto brought tea; officers were paid", []string{"ruto", "bring", "tea", "officer", "be", "pay"}},
		{"French elision keeps the word", "l'autorisation jusqu'à d'euros", []string{"l", "autorisation", "jusqu", "a", "d", "euro"}},
		{"French elision before a name", "L'OMS, l'ONU et d'Haïti; Côte d'Ivoire", []string{"l", "oms", "l", "onu", "et", "d", "haiti", "cot", "d", "ivoir"}},
		{"US spellings agree", "U.S. and United States and USA", []string{"usa", "and", "usa", "and", "usa"}},
		{"hyphenated place names are one token", "Port-au-Prince and Port-Au-Prince, Kenya-led", []string{"portauprinc", "and", "portauprinc", "kenya", "led"}},
		{"UN is not the article un", "UN and United Nations", []string{"un_", "and", "un_"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Tokens(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("Tokens(%q) = %q, want %q", tc.in, got, tc.want)
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
	got := Terms("How many troops did Benin pledge to the mission?")
	want := []string{"troop", "benin", "pledg", "mission"}
	if !slices.Equal(got, want) {
		t.Errorf("contentTerms = %q, want %q", got, want)
	}
}

func TestShortIedVerbs(t *testing.T) {
	if stem("died") != stem("die") || stem("tied") != stem("tie") || stem("cried") != stem("cry") {
		t.Errorf("died/die %q %q, tied/tie %q %q, cried/cry %q %q", stem("died"), stem("die"), stem("tied"), stem("tie"), stem("cried"), stem("cry"))
	}
}

// TestDateWordsFollowTheMonthsRead: every month ParseTimeFrame reads is a
// date word too, so a capitalised "Octubre" is never taken for a name.
func TestDateWordsFollowTheMonthsRead(t *testing.T) {
	for name := range monthNumber {
		for _, tok := range Tokens(name) {
			if !IsDateWord(tok) {
				t.Errorf("month %q (token %q) is not a date word", name, tok)
			}
		}
	}
	for _, w := range []string{"Octubre", "Viernes", "Jedi", "Lundi", "Sunday"} {
		if !IsDateWord(Tokens(w)[0]) {
			t.Errorf("%q is not a date word", w)
		}
	}
}
