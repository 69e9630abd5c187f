package text

import (
	"slices"
	"strings"
	"testing"
)

// TestGlossary: French and Haitian Creole words and phrases the English
// lexicon does not know are read through their English equivalents; English
// words are never translated.
func TestGlossary(t *testing.T) {
	key := func(s string) string { return strings.Join(Tokens(s), " ") }
	for _, tc := range []struct{ word, want string }{
		{"jij", "judg"},
		{"Tribinal Siperyè", "high court"},
		{"lajan", "money"},
		{"policiers", "polic"},
	} {
		if got := Translations(key(tc.word)); !slices.Contains(got, tc.want) {
			t.Errorf("Translations(%q) = %q, want it to hold %q", tc.word, got, tc.want)
		}
	}
	for _, w := range []string{"court", "police", "mission", "pays"} {
		if got := Translations(key(w)); got != nil {
			t.Errorf("Translations(%q) = %q: an English word is read as English", w, got)
		}
	}
	if n, k := TranslatePhrase(Tokens("Tribinal Siperyè Kenya a")); n != 2 || k != key("tribinal siperyè") {
		t.Errorf("TranslatePhrase = %d %q, want the two words of the court's name", n, k)
	}
	// The lexicon reads a translated word as its English equivalent.
	if NounCategory(key("jij")) != CategoryPerson || !IsVerb(key("deklare")) || IsProperName(key("jij")) {
		t.Error("jij is a person (a judge), deklare a verb")
	}
}
