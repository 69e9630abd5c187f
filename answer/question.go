package answer

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"missionbot/text"
)

// want is what kind of fact a question asks for.
type want int

const (
	wantAny want = iota
	wantAmount
	wantDate
	wantPerson
	wantPlace
)

// question is what the answerer reads from a question's wording: the kind
// of fact it asks for, the word naming that fact, its time frame, and the
// parts of a compound question.
type question struct {
	text  string
	wants want
	// focus is the term (as text.Terms gives it) naming what is asked for
	// ("suspect" in "How many suspects…", "allowanc" in "What monthly
	// allowance…"); empty when the question has none, or names only a
	// category answered by an instance ("Which country…", "What date…").
	focus string
	// focusWord is the focus as the question wrote it.
	focusWord string
	time      text.TimeFrame
	// parts are the sub-questions of a compound question ("How many
	// arrived, and who were they?"), each with its own want; one part
	// (the question itself) otherwise.
	parts []part
}

// part is one sub-question.
type part struct {
	text      string
	wants     want
	focus     string
	focusWord string
	// predicates are the part's verbs, as text.Terms gives them ("kill" in
	// "How many officers have been killed…", "cost" in "How much did the
	// flight cost?").
	predicates []string
	// quantity is set for "how much": the answer is a sum of money or a
	// measure, not any number; money when the question's words say so
	// ("How much did the flight cost?").
	quantity bool
	money    bool
	// instance is set when the focus names a kind of person, place or time
	// ("Which officer…"): the answer names one, not necessarily the word.
	instance bool
	// size is set for "how large", "how big": any figure in a sentence
	// about the focus gives the size asked for.
	size bool
	// verb is the verb right after "who", as text.Terms gives it ("chair"
	// in "Who chaired the meeting?"): what the person asked about did.
	verb string
	// kind are the words qualifying a category asked for by instance, as
	// text.Terms gives them ("caribbean" in "Which Caribbean countries…"):
	// they describe the answer (Jamaica), which need not repeat them. For
	// a measure ("the daily transit limit") they say what the figure
	// counts ("27 daily transits").
	kind []string
}

// nounPhrase returns the noun phrase of lower from start, as word
// indices, up to an auxiliary, a verb form, a stopword or a preposition,
// and where it ends; an empty phrase when it ends in a word naming a
// category ("What special status…").
func nounPhrase(lower []string, start int) (run []int, end int) {
	end = len(lower)
	for i := start; i < len(lower); i++ {
		w := lower[i]
		// A word right after an article is a noun ("the name of…"); an
		// -ing form before a noun qualifies it ("the opening date").
		verb := isVerbForm(w) && !(i > 0 && isDeterminer(lower[i-1])) &&
			!(strings.HasSuffix(w, "ing") && i+1 < len(lower) && isNounHead(lower[i+1]) && !isVerbForm(lower[i+1]))
		if auxiliaries[w] || verb || i > start && i+1 < len(lower) && isDeterminer(lower[i+1]) && !isPreposition(w) {
			// "Which firm won the contract…": a noun phrase goes on with a
			// preposition, not an article; a word before one is the verb.
			return run, i
		}
		if len(text.Terms(w)) == 0 {
			if len(run) > 0 {
				if !isDeterminer(w) && !isPreposition(w) && !relativePronouns[w] {
					run = nil // the phrase ends in a word naming a category
				}
				return run, i
			}
			continue // an article before the noun
		}
		run = append(run, i)
	}
	return run, end
}

// relativePronouns end a noun phrase without naming it: "the firefighter
// who died".
var relativePronouns = map[string]bool{"who": true, "whom": true, "whose": true, "which": true, "that": true, "where": true, "when": true}

// lastHead returns the index of the last noun of run, -1 for none.
func lastHead(run []int, lower []string) int {
	for j := len(run) - 1; j >= 0; j-- {
		if isNounHead(lower[run[j]]) {
			return run[j]
		}
	}
	return -1
}

