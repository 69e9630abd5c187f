package text

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
)

// glossData lists French, Haitian Creole and Spanish words and phrases
// common in news with their English equivalents (see the file's header for
// the format). It was compiled by hand for this project.
//
//go:embed gloss.txt
var glossData string

// maxGlossWords is the longest phrase the glossary holds, in tokens.
const maxGlossWords = 4

// glossLanguages are the language tags gloss.txt may use: French, Haitian
// Creole, Spanish. A line with another tag is ignored.
var glossLanguages = map[string]bool{"fr": true, "ht": true, "es": true}

// glossOverride starts a key the English lexicon knows that is translated
// all the same (see gloss.txt's header).
const glossOverride = "*"

// glossary maps a foreign word or phrase, as Tokens gives it joined by
// spaces ("tribinal sipery"), to its English equivalents, each a token
// sequence joined by spaces ("high court"). Words the English lexicon
// knows are left out, unless marked (glossOverride): they are read as
// English. Parsed once, on first use; read-only afterwards.
var glossary = sync.OnceValue(func() map[string][]string {
	m := map[string][]string{}
	lx := theLexicon()
	for _, line := range strings.Split(glossData, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || !glossLanguages[f[0]] {
			continue
		}
		word, override := strings.CutPrefix(f[1], glossOverride)
		key := strings.Join(Tokens(word), " ")
		if key == "" || strings.Count(key, " ") >= maxGlossWords {
			continue
		}
		if _, english := lx.find(key); english && !override {
			continue
		}
		for _, e := range strings.Split(f[2], ";") {
			if t := strings.Join(Tokens(e), " "); t != "" && t != key && !slices.Contains(m[key], t) {
				m[key] = append(m[key], t)
			}
		}
	}
	return m
})

// Translations returns the English equivalents the glossary gives for a
// French, Haitian Creole or Spanish term (a term as Terms gives it, or tokens joined
// by spaces for a phrase), as token sequences joined by spaces; nil for a
// term it does not hold, or an English word (but for the few marked
// otherwise in gloss.txt). The result must not be modified.
func Translations(term string) []string { return glossary()[term] }

// renderings maps an English word, as Tokens gives it, to the foreign
// words of one token the glossary translates by it ("death" → "décès",
// "lanmò", "muerte"). Built once, on first use; read-only afterwards.
var renderings = sync.OnceValue(func() map[string][]string {
	m := map[string][]string{}
	lx := theLexicon()
	for key, equivalents := range glossary() {
		if strings.Contains(key, " ") {
			continue
		}
		if _, english := lx.find(key); english {
			// A marked key that is also an English word ("cot" for
			// "coast"): rendering the English question's word by it
			// would match English text that means something else.
			continue
		}
		for _, e := range equivalents {
			if !strings.Contains(e, " ") && !slices.Contains(m[e], key) {
				m[e] = append(m[e], key)
			}
		}
	}
	for _, keys := range m {
		slices.Sort(keys)
	}
	return m
})

// Renderings returns the French, Haitian Creole and Spanish words of one
// token the glossary translates by the English term (as Terms gives it),
// so that an English question finds a foreign document: "death" is
// rendered "décès" (as Tokens gives it). Foreign words that are also
// English words are left out. The result must not be modified.
func Renderings(term string) []string { return renderings()[term] }

// IsEnglishToo reports whether term, a key of the glossary, is also an
// English word the lexicon knows ("lac", read as "lace"): it is to be
// translated only where the corpus does not use it.
func IsEnglishToo(term string) bool {
	_, english := theLexicon().find(term)
	return english
}

// TranslatePhrase returns how many tokens, from the start of toks, form a
// phrase of two words or more the glossary holds ("tribinal siperyè",
// "conseil de sécurité"), and its key; 0 and "" when none does.
func TranslatePhrase(toks []string) (int, string) {
	g := glossary()
	for n := min(maxGlossWords, len(toks)); n >= 2; n-- {
		key := strings.Join(toks[:n], " ")
		if _, ok := g[key]; ok {
			return n, key
		}
	}
	return 0, ""
}

// english returns the lexicon entry for term, or, for a French, Haitian
// Creole or Spanish term the glossary translates, its first English equivalent the
// lexicon knows: the lexicon reads "jij" as "judge".
func (lx *lexicon) english(term string) (int, bool) {
	if i, ok := lx.find(term); ok {
		return i, true
	}
	for _, e := range glossary()[term] {
		if i, ok := lx.find(e); ok {
			return i, true
		}
	}
	return 0, false
}
