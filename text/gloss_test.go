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

// TestGlossaryNames: countries, capitals, regions and international
// organisations are translated from their French, Spanish and Creole names
// and acronyms to the English names a news corpus uses; an acronym's
// English side is the acronym's own token ("WHO" is not the stopword "who").
func TestGlossaryNames(t *testing.T) {
	key := func(s string) string { return strings.Join(Tokens(s), " ") }
	for _, tc := range []struct{ name, want string }{
		{"République démocratique du Congo", "congo"},
		{"République démocratique du Congo", "democratic republic of congo"},
		{"República Democrática del Congo", "drc"},
		{"RDC", "democratic republic of congo"},
		{"Estados Unidos", "united states"},
		{"EE.UU.", "united states"},
		{"EEUU", "united states"},
		{"États-Unis", "united states"},
		{"Etazini", "united states"},
		{"Royaume-Uni", "united kingdom"},
		{"Japón", "japan"},
		{"Chine", "china"},
		{"Lachin", "china"},
		{"OMS", "WHO"},
		{"OMS", "world health organization"},
		{"ONU", "UN"},
		{"Naciones Unidas", "united nations"},
		{"UE", "european union"},
		{"OTAN", "NATO"},
		{"FMI", "IMF"},
		{"Banque mondiale", "world bank"},
		{"Banco Mundial", "world bank"},
		{"Conseil de sécurité", "security council"},
		{"Pékin", "beijing"},
		{"Genève", "geneva"},
		{"Amérique latine", "latin america"},
		{"Caraïbes", "caribbean"},
		{"haïtienne", "haitian"},
		{"estadounidense", "american"},
		{"mexicana", "mexican"},
		{"Kwa Wouj", "red cross"},
		{"la Suède", "sweden"},
	} {
		if got := Translations(key(tc.name)); !slices.Contains(got, key(tc.want)) {
			t.Errorf("Translations(%q) = %q, want it to hold %q", tc.name, got, key(tc.want))
		}
	}
	if key("OMS") != "oms" || key("WHO") != "who_" || key("l'OMS") != "l oms" {
		t.Errorf("acronyms: OMS %q, WHO %q, l'OMS %q", key("OMS"), key("WHO"), key("l'OMS"))
	}
	for _, q := range []string{"la République démocratique du Congo a", "la República Democrática del Congo"} {
		toks := Tokens(q)[1:]
		if n, k := TranslatePhrase(toks); n != 4 || !slices.Contains(Translations(k), "congo") {
			t.Errorf("TranslatePhrase(%q) = %d %q, want the four tokens of the name", q, n, k)
		}
	}
	// The English name finds the foreign one (the glossary's renderings).
	if r := Renderings(key("japan")); !slices.Contains(r, key("Japón")) {
		t.Errorf("Renderings(japan) = %q, want it to hold %q", r, key("Japón"))
	}
}

// TestGlossaryMarkedCollisions: common news words whose token is also a
// rare English word ("lancé" reads as "lance") are marked and translated;
// those whose English twin is common in news ("pays", "don") are not.
func TestGlossaryMarkedCollisions(t *testing.T) {
	key := func(s string) string { return strings.Join(Tokens(s), " ") }
	for _, tc := range []struct{ word, want string }{
		{"lancé", "launch"},
		{"signalés", "reported"},
		{"blessés", "wounded"},
		{"argent", "money"},
		{"année", "year"},
		{"juge", "judge"},
		{"lapè", "peace"},
		{"semèn", "week"},
		{"inversión", "investment"},
		{"dice", "says"},
	} {
		if got := Translations(key(tc.word)); !slices.Contains(got, key(tc.want)) {
			t.Errorf("Translations(%q) = %q, want it to hold %q", tc.word, got, key(tc.want))
		}
	}
	for _, w := range []string{"pays", "don", "marché", "coupé", "décès"} {
		if got := Translations(key(w)); got != nil {
			t.Errorf("Translations(%q) = %q: its English twin is common in news", w, got)
		}
	}
}

// TestGlossaryInflectedForms: participles, third persons and irregular
// forms of the glossary's verbs, whose stems differ from the listed form,
// are translated too, as are Creole short forms and the newer news words.
func TestGlossaryInflectedForms(t *testing.T) {
	key := func(s string) string { return strings.Join(Tokens(s), " ") }
	for _, tc := range []struct{ lang, word, want string }{
		{"fr", "creusé", "dig"},
		{"fr", "loués", "lease"},
		{"fr", "loués", "rent"},
		{"fr", "annonçait", "announce"},
		{"fr", "annoncent", "announce"},
		{"fr", "reçu", "received"},
		{"fr", "détruites", "destroyed"},
		{"fr", "construit", "built"},
		{"fr", "élus", "elected"},
		{"fr", "ouverte", "opened"},
		{"fr", "brûlées", "burned"},
		{"fr", "inaugurée", "inaugurated"},
		{"fr", "vendus", "sell"},
		{"fr", "procureur", "prosecutor"},
		{"es", "quemaron", "burn"},
		{"es", "murieron", "die"},
		{"es", "hizo", "made"},
		{"es", "dijo", "said"},
		{"es", "puso", "put"},
		{"es", "aprobó", "approved"},
		{"es", "cerraron", "closed"},
		{"es", "heridos", "injured"},
		{"es", "anunciaron", "announce"},
		{"es", "construyeron", "build"},
		{"es", "alquilados", "rented"},
		{"es", "excavaron", "dig"},
		{"es", "fiscal", "prosecutor"},
		{"es", "porcentaje", "percentage"},
		{"ht", "boule", "burn"},
		{"ht", "fouye", "dig"},
		{"ht", "lwe", "rent"},
		{"ht", "etranje", "abroad"},
		{"ht", "dife", "fire"},
		{"ht", "pwosè", "trial"},
		{"ht", "konpayi", "company"},
		{"ht", "mwatye", "half"},
		{"ht", "vini", "come"},
		{"ht", "fèt", "born"},
		{"ht", "ponpye", "firefighter"},
		{"ht", "pwokirè", "prosecutor"},
		{"ht", "chantye", "work"},
	} {
		if got := Translations(key(tc.word)); !slices.Contains(got, key(tc.want)) {
			t.Errorf("%s: Translations(%q) = %q, want it to hold %q", tc.lang, tc.word, got, key(tc.want))
		}
	}
}