// isNounHead reports whether w can head a noun phrase: a noun, or a word
// the lexicon does not know (a name).
func isNounHead(w string) bool {
	ts := text.Terms(w)
	return len(ts) == 1 && (text.IsNoun(ts[0]) || !text.IsWord(ts[0]))
}

// partitiveNouns stand before "of" and the noun a question is about:
// "which piece of equipment", "what kind of industry", "the name of the
// firefighter".
var partitiveNouns = map[string]bool{
	"piece": true, "kind": true, "type": true, "sort": true, "name": true, "form": true, "item": true, "category": true,
}

// measureAdjectives before a noun make it a measure: "the maximum draft",
// "the average speed", "the total cost".
var measureAdjectives = map[string]bool{
	"maximum": true, "minimum": true, "average": true, "mean": true, "median": true,
	"highest": true, "lowest": true, "peak": true, "total": true,
}

// measureNouns name a figure that counts something: "What was the daily
// transit limit?" asks for a number, as "How many…" does: the measures of
// text.IsMeasureNoun and a few more. (Nouns for a sum of money, "cost",
// "salary", keep their own word: see moneyWords.)
var measureNouns = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`limit cap ceiling quota target rate capacity ridership turnout score`) {
		for _, t := range text.Terms(w) {
			m[t] = true
		}
	}
	return m
}()

// categoryNouns name a kind of thing a question asks for by instance: the
// answer to "Which country…" names a country without saying "country". They
// set the kind of fact wanted instead of a word the answer must contain.
var categoryNouns = map[string]want{
	"country": wantPlace, "nation": wantPlace, "place": wantPlace, "city": wantPlace, "town": wantPlace,
	"location": wantPlace, "region": wantPlace, "area": wantPlace, "state": wantPlace,
	"person": wantPerson, "people": wantPerson, "man": wantPerson, "woman": wantPerson, "official": wantPerson,
	"group": wantAny, "organisation": wantAny, "organization": wantAny, "company": wantAny, "firm": wantAny,
	"body": wantAny, "agency": wantAny, "party": wantAny, "thing": wantAny, "kind": wantAny, "type": wantAny,
	"date": wantDate, "day": wantDate, "month": wantDate, "year": wantDate, "time": wantDate,
	"number": wantAmount, "amount": wantAmount, "figure": wantAmount, "total": wantAmount, "sum": wantAmount,
	"share": wantAmount, "percentage": wantAmount, "proportion": wantAmount, "size": wantAmount,
	// French, Haitian Creole and Spanish (as written, and as text.Terms
	// gives them).
	"pays": wantPlace, "ville": wantPlace, "lieu": wantPlace, "peyi": wantPlace, "vil": wantPlace,
	"país": wantPlace, "pais": wantPlace, "ciudad": wantPlace, "lugar": wantPlace,
	"personne": wantPerson, "moun": wantPerson, "persona": wantPerson,
	"entreprise": wantAny, "société": wantAny, "konpayi": wantAny, "antrepriz": wantAny, "empresa": wantAny, "compañía": wantAny,
	"jour": wantDate, "mois": wantDate, "annee": wantDate, "jou": wantDate, "ane": wantDate,
	"día": wantDate, "dia": wantDate, "mes": wantDate, "año": wantDate, "ano": wantDate, "fecha": wantDate,
	"nombre": wantAmount, "montant": wantAmount, "chiffre": wantAmount, "kantite": wantAmount, "somme": wantAmount,
	"montan": wantAmount, "chif": wantAmount,
	"número": wantAmount, "numero": wantAmount, "cantidad": wantAmount, "cifra": wantAmount, "monto": wantAmount,
}

