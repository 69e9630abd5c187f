package text

import (
	_ "embed"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// TokensVersion names how Tokens tokenises. Indexes that store tokens
// (the BM25 section of a snapshot) record it and are rebuilt when it
// changes; bump it with any change to what Tokens returns
// (TestTokensVersion fails until it is bumped).
const TokensVersion = "tokens-1"

// Tokens splits s into lower-case, accent-folded word tokens: the units
// the BM25 index, the local embedder and the answerers all count. Any change
// here changes the local embedder's vectors, so bump its model name
// (retrieval/embed_local.go) and indexes are rebuilt, not mixed. Digits
// grouped with separators ("2,000", "3.5") become one token without them,
// so "2,000" and "2000" match. Irregular inflections become their lemma
// ("brought" → "bring") and tokens are stemmed lightly (plural and verb
// endings) so "pledged" finds "pledge".
func Tokens(text string) []string { return tokenize(text, nil) }

// Mark says how a token was written.
type Mark uint8

// Token marks.
const (
	// MarkName: written as a name, capitalised and not the first word of a
	// sentence ("Japan" in "How much did Japan give?", not "How"), or an
	// acronym.
	MarkName Mark = 1 << iota
	// MarkBreak: punctuation or a possessive follows the token, so it ends
	// any name or phrase ("Kenya's Court of Appeal" is two names).
	MarkBreak
	// MarkHyphen: a hyphen joins the token to the next ("Fils-Aimé",
	// "US-Kenya").
	MarkHyphen
	// MarkIrregular: the token is the base of an irregular form the text
	// wrote ("do" for "did"), so it is not the word its base spells: the
	// "do" of "Banco do Brasil" joins a name, the "did" of "Which vaccine
	// did Gavi buy?" does not.
	MarkIrregular
)

// MarkedTokens returns the tokens of s, as Tokens gives them, with a Mark
// for each.
func MarkedTokens(s string) ([]string, []Mark) {
	var marks []Mark
	toks := tokenize(s, &marks)
	return toks, marks
}

// tokenize is Tokens; when marks is not nil it also records a Mark per
// token.
func tokenize(text string, marks *[]Mark) []string {
	if strings.Contains(text, "-") {
		text = hyphenatedName.ReplaceAllStringFunc(text, func(m string) string { return strings.ReplaceAll(m, "-", "") })
	}
	out := make([]string, 0, len(text)/6)
	var b strings.Builder
	upper := true         // every letter of the current token is upper case
	capital := false      // the current token starts with a capital letter
	sentenceStart := true // no word yet since the text or a sentence began
	flush := func() {
		if b.Len() > 0 {
			tok, irregular := normalizeToken(b.String(), upper)
			out = append(out, tok)
			if marks != nil {
				var m Mark
				if capital && (!sentenceStart || upper && b.Len() > 1) {
					m = MarkName
				}
				if irregular {
					m |= MarkIrregular
				}
				*marks = append(*marks, m)
			}
			b.Reset()
			sentenceStart = false
		}
		upper, capital = true, false
	}
	// breakHere marks the last token as followed by punctuation.
	breakHere := func() {
		if marks != nil && len(*marks) > 0 {
			(*marks)[len(*marks)-1] |= MarkBreak
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsLower(r) {
				upper = false
			}
			if b.Len() == 0 {
				capital = unicode.IsUpper(r)
			}
			writeFolded(&b, r)
		case (r == ',' || r == '.') && b.Len() > 0 && isDigitByte(b.String()[b.Len()-1]) && i+size < len(text) && isDigitByte(text[i+size]):
			// A separator inside a number: keep the number whole.
		case r == '$' || r == '€' || r == '£':
			// A currency sign says "money" as plainly as the word does, so
			// "how much money" finds "$360 million".
			flush()
			out = append(out, "money")
			if marks != nil {
				*marks = append(*marks, MarkBreak)
			}
		case (r == '\'' || r == '’') && elidesBeforeName(b.String(), capital) && i+size < len(text) && startsUpper(text[i+size:]):
			// French elision before a name or an acronym ("l'OMS", "L'ONU",
			// "d'Haïti", "Côte d'Ivoire"): the article is a word of its own,
			// so the name is the token a glossary or a corpus knows.
			flush()
		case (r == '\'' || r == '’') && b.Len() == 1 && i+size < len(text) && text[i+size] >= 'A' && text[i+size] <= 'Z':
			// A name such as O'Neill or D'Souza: one token.
		case (r == '\'' || r == '’') && elides(b.String()) && i+size < len(text) && startsLetter(text[i+size:]):
			// French elision ("l'autorisation", "jusqu'à"): the article is
			// a word of its own and the next word is kept.
			flush()
		case r == '\'' || r == '’':
			// Possessive or contraction: drop what follows ("Kenya's" → "kenya").
			flush()
			breakHere()
			for i+size < len(text) && isASCIILetter(text[i+size]) {
				size++
			}
		default:
			flush()
			joiner := r == '-' && i+size < len(text) && startsUpperOrLetter(text[i+size:])
			if !joiner && (!unicode.IsSpace(r) || r == '\n') {
				breakHere()
			}
			if joiner && marks != nil && len(*marks) > 0 {
				(*marks)[len(*marks)-1] |= MarkHyphen
			}
			if r == '.' || r == '?' || r == '!' || r == ':' || r == '\n' {
				sentenceStart = true
			}
		}
		i += size
	}
	flush()
	return joinPhrases(out, marks)
}

// elides reports whether w (lower-cased) is a French word that elides its
// vowel before an apostrophe: l', d', j', n', s', c', m', t', qu' and the
// words ending in qu' (jusqu', lorsqu', puisqu').
func elides(w string) bool {
	if len(w) == 1 {
		return strings.Contains("ldjnscmt", w)
	}
	return strings.HasSuffix(w, "qu")
}

// elidesBeforeName reports whether w (lower-cased; capital: it was written
// with a capital) is a French article or preposition eliding before a
// capitalised name: "l'" or "L'", a lower-case "d'" and the words ending in
// qu'. A capital "D'" or "O'" starts a name ("D'Souza", "O'Neill").
func elidesBeforeName(w string, capital bool) bool {
	return w == "l" || w == "d" && !capital || len(w) > 1 && strings.HasSuffix(w, "qu")
}

// startsUpper reports whether s starts with an upper-case letter.
func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// startsUpperOrLetter reports whether s starts with a letter: a hyphen
// before one joins the parts of a name ("Fils-Aimé").
func startsUpperOrLetter(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
}

// startsLetter reports whether s starts with a lower-case letter, so
// "l'autorisation" elides and "L'Oréal" or "don't" are left to the other
// rules ("t" after "don" is not an elision: "don" is not an eliding word).
func startsLetter(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// hyphenatedName matches place names joined by short connectors, such as
// "Port-au-Prince": one name, so one token, not three that would each count
// as a separate piece of a query.
var hyphenatedName = regexp.MustCompile(`\b\p{Lu}\p{L}+(?:-\p{L}{1,3})+-\p{Lu}\p{L}+\b`)

// normalizeToken stems a lower-cased token, except acronyms: "US" must not
// become the stopword "us", nor "UN" the French article "un". irregular
// reports that it was an irregular form read as its lemma ("did" → "do").
func normalizeToken(tok string, allUpper bool) (norm string, irregular bool) {
	if allUpper && len(tok) >= 2 && len(tok) <= 5 && !isDigitByte(tok[0]) {
		if tok == "us" || tok == "usa" {
			return "usa", false
		}
		if IsStopword(tok) {
			return tok + "_", false
		}
		return tok, false
	}
	if base, ok := irregularForms()[tok]; ok {
		return stem(base), true
	}
	return stem(tok), false
}

// Lemma returns the lemma of an irregular inflection ("brought" →
// "bring", lower case) and true, or w and false for any other word.
func Lemma(w string) (string, bool) {
	base, ok := irregularForms()[w]
	if !ok {
		return w, false
	}
	return base, true
}

// irregularData lists irregular English inflections and their lemmas
// ("brought" → "bring"), derived from WordNet by internal/lexicongen.
//
//go:embed irregular.txt
var irregularData string

// irregularForms parses irregularData once, on first use; read-only after.
var irregularForms = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(irregularData, "\n") {
		form, base, ok := strings.Cut(line, "\t")
		if ok && !strings.HasPrefix(form, "#") {
			m[form] = base
		}
	}
	return m
})

