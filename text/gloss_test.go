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

// TestGlossFileParses: every line of gloss.txt is a comment or a known
// language tag, a word or phrase of at most maxGlossWords tokens and at
// least one English equivalent; each language has its general vocabulary;
// a key marked "*" is one the lexicon knows (else the mark is needless).
func TestGlossFileParses(t *testing.T) {
	perLang := map[string]int{}
	for n, line := range strings.Split(strings.TrimSuffix(glossData, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			t.Errorf("line %d %q: want language TAB word TAB equivalents", n+1, line)
			continue
		}
		if !glossLanguages[f[0]] {
			t.Errorf("line %d %q: unknown language tag %q", n+1, line, f[0])
		}
		word, override := strings.CutPrefix(f[1], glossOverride)
		toks := Tokens(word)
		if len(toks) == 0 || len(toks) > maxGlossWords {
			t.Errorf("line %d %q: the key has %d tokens", n+1, line, len(toks))
		}
		if _, english := theLexicon().find(strings.Join(toks, " ")); override && !english {
			t.Errorf("line %d %q: marked %q but the lexicon does not know it", n+1, line, glossOverride)
		}
		for _, e := range strings.Split(f[2], ";") {
			if len(Tokens(e)) == 0 {
				t.Errorf("line %d %q: empty English equivalent", n+1, line)
			}
		}
		perLang[f[0]]++
	}
	for lang := range glossLanguages {
		if perLang[lang] < 400 {
			t.Errorf("%s: %d entries, want the general vocabulary (400 or more)", lang, perLang[lang])
		}
	}
}

// TestGlossaryGeneralVocabulary: words common in news on any topic, and
// Spanish, are translated; a marked key ("lac") is translated although the
// lexicon knows it.
func TestGlossaryGeneralVocabulary(t *testing.T) {
	key := func(s string) string { return strings.Join(Tokens(s), " ") }
	for _, tc := range []struct{ word, want string }{
		{"montant", "amount"},
		{"entreprise", "company"},
		{"niveau", "level"},
		{"lac", "lake"},
		{"décédés", "death"},
		{"livrer", "deliver"},
		{"atteindre", "reach"},
		{"enregistrés", "recorded"},
		{"sechrès", "drought"},
		{"vaksen", "vaccine"},
		{"antrepriz", "company"},
		{"empresa", "company"},
		{"año", "year"},
		{"sequía", "drought"},
		{"pasajeros", "passengers"},
		{"millones de dólares", "million dollars"},
	} {
		if got := Translations(key(tc.word)); !slices.Contains(got, key(tc.want)) {
			t.Errorf("Translations(%q) = %q, want it to hold %q", tc.word, got, key(tc.want))
		}
	}
}