// whWords open a question and say what it wants (English, French, Haitian
// Creole, Spanish with or without its accents); "what" and "which" leave
// it to the noun that follows. The Spanish "que" without its accent is
// left out: it is also the commonest French and Spanish conjunction.
var whWords = map[string]want{
	"who": wantPerson, "whom": wantPerson, "whose": wantPerson, "qui": wantPerson, "kiyes": wantPerson, "kiyès": wantPerson, "kilès": wantPerson, "kiles": wantPerson,
	"when": wantDate, "quand": wantDate, "kile": wantDate, "kilè": wantDate,
	"where": wantPlace, "ou": wantPlace, "où": wantPlace, "kote": wantPlace,
	"what": wantAny, "which": wantAny, "quel": wantAny, "quelle": wantAny, "quels": wantAny, "quelles": wantAny, "ki": wantAny,
	"why": wantAny, "pourquoi": wantAny, "poukisa": wantAny,
	"how": wantAny, "comment": wantAny, "kijan": wantAny, "koman": wantAny,
	"combien": wantAmount, "konbyen": wantAmount,
	"quién": wantPerson, "quien": wantPerson, "quiénes": wantPerson, "quienes": wantPerson,
	"cuándo": wantDate, "cuando": wantDate,
	"dónde": wantPlace, "donde": wantPlace, "adónde": wantPlace,
	"qué": wantAny, "cuál": wantAny, "cual": wantAny, "cuáles": wantAny, "cuales": wantAny, "cómo": wantAny,
	"cuánto": wantAmount, "cuanto": wantAmount, "cuánta": wantAmount, "cuanta": wantAmount,
	"cuántos": wantAmount, "cuantos": wantAmount, "cuántas": wantAmount, "cuantas": wantAmount,
}

// amountWh are the wh-words that ask "how much" or "how many" by
// themselves: the noun after one, if any, is what is counted ("cuántos
// pasajeros"); a verb after one asks for a quantity ("combien a coûté").
var amountWh = map[string]bool{
	"combien": true, "konbyen": true, "cuánto": true, "cuanto": true, "cuánta": true, "cuanta": true,
	"cuántos": true, "cuantos": true, "cuántas": true, "cuantas": true,
}

// headFirst are the wh-words of languages that put a noun phrase's head
// first ("quel juge de la Haute Cour", "ki jij Tribinal Siperyè a", "qué
// empresa estatal"): the noun counted comes first too ("konbyen kabann
// nouvo lopital la genyen" counts beds, not hospitals).
var headFirst = map[string]bool{
	"quel": true, "quelle": true, "quels": true, "quelles": true, "ki": true, "kiles": true, "kilès": true,
	"combien": true, "konbyen": true,
	"qué": true, "cuál": true, "cual": true, "cuáles": true, "cuales": true,
	"cuánto": true, "cuanto": true, "cuánta": true, "cuanta": true, "cuántos": true, "cuantos": true, "cuántas": true, "cuantas": true,
}

// auxiliaries end the noun phrase after a wh-word ("What beverage did…").
var auxiliaries = map[string]bool{
	"is": true, "are": true, "was": true, "were": true, "be": true, "been": true, "do": true, "does": true, "did": true,
	"has": true, "have": true, "had": true, "will": true, "would": true, "can": true, "could": true, "should": true,
	"may": true, "might": true, "must": true, "shall": true,
}

// compoundSplit finds where a question asks a second thing: ", and who…",
// " and how many…".
var compoundSplit = regexp.MustCompile(`(?i)(?:,\s*and|;|\band)\s+(?:(?:how\s+(?:many|much|large|big|long|old|far))|who|whom|what|which|when|where|why)\b`)

// parseQuestion reads a question's structure.
func parseQuestion(q string) question {
	out := question{text: q, time: text.ParseTimeFrame(q)}
	rest := q
	for {
		loc := compoundSplit.FindStringIndex(rest[min(1, len(rest)):])
		if loc == nil {
			out.parts = append(out.parts, parsePart(rest))
			break
		}
		cut := loc[0] + min(1, len(rest))
		out.parts = append(out.parts, parsePart(rest[:cut]))
		// The next part starts at its wh-word, after the conjunction.
		next := rest[cut:]
		next = strings.TrimLeft(next, ",; ")
		if strings.HasPrefix(strings.ToLower(next), "and") {
			next = strings.TrimLeft(next[3:], " ")
		}
		rest = next
	}
	first := out.parts[0]
	out.wants, out.focus, out.focusWord = first.wants, first.focus, first.focusWord
	return out
}