// phrases are multi-word names written out that also appear as acronyms;
// the written-out form is folded into the acronym's token.
var phrases = [][3]string{
	{"unit", "stat", "usa"},
	{"unit", "nation", "un_"},
}

// joinPhrases replaces each phrase's stems by its acronym token and "U.S."
// (tokenized as the letters u, s) by "usa". marks, when not nil, holds a
// Mark per token and is joined the same way.
func joinPhrases(toks []string, marks *[]Mark) []string {
	out := toks[:0]
	var flags []Mark
	if marks != nil {
		flags = (*marks)[:0]
	}
	for i := 0; i < len(toks); i++ {
		if i+1 < len(toks) {
			joined := ""
			if toks[i] == "u" && toks[i+1] == "s" {
				joined = "usa"
			}
			for _, p := range phrases {
				if toks[i] == p[0] && toks[i+1] == p[1] {
					joined = p[2]
				}
			}
			if joined != "" {
				out = append(out, joined)
				if marks != nil {
					flags = append(flags, (*marks)[i]&MarkName|(*marks)[i+1])
				}
				i++
				continue
			}
		}
		out = append(out, toks[i])
		if marks != nil {
			flags = append(flags, (*marks)[i])
		}
	}
	if marks != nil {
		*marks = flags
	}
	return out
}

