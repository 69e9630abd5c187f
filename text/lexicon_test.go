package text

import (
	"slices"
	"strings"
	"testing"
)

// TestLexiconRelatesWordsAPassageMayUse: narrower words and synonyms are
// related, broader words and siblings are not (an allowance is not money,
// Japan is not Canada).
func TestLexiconRelatesWordsAPassageMayUse(t *testing.T) {
	related := func(w string) []string { return Related(strings.Join(Tokens(w), " ")) }
	for _, tc := range []struct{ word, want string }{
		{"beverage", "tea"},
		{"promise", "pledg"},
		{"marooned", "strand"},
		{"head of state", "president"},
		{"sum", "amount"},
	} {
		if !slices.Contains(related(tc.word), tc.want) {
			t.Errorf("Related(%q) = %q, want it to hold %q", tc.word, related(tc.word), tc.want)
		}
	}
	for _, tc := range []struct{ word, not string }{
		{"allowance", "money"},
		{"japan", "canada"},
		{"tea", "beverag"},
	} {
		if slices.Contains(related(tc.word), tc.not) {
			t.Errorf("Related(%q) holds %q: a broader word or a sibling", tc.word, tc.not)
		}
	}
}

func TestLexiconWordClasses(t *testing.T) {
	if !IsProperName("austin") || IsProperName("appeal") || !IsProperName("kabiru") {
		t.Error("proper names: austin and kabiru are names, appeal is a common word")
	}
	if NounCategory(Terms("officer")[0]) != CategoryPerson {
		t.Error("an officer is a person")
	}
	if !IsNoun("tea") || !IsVerb(Terms("pledge")[0]) {
		t.Error("tea is a noun, pledge a verb")
	}
	if n, key := Collocation(Tokens("head of state visited")); n != 3 || key != "head of stat" {
		t.Errorf("Collocation = %d %q, want 3 %q", n, key, "head of stat")
	}
}

func TestMarkedTokens(t *testing.T) {
	toks, marks := MarkedTokens("How much did Japan give to Kenya's Court of Appeal and the US-Kenya fund?")
	names := map[string]bool{}
	for i, tok := range toks {
		if marks[i]&MarkName != 0 {
			names[tok] = true
		}
	}
	for _, want := range []string{"japan", "kenya", "court", "appeal", "usa"} {
		if !names[want] {
			t.Errorf("%q is not marked as a name: %v", want, names)
		}
	}
	if names["how"] || names["much"] {
		t.Error("the first word of a question is not a name")
	}
	for i, tok := range toks {
		if tok == "kenya" && i+1 < len(toks) && toks[i+1] == "court" && marks[i]&MarkBreak == 0 {
			t.Error("a possessive ends a name: Kenya's | Court of Appeal")
		}
	}
}

func TestLexiconDerivedForms(t *testing.T) {
	if d := Derived(Terms("death")[0]); !slices.Contains(d, Terms("die")[0]) {
		t.Errorf("Derived(death) = %q, want die", d)
	}
	if d := Derived(Terms("announce")[0]); !slices.Contains(d, Terms("announcement")[0]) {
		t.Errorf("Derived(announce) = %q, want announcement", d)
	}
}