// parsePart reads one sub-question: what it wants and its focus noun.
func parsePart(q string) part {
	p := part{text: strings.TrimSpace(q)}
	words := strings.FieldsFunc(q, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' && r != '’' && r != '-'
	})
	lower := make([]string, len(words))
	for i, w := range words {
		lower[i] = strings.ToLower(strings.TrimRight(strings.SplitN(strings.ReplaceAll(w, "’", "'"), "'", 2)[0], "-"))
	}
	wh := -1
	for i, w := range lower {
		if _, ok := whWords[w]; ok {
			wh = i
			break
		}
	}
	if wh < 0 {
		return p
	}
	p.wants = whWords[lower[wh]]
	start := wh + 1
	switch {
	case lower[wh] == "how" && wh+1 < len(lower) && (lower[wh+1] == "many" || lower[wh+1] == "much"):
		p.wants, start = wantAmount, wh+2
		p.quantity = lower[wh+1] == "much"
	case lower[wh] == "how" && wh+1 < len(lower) && (lower[wh+1] == "large" || lower[wh+1] == "big"):
		// "How large is the new force?": a figure for its size (a count
		// will do: "5,550 personnel"), in a sentence about the force.
		p.wants, p.size, start = wantAmount, true, wh+2
	case lower[wh] == "how" && wh+1 < len(lower) && isMeasure(lower[wh+1]):
		// "how long", "how far": a measure.
		return part{text: p.text, wants: wantAmount, quantity: true}
	case amountWh[lower[wh]]:
		switch {
		case start < len(lower) && (lower[start] == "de" || lower[start] == "d"):
			start++ // "combien de policiers": a count
		case start < len(lower):
			// "Combien a coûté…", "Konbyen lajan…": how much, unless a noun
			// names what is counted ("konbyen moun").
			ts := text.Terms(lower[start])
			p.quantity = len(ts) == 0 || !text.IsNoun(ts[0]) || isMoneyWord(ts[0])
		}
	case p.wants != wantAny || lower[wh] == "how" || lower[wh] == "why":
		p.predicates = predicates(words, lower, start)
		if p.wants == wantPerson {
			p.verb = verbAfter(lower, start)
		}
		measured(&p, words, lower)
		if lower[wh] == "how" && text.ParseTimeFrame(q).Kind == text.TimeChange {
			// "How did US pledges change…": a change in sums of money.
			for _, t := range termsOf(lower) {
				p.money = p.money || moneyWords[t]
			}
		}
		return p
	}
	// "What is the population of…": the noun phrase after the copula.
	if start+1 < len(lower) && isBe(lower[start]) && isDeterminer(lower[start+1]) {
		start += 2
		// "What is the latest estimate of the cost…": the thing measured.
		m := part{}
		measured(&m, words[start:], lower[start:])
		if m.focus != "" || m.money {
			p.focus, p.focusWord, p.money = m.focus, m.focusWord, m.money
			p.predicates = predicates(words, lower, start)
			return p
		}
	}
	// The noun phrase after the wh-word, up to an auxiliary, a stopword or
	// a verb form; its last noun is the focus. A stopword noun ending it
	// ("What special status…") is a category: no focus.
	run, end := nounPhrase(lower, start)
	head := lastHead(run, lower)
	if head >= 0 && head == run[len(run)-1] && partitiveNouns[lower[head]] && end+1 < len(lower) && lower[end] == "of" && !headFirst[lower[wh]] {
		// "Which piece of equipment…", "What was the name of the
		// firefighter…": what is asked about is the noun after "of".
		if run2, end2 := nounPhrase(lower, end+1); lastHead(run2, lower) >= 0 {
			run, end = run2, end2
		}
	}
	p.predicates = predicates(words, lower, end)
	if p.quantity {
		for _, w := range append(slices.Clone(p.predicates), termsOf(lower[start:end])...) {
			p.money = p.money || isMoneyWord(w)
		}
	}
	if len(run) == 0 {
		return p
	}
	head = lastHead(run, lower)
	if headFirst[lower[wh]] {
		// French and Haitian Creole put the noun before what qualifies it:
		// "Ki jij Tribinal Siperyè a…" asks which judge.
		head = -1
		for _, j := range run {
			if isNounHead(lower[j]) {
				head = j
				break
			}
		}
	}
	if head < 0 {
		return p // "How much faster…": no noun names what is asked
	}
	terms := text.Terms(lower[head])
	if len(terms) == 0 {
		return p
	}
	w, isCategory := categoryNouns[lower[head]]
	if !isCategory && categoryNouns[terms[0]] != 0 {
		w, isCategory = categoryNouns[terms[0]], true
	}
	if isCategory && p.wants == wantAmount && !p.quantity && w != wantAmount {
		// "How many people…": a count of people, not a person.
		isCategory = false
	}
	if isCategory {
		for _, j := range run {
			if j != head {
				p.kind = append(p.kind, text.Terms(lower[j])...)
			}
		}
		if w != wantAny || p.wants == wantAny {
			p.wants = max(p.wants, w)
		}
		if w == wantAmount {
			// "What sum…", "What share…": a sum or a measure.
			p.quantity, p.money = true, p.money || moneyWords[terms[0]]
		}
		if w == wantDate || w == wantPlace {
			// "On what date did the main body of the contingent arrive?":
			// the answer is about the subject, the main body.
			p.focus, p.focusWord, p.verb = subjectHead(words, lower, end)
		}
		return p
	}
	p.focus, p.focusWord = terms[0], words[head]
	if measureNouns[terms[0]] || text.IsMeasureNoun(lower[head]) {
		// "What was the daily transit limit?": a figure, which may count
		// what the words before the noun name ("27 daily transits")
		// without the word "limit".
		p.wants = wantAmount
		for _, j := range run {
			if j < head {
				p.kind = append(p.kind, text.Terms(lower[j])...)
			}
		}
		return p
	}
	for _, j := range run {
		if j < head && measureAdjectives[lower[j]] {
			// "What was the maximum draft…", "the average speed": a
			// measure, whatever else the noun can name.
			p.wants, p.quantity = wantAmount, true
			return p
		}
	}
	switch text.NounCategory(terms[0]) {
	case text.CategoryPerson:
		if p.wants == wantAny {
			p.wants = wantPerson
			// "Which judge…": the answer names one, with or without the word.
			p.instance = true
		}
	case text.CategoryLocation:
		p.instance = true
		if p.wants == wantAny {
			p.wants = wantPlace
		}
	}
	return p
}