func isDigitByte(c byte) bool   { return c >= '0' && c <= '9' }
func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// writeFolded writes r lower-cased and without common Latin diacritics, so
// "Moïse" and "Moise" are one token.
func writeFolded(b *strings.Builder, r rune) {
	if r < 0x80 {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteByte(byte(r))
		return
	}
	r = unicode.ToLower(r)
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å':
		r = 'a'
	case 'ç':
		r = 'c'
	case 'è', 'é', 'ê', 'ë':
		r = 'e'
	case 'ì', 'í', 'î', 'ï':
		r = 'i'
	case 'ñ':
		r = 'n'
	case 'ò', 'ó', 'ô', 'õ', 'ö':
		r = 'o'
	case 'ù', 'ú', 'û', 'ü':
		r = 'u'
	case 'ý', 'ÿ':
		r = 'y'
	}
	b.WriteRune(r)
}

// stem strips the commonest English inflections, then a final "e", so that
// "provide", "provides", "provided" and "providing" all become "provid". It
// is deliberately light: it must join inflections without merging unrelated
// words, and it only has to be consistent, not pretty.
func stem(w string) string {
	if len(w) <= 3 {
		return w
	}
	switch {
	case len(w) == 4 && strings.HasSuffix(w, "ied"):
		// "died", "tied": the verb is "die", "tie".
		return w[:3]
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:len(w)-1]
	}
	for _, suf := range []string{"ing", "ed"} {
		if base, ok := strings.CutSuffix(w, suf); ok && len(base) >= 3 && strings.ContainsAny(base, "aeiouy") {
			if strings.HasSuffix(base, "i") {
				base = base[:len(base)-1] + "y"
			}
			w = undouble(base)
			break
		}
	}
	for len(w) > 3 && w[len(w)-1] == 'e' {
		w = w[:len(w)-1]
	}
	return w
}

// undouble maps "stopp" to "stop" (but keeps "kill" and "pass").
func undouble(w string) string {
	n := len(w)
	if n >= 2 && w[n-1] == w[n-2] && !strings.ContainsAny(w[n-1:], "lsz") {
		return w[:n-1]
	}
	return w
}