// predicates returns the verbs of a question from position from, as
// text.Terms gives them: inflected verbs ("killed" in "How many officers
// have been killed…"), and the verb a question with "did" or "does" ends
// on ("cost" in "How much did the flight cost?").
func predicates(words, lower []string, from int) []string {
	var out []string
	add := func(w string) {
		if ts := text.Terms(w); len(ts) == 1 && !slices.Contains(out, ts[0]) {
			out = append(out, ts[0])
		}
	}
	doSupport := -1
	for i, w := range lower {
		switch {
		case i >= from && isVerbForm(w):
			add(w)
		case i > 0 && lower[i-1] == "to" && i+1 < len(lower) && isBaseVerb(w) && (isDeterminer(lower[i+1]) || isPreposition(lower[i+1])):
			// "named to command the…", "agreed to step aside".
			add(w)
		}
		if doSupport < 0 && (w == "did" || w == "does" || w == "do") {
			doSupport = i
		}
	}
	if doSupport < 0 {
		return out
	}
	// "When did the board appeal the closure…": after a short subject,
	// the first verb followed by its object or a preposition.
	i := doSupport + 1
	for i < len(words) && isDeterminer(lower[i]) {
		i++
	}
	for i < len(words) && (startsUpper(words[i]) || isPreposition(lower[i]) && i+1 < len(words) && startsUpper(words[i+1])) {
		i++ // a name
	}
	for end := min(len(words)-1, i+3); i < end; i++ {
		if isBaseVerb(lower[i]) && (isDeterminer(lower[i+1]) || isPreposition(lower[i+1]) || startsUpper(words[i+1])) {
			add(lower[i])
			break
		}
	}
	// "How much did the flight cost?": the verb it ends on.
	last := lower[len(lower)-1]
	if ts := text.Terms(last); len(ts) == 1 && text.IsVerb(ts[0]) && !isPreposition(last) && !startsUpper(words[len(words)-1]) {
		add(last)
	}
	return out
}

// subjectHead returns the head noun of the subject after "did", "does"
// or "do" at position i of a question, as text.Terms gives it and as
// written: "body" in "…did the main body of the Bahamas contingent
// arrive". A subject that is a name ("did Ruto and Henry sign") or has no
// common noun gives "".
func subjectHead(words, lower []string, i int) (focus, written, verb string) {
	if i >= len(lower) || lower[i] != "did" && lower[i] != "does" && lower[i] != "do" {
		return "", "", ""
	}
	head := -1
	for j := i + 1; j < len(lower); j++ {
		w := lower[j]
		if isDeterminer(w) || len(text.Terms(w)) == 0 && !isPreposition(w) {
			continue
		}
		if isPreposition(w) {
			break // "the main body of…": the head comes before "of", "in"
		}
		if verbAt(words, lower, j) {
			break // the verb, before its object ("bar the deployment")
		}
		if ts := text.Terms(w); len(ts) == 1 && !startsUpper(words[j]) && text.IsNoun(ts[0]) {
			head = j
		}
	}
	// The verb: the first after the subject ("arrive", "reopen").
	for j := i + 1; j < len(lower); j++ {
		if verbAt(words, lower, j) && len(text.Terms(lower[j])) == 1 {
			verb = text.Terms(lower[j])[0]
			break
		}
	}
	if head < 0 {
		return "", "", verb
	}
	return text.Terms(lower[head])[0], words[head], verb
}

// verbAt reports whether the word at j is a verb: a verb form, not a name,
// last or before its object or a preposition other than "of" ("bar the
// deployment", "arrive in Haiti"; not "body of", "schools in", where a noun
// goes on).
func verbAt(words, lower []string, j int) bool {
	w := lower[j]
	if !(isVerbForm(w) || isBaseVerb(w)) || startsUpper(words[j]) {
		return false
	}
	if j+1 == len(lower) || isDeterminer(lower[j+1]) || startsUpper(words[j+1]) {
		return true
	}
	ts := text.Terms(w)
	return isPreposition(lower[j+1]) && lower[j+1] != "of" && len(ts) == 1 && !text.IsNoun(ts[0])
}

// verbAfter returns the verb at position i of a question, after any
// auxiliaries ("chair" in "who chaired…", "appoint" in "who was
// appointed…"), as text.Terms gives it; "" when a copula or a noun comes
// first ("who is the minister…") or the verb is a stopword ("named").
func verbAfter(lower []string, i int) string {
	for i < len(lower) && (auxiliaries[lower[i]] || lower[i] == "also" || lower[i] == "first") {
		if isBe(lower[i]) && i+1 < len(lower) && !isVerbForm(lower[i+1]) {
			return "" // "who is the…", "who was the…"
		}
		i++
	}
	if i >= len(lower) || !(isVerbForm(lower[i]) || isBaseVerb(lower[i])) {
		return ""
	}
	if ts := text.Terms(lower[i]); len(ts) == 1 {
		return ts[0]
	}
	return ""
}

// isBaseVerb reports whether a lower-case word is a verb in its base form.
func isBaseVerb(w string) bool {
	ts := text.Terms(w)
	return len(ts) == 1 && text.IsVerb(ts[0]) && !isVerbForm(w) && !auxiliaries[w]
}