// stopwords are function words and question words (English, French,
// Haitian Creole and Spanish) that say nothing about a passage's topic, and the nouns
// and verbs that frame a question's expected answer ("what is the name of",
// "what happened to") rather than its subject. Queries ignore them when
// judging relevance. The set is built once and only read.
var stopwords = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(`a an the and or but if of to in on at by for with from into onto about as
		is are was were be been being am do doe did done have ha has had having will would shall should can could may might must
		what who whom whose which when where why how whi many much more most some any all each every
		this that these those there here it its it's they them their theirs he him his she her hers we us our you your i me my
		not no nor so than then too very just also only far yet still ever
		say said tell told know give gave given get got make made
		s t don does tho upon over under between during before after since until while
		le la les de des du un une et est pour par sur dans que qui quoi quel quelle quels quelles combien pourquoi comment
		jusqu lorsqu puisqu qu il ils elle elles en au aux ce cet cette ces son sa ses leur leurs ont ete sont etait etaient avait avaient
		ne pas plus y ou lors apres avant depuis entre selon ainsi aussi tres tout tous toute toutes dont on nous vous fait
		ki kisa konbyen poukisa kile kote nan yo li ak pou se te an ann pa ap ke sou gen sa men tou deja nou mwen yon kounye genyen
		kiyès kilès pandan depi jiska apre anvan lè si oswa epi paske sila ye la lan yon de ou kòm tankou pito toujou ankò sèlman
		el los las del una unos unas al lo su sus como cómo más mas ya fue fueron ha es está están estaba estaban ser sido
		este esta estos estas ese esa esos esas para por sobre entre hasta desde durante tras según cuando cuándo donde dónde
		quien quién quienes quiénes cual cuál cuales cuáles cuanto cuánto cuanta cuánta cuantos cuántos cuantas cuántas qué porque
		muy pero también tambien aún todo toda todos todas había habían ni
		seulement encore deja déjà toujours
		name named call called status role kind type sort happen happened mean means meaning
		reason purpose way part detail details example exactly actually currently according
		long like current recent recently latest besides beside except among within without across toward towards via per around against regarding concerning`) {
		m[stem(w)] = struct{}{}
		m[w] = struct{}{}
		if base, ok := irregularForms()[w]; ok {
			m[stem(base)] = struct{}{}
		}
	}
	return m
}()

// IsStopword reports whether tok carries no topic: a stopword, or a single
// letter (an initial, a stray "s" of "U.S.").
func IsStopword(tok string) bool {
	if len(tok) == 1 && !isDigitByte(tok[0]) {
		return true
	}
	_, ok := stopwords[tok]
	return ok
}

// Terms returns the distinct content terms of s (lower-cased, accent
// folded, lightly stemmed, stopwords removed) in order of appearance: the
// units search matches on, so answerers can score sentences the same way.
func Terms(query string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range Tokens(query) {
		if IsStopword(t) || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// Matches reports whether a text token covers a query term: the same term,
// or a close variant that stemming does not join ("kenya"/"kenyan"). Both
// must come from Tokens or Terms.
func Matches(term, token string) bool { return term == token || IsVariant(term, token) }

// IsVariant reports whether a and b are forms of one word that stemming
// does not join: one is a prefix of the other, at least five letters long,
// and the other adds at most three ("kenya"/"kenyan", "haiti"/"haitian").
func IsVariant(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(a) >= 5 && len(b)-len(a) <= 3 && strings.HasPrefix(b, a)
}

// dateWords are month and weekday names as Tokens gives them (capitalised,
// they name a time, not an entity): the months ParseTimeFrame
// reads (English, French, Haitian Creole, Spanish, with abbreviations) and
// the weekdays of those languages.
var dateWords = func() map[string]bool {
	words := strings.Fields(`monday tuesday wednesday thursday friday saturday sunday
		lundi mardi mercredi jeudi vendredi samedi dimanche
		lendi madi mekredi jedi vandredi samdi dimanch
		lunes martes miércoles jueves viernes sábado domingo`)
	for name := range monthNumber {
		words = append(words, name)
	}
	m := map[string]bool{}
	for _, w := range words {
		for _, t := range Tokens(w) {
			m[t] = true
		}
	}
	return m
}()

// IsDateWord reports whether tok (as Tokens gives it) names a month or a
// day of the week.
func IsDateWord(tok string) bool { return dateWords[tok] }