// moneyWords ask, after "how much", for a sum of money: "How much did the
// flight cost?", "How much cash…". As text.Terms gives them.
var moneyWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`cost costs pay paid spend spent fund funding donate contribute pledge raise earn charge
		owe borrow lend invest budget allocate price money cash sum funds dollars euros pounds
		compensation salary wage wages fee fine toll tolls revenue income profit loss grant loan debt tax aid
		bonus fare rent payment damages settlement worth value bill deficit subsidy reward ransom bail award
		pension allowance salaries earnings proceeds payout refund`) {
		for _, t := range text.Terms(w) {
			m[t] = true
		}
	}
	return m
}()

// isMoneyWord reports whether term, or its English equivalent for a
// French or Haitian Creole word ("lajan"), asks for a sum of money.
func isMoneyWord(term string) bool {
	if moneyWords[term] {
		return true
	}
	for _, e := range text.Translations(term) {
		if moneyWords[e] {
			return true
		}
	}
	return false
}

// termsOf returns the content terms of words.
func termsOf(words []string) []string {
	var out []string
	for _, w := range words {
		out = append(out, text.Terms(w)...)
	}
	return out
}

func isDeterminer(w string) bool {
	switch w {
	case "the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "le", "la", "les", "l", "un", "une", "des",
		"el", "los", "las", "una", "unos", "unas":
		return true
	}
	return false
}

func isPreposition(w string) bool {
	switch w {
	case "of", "in", "on", "at", "for", "to", "from", "by", "with", "about", "over", "under", "during", "de", "du", "en", "pour", "sur", "nan", "pou",
		"del", "al", "para", "por", "con", "sobre", "entre":
		return true
	}
	return false
}

// measured reads "the number of workers", "the cost of the tunnel" in a
// question about a change or a manner: the thing measured is its focus, and
// a measure of money asks for sums.
func measured(p *part, words, lower []string) {
	for i := 0; i+2 < len(lower); i++ {
		if lower[i+1] != "of" || len(text.Terms(lower[i])) == 0 && !text.IsMeasureNoun(lower[i]) {
			continue
		}
		if !text.IsMeasureNoun(lower[i]) && !moneyWords[firstTerm(lower[i])] {
			continue
		}
		if moneyWords[firstTerm(lower[i])] {
			p.money = true
			return
		}
		j := i + 2
		for j < len(lower) && isDeterminer(lower[j]) {
			j++
		}
		// The noun phrase after "of": its last noun before a stopword, a
		// verb or a word of the question's time frame ("grow").
		head := -1
		frame := text.FrameWords(strings.Join(lower, " "))
		for ; j < len(lower) && len(text.Terms(lower[j])) > 0 && !isVerbForm(lower[j]) && !frame[firstTerm(lower[j])]; j++ {
			if t := firstTerm(lower[j]); text.IsNoun(t) {
				head = j
			}
		}
		if head >= 0 {
			p.focus, p.focusWord = firstTerm(lower[head]), words[head]
			p.money = p.money || moneyWords[p.focus]
		}
		return
	}
}

func firstTerm(w string) string {
	if ts := text.Terms(w); len(ts) > 0 {
		return ts[0]
	}
	return ""
}

// isMeasure reports whether w asks for a measure after "how".
func isMeasure(w string) bool {
	switch w {
	case "large", "big", "long", "old", "far", "high", "heavy", "tall", "wide", "deep", "often":
		return true
	}
	return false
}

// isVerbForm reports whether a lower-case word is an inflected verb: a
// past tense or participle ("arrived", "held", "brought"), which ends the
// noun phrase of "How many suspects were arrested…" at "suspects".
func isVerbForm(w string) bool {
	ts := text.Terms(w)
	if len(ts) != 1 {
		return false
	}
	if (strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ing")) && len(w) > 4 && !text.IsNoun(w) {
		return true
	}
	// An irregular form ("held", "paid").
	_, irregular := text.Lemma(w)
	return irregular && text.IsVerb(ts[0])
}
