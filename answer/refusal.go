package answer

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"missionbot/prompts"
	"missionbot/retrieval"
	"missionbot/text"
)

// RefusalText is what an answer says when the corpus does not cover the
// question: the one wording every front end shows.
const RefusalText = "The mission corpus doesn't cover this question, so I can't answer it from my sources."

// Relevance floors: fractions of the question's information (its
// IDF-weighted content terms, see retrieval.Passage) that the passages
// must hold for the corpus to count as covering it.
const (
	// relevanceFloor is the coverage the best passage needs for the corpus
	// to count as covering the question at all.
	relevanceFloor = 0.4
	// passageFloor is the coverage any other passage needs to be answered
	// from.
	passageFloor = 0.3
	// supportFloor is the coverage the best single sentence needs: the
	// corpus covers a question when one sentence states much of it, not
	// when its words are scattered over a passage. judge then asks more
	// of the sentence an extractive answer quotes.
	supportFloor = 0.3
	// sentenceFloor is the score (coverage of the question by a sentence
	// and its neighbours, plus a bonus for stating the kind of fact asked
	// for) the sentence answering a part of a question needs.
	sentenceFloor = 0.5
	// absentFloor replaces sentenceFloor when the question's focus or verb
	// is a word no source uses.
	absentFloor = 0.65
	// relatedFloor is the score a sentence needs to be shown, in a refusal,
	// as what the sources do say near the question.
	relatedFloor = 0.45
)

// relevantPassages decides whether the search results cover the question
// at all and returns the passages an answer may rest on, in rank order; nil
// means the answer must refuse. The extractive answerer then checks, in
// judge, that a sentence states what was asked.
func relevantPassages(res retrieval.Results) []retrieval.Passage {
	support := 0.0
	for _, p := range res.Passages {
		support = max(support, p.Support)
	}
	if len(res.Passages) == 0 || res.Coverage < relevanceFloor || support < supportFloor {
		return nil
	}
	var out []retrieval.Passage
	for _, p := range res.Passages {
		if p.Coverage >= passageFloor {
			out = append(out, p)
		}
	}
	return out
}

// refuse turns a into the refusal: RefusalText, no citations.
func refuse(a Answer) Answer {
	a.Text, a.Refused, a.Partial, a.Citations = RefusalText, true, false, nil
	return a
}

// verdict is the extractive answerer's decision about one question.
type verdict struct {
	refuse bool
	// absent names what the question asks about that no source mentions
	// ("Japan"), for the refusal to say; empty when it is not one word.
	absent string
	// related is what the sources say closest to a refused question, shown
	// after the refusal; nil when nothing is close enough.
	related *sentence
	// picked are the sentences to answer with, best first.
	picked []sentence
	// timeline holds, for a question about a change, the dated sentences
	// stating each figure, oldest first; nil when there are fewer than two.
	timeline []sentence
	// missing are the parts of a compound question no sentence answers.
	missing []string
}

// judge decides whether the sources state what the question asks, part by
// part, and which sentences state it. This is the one place that makes
// that call for the extractive answerer: it refuses when the question
// names something no source mentions, when the word for what it asks
// ("how many suspects") appears nowhere, or when no sentence holds the
// question's names, its focus and enough of its other terms together and
// states the kind of fact asked for (a figure, a date). It answers the
// parts of a compound question it can and names the others.
func judge(q question, res retrieval.Results, k int) verdict {
	if len(res.Passages) == 0 {
		return verdict{refuse: true}
	}
	if len(res.Terms) == 0 {
		// A searcher that does not say how the corpus holds each term:
		// take the query's terms as they are.
		query := res.Query
		if query == "" {
			query = q.text
		}
		res.Terms = plainTerms(query)
	}
	// A name no source mentions: the question is about something else.
	for _, t := range res.Terms {
		if t.Name && !t.Number && !t.InCorpus() {
			return verdict{refuse: true, absent: surface(q.text, t.Tokens)}
		}
	}
	relevant := relevantPassages(res)
	if len(relevant) == 0 {
		return verdict{refuse: true}
	}
	cands := candidates(q, res.Terms, relevant)
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	tf := timeContext{TimeFrame: q.time}
	for _, p := range relevant {
		if d, ok := p.Meta.Date(); ok && d.After(tf.newest) {
			tf.newest = d
		}
	}
	var v verdict
	var best *sentence
	for pi, p := range q.parts {
		focus := termIndex(res.Terms, p.focus)
		var preds []int
		missingVerb := false
		for _, w := range p.predicates {
			if i := termIndex(res.Terms, w); i >= 0 && !res.Terms[i].Frame {
				preds = append(preds, i)
				missingVerb = missingVerb || absent(res.Terms, i)
			}
		}
		// A later part of a compound question ("…, and who will command
		// them?") is answered by a sentence holding its own words.
		words := partTerms(res.Terms, p.text)
		var own []int
		if pi > 0 {
			own = words
			for _, i := range own {
				missingVerb = missingVerb || absent(res.Terms, i)
			}
		}
		for _, i := range words {
			// "How many were hurt in the derailment?" where no source
			// speaks of a derailment or a word for it: the event is not
			// in the corpus, as when its verb is missing.
			missingVerb = missingVerb || absentEvent(res.Terms[i])
		}
		verb, asked := termIndex(res.Terms, p.verb), termIndex(res.Terms, p.focus)
		if missingVerb && (p.wants == wantAmount || p.wants == wantPerson || p.wants == wantDate) {
			// "How many officers were killed…" where no source says "kill"
			// or a word for it: the event is not in the corpus.
			v.missing = append(v.missing, p.text)
			continue
		}
		// A focus or a verb no source uses may be a paraphrase ("cash"
		// for "$360 million"), or what the corpus lacks ("population"):
		// only a sentence holding nearly all the rest answers.
		floor := sentenceFloor
		if absent(res.Terms, focus) || missingVerb {
			floor = absentFloor
			focus = -1
		}
		var kind []int
		for _, w := range p.kind {
			if i := termIndex(res.Terms, w); i >= 0 {
				kind = append(kind, i)
			}
		}
		var ok []sentence
		for _, s := range cands {
			if s.passage.Rank > k && pi == 0 && q.time.Kind != text.TimeChange && p.wants != wantAmount {
				continue // beyond k only for other figures and timelines
			}
			// The focus must be in the sentence; for a count, a figure
			// counting the question's verb will do ("13 votes" for "how many
			// members voted"), checked below.
			if focus >= 0 && !p.instance && !s.own[focus] && (p.wants != wantAmount || p.size) || !holdsNames(s, res.Terms, kind) {
				continue
			}
			if (p.wants == wantAmount || p.wants == wantDate) && !s.states[p.wants] || p.quantity && !s.quantity || p.money && !s.money {
				continue
			}
			if p.wants == wantAmount && !p.quantity && !p.size && !quantifies(s, res.Terms, append(append([]int{focus}, preds...), kind...)) {
				continue // "How many bats…": a figure counting bats
			}
			if p.wants == wantAmount && !figureBesideNames(s, res.Terms) {
				continue // "Japan promised 3 million doses. Canada also promised doses."
			}
			if p.wants == wantPerson && !holdsAny(s, preds) || !holdsAnyOwn(s, own) {
				continue // "Who was appointed…": a sentence about the appointment
			}
			if verb >= 0 && res.Terms[verb].Known && s.held[verb] == 0 {
				// "Who chaired the meeting?": a sentence about the chairing,
				// when the corpus uses the verb (a verb it never uses may be
				// a paraphrase: "heads" for "chief executive").
				continue
			}
			titled := false
			if p.wants == wantPerson {
				// "Who…": a sentence naming someone the question does not;
				// "Which judge…": one, best with the title asked about.
				s.states[wantPerson], titled = namesPerson(s, res.Terms, asked)
				if p.instance && !s.states[wantPerson] || !s.states[wantPerson] && !namesSomethingNew(s, res.Terms) {
					continue
				}
			}
			s.score = partScore(s, p, tf)
			if titled {
				s.score += titleBonus
			}
			if s.score >= floor {
				ok = append(ok, s)
			}
		}
		if pi == 0 && q.time.Kind == text.TimeChange {
			v.timeline = timeline(cands, res.Terms, p, focus, tf)
		}
		if len(ok) == 0 {
			if v.timeline == nil {
				v.missing = append(v.missing, p.text)
			}
			if len(q.parts) == 1 && absent(res.Terms, termIndex(res.Terms, p.focus)) {
				v.absent = p.focusWord
			}
			continue
		}
		sort.SliceStable(ok, func(i, j int) bool { return ok[i].score > ok[j].score })
		if p.wants == wantPerson {
			ok = preferPeople(ok)
		}
		ok = preferTime(ok, tf)
		if best == nil {
			best = &ok[0]
		}
		limit := maxSentences
		if pi > 0 {
			limit = 2
		}
		pool := ok[1:]
		if q.time.Kind == text.TimeAsOf || q.time.Kind == text.TimeLatest {
			// One time, one source: other sources' figures are other times.
			pool = nil
			for _, s := range ok[1:] {
				if s.passage.Meta.DocID == ok[0].passage.Meta.DocID {
					pool = append(pool, s)
				}
			}
		}
		for _, s := range pickSentences(ok[0], pool, limit) {
			if !repeats(s, v.picked) {
				v.picked = append(v.picked, s)
			}
		}
		if pi == 0 && p.wants == wantAmount && q.time.Kind == text.TimeNone {
			v.picked = addOtherFigures(v.picked, ok, ok[0].score)
		}
	}
	if len(v.picked) == 0 && v.timeline != nil {
		return v
	}
	if len(v.picked) == 0 {
		v.refuse = true
		if len(cands) > 0 && cands[0].score >= relatedFloor && v.absent == "" {
			v.related = &cands[0]
		}
		return v
	}
	return v
}

// titleBonus is added to the score of a sentence naming a person with the
// title a question asks about ("Justice … Mwita" for "Which judge…").
const titleBonus = 0.15

// partTerms returns the query terms written in a part of the question, not
// counting frame words.
func partTerms(terms []retrieval.QueryTerm, part string) []int {
	mine := text.Tokens(part)
	var out []int
	for i, t := range terms {
		if t.Frame {
			continue
		}
		for _, tok := range t.Tokens {
			if slices.Contains(mine, tok) {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// holdsAnyOwn reports whether the sentence itself holds one of the terms
// ids, or there are none.
func holdsAnyOwn(s sentence, ids []int) bool {
	for _, i := range ids {
		if s.own[i] {
			return true
		}
	}
	return len(ids) == 0
}

// holdsAny reports whether s holds one of the terms ids, or there are none.
func holdsAny(s sentence, ids []int) bool {
	for _, i := range ids {
		if s.held[i] > 0 {
			return true
		}
	}
	return len(ids) == 0
}

// plainTerms describes query's content terms without a corpus: each known,
// weighing the same.
func plainTerms(query string) []retrieval.QueryTerm {
	var out []retrieval.QueryTerm
	for _, t := range text.Terms(query) {
		out = append(out, retrieval.QueryTerm{Term: t, Weight: 1, Known: true, Tokens: []string{t}, Forms: []string{t}})
	}
	return out
}

// absent reports whether term i is one the corpus holds in no way.
func absent(terms []retrieval.QueryTerm, i int) bool {
	return i >= 0 && !terms[i].InCorpus()
}

// absentEvent reports whether t is a noun for an event or act, made from
// a verb ("derailment", "explosion", "compensation"), that the corpus
// holds in no way: no source tells of it.
func absentEvent(t retrieval.QueryTerm) bool {
	if t.InCorpus() || t.Name || t.Number || t.Frame || len(t.Tokens) != 1 {
		return false
	}
	if !text.IsNoun(t.Term) || text.IsVerb(t.Term) {
		return false
	}
	for _, d := range text.Derived(t.Term) {
		if !strings.Contains(d, " ") && text.IsVerb(d) {
			return true
		}
	}
	return false
}

// termIndex finds the query term that is, or contains, the term t; -1 for
// none.
func termIndex(terms []retrieval.QueryTerm, t string) int {
	if t == "" {
		return -1
	}
	for i, qt := range terms {
		if qt.Term == t {
			return i
		}
	}
	for i, qt := range terms {
		for _, tok := range qt.Tokens {
			if tok == t {
				return i
			}
		}
	}
	return -1
}

// refusal turns a into the refusal of v: RefusalText, then what the sources
// don't mention, or the closest thing they do say, cited.
func refusal(a Answer, v verdict) Answer {
	a = refuse(a)
	switch {
	case v.absent != "":
		a.Text += " The sources don't mention " + v.absent + "."
	case v.related != nil:
		c := newCiter(&a)
		n := c.cite(*v.related)
		a.Text += " The closest they come: " + v.related.quote() + " [" + strconv.Itoa(n) + "]"
	}
	return a
}

// missingText says which parts of a question the sources leave unanswered.
func missingText(parts []string) string {
	var qs []string
	for _, p := range parts {
		qs = append(qs, indirect(p))
	}
	return "The sources don't say " + strings.Join(qs, ", nor ") + "."
}

// indirect turns a question into the clause that follows "don't say": "who
// were they" becomes "who they were"; other questions are quoted.
func indirect(q string) string {
	q = strings.TrimRight(strings.TrimSpace(q), "?!. ")
	w := strings.Fields(q)
	if len(w) == 3 && isBe(strings.ToLower(w[1])) {
		return lowerFirst(w[0]) + " " + w[2] + " " + w[1]
	}
	return "“" + lowerFirst(q) + "”"
}

// isBe reports whether w is a form of "to be".
func isBe(w string) bool {
	switch w {
	case "is", "are", "was", "were":
		return true
	}
	return false
}

// lowerFirst lower-cases the first letter of s, unless its first word is
// written in capitals (an acronym).
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	// Keep acronyms and names: lower only an ordinary capitalised word.
	if len(s) > n {
		next, _ := utf8.DecodeRuneInString(s[n:])
		if unicode.IsUpper(next) {
			return s
		}
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// surface finds the words of question whose tokens are toks ("Japan" for
// ["japan"], "Kenya Airways" for ["kenya", "airway"]); the tokens joined
// by spaces when it cannot.
func surface(question string, toks []string) string {
	words := strings.Fields(question)
	for i := range words {
		var got []string
		for j := i; j < len(words) && len(got) < len(toks); j++ {
			got = append(got, text.Tokens(words[j])...)
			if len(got) >= len(toks) {
				if strings.Join(got[:len(toks)], " ") == strings.Join(toks, " ") {
					return trimPossessive(strings.Trim(strings.Join(words[i:j+1], " "), "?!.,;:\"'()“”‘’"))
				}
				break
			}
		}
	}
	return strings.Join(toks, " ")
}

// trimPossessive drops a possessive ending ("Institute's" → "Institute"),
// which names the thing, not the phrase the question wrote around it.
func trimPossessive(w string) string {
	for _, end := range []string{"'s", "’s", "'", "’"} {
		if strings.HasSuffix(w, end) && len(w) > len(end) {
			return w[:len(w)-len(end)]
		}
	}
	return w
}

// The model's refusal. In llm mode the model judges relevance: the prompt
// asks it to reply with prompts.RefusalLine alone when the sources do not
// answer the question, and a reply is read for that line first; a model
// that paraphrases instead is caught by refusalPhrase, but only when its
// reply adds nothing from the sources, so a real answer that mentions a gap
// ("…five years; there is no information on renewal") is never taken for
// a refusal.

// refusalLetters is prompts.RefusalLine reduced to its letters, upper case:
// what is left of the line whatever emphasis, quotes, markers or
// punctuation a model puts around or inside it.
var refusalLetters = refusalKey(prompts.RefusalLine)

// refusalKey reduces s to its letters, upper-cased.
func refusalKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// modelPassages is llm mode's relevance decision: the model judges
// relevance, so it is handed the passages unless nothing at all matches
// (no passage holds any content term of the question, or there are none).
func modelPassages(res retrieval.Results) []retrieval.Passage {
	if len(res.Passages) == 0 || res.Coverage <= 0 {
		return nil
	}
	return res.Passages
}

// modelRefusal reads a model's reply for a refusal. It returns refused
// when the reply is the refusal line (with or without stray markers,
// emphasis or an explanation in any language), or a paraphrased refusal
// that adds no figure, name or term from the sources beyond the
// question's. Otherwise it returns the reply, without any refusal line, as
// the answer to verify: a reply that answers part of the question and
// then gives the line keeps its answer.
func modelRefusal(reply, question string, sources []source) (answer string, refused bool) {
	var kept []string
	sawLine := false
	for _, line := range strings.Split(reply, "\n") {
		key := refusalKey(line)
		if strings.HasPrefix(key, refusalLetters) {
			sawLine = true
			// The line may carry an explanation after the token.
			if rest := afterRefusalToken(line); rest != "" {
				kept = append(kept, rest)
			}
			continue
		}
		kept = append(kept, line)
	}
	rest := strings.TrimSpace(strings.Join(kept, "\n"))
	if sawLine {
		if rest == "" || !addsInformation(rest, question, sources) {
			return "", true
		}
		return rest, false
	}
	if statesRefusal(rest) && !addsInformation(rest, question, sources) {
		return "", true
	}
	return rest, false
}

// afterRefusalToken returns what follows the refusal token on its line,
// without the punctuation and emphasis between them.
func afterRefusalToken(line string) string {
	n := 0
	for i, r := range line {
		if unicode.IsLetter(r) {
			n++
			if n == len(refusalLetters) {
				return strings.TrimFunc(line[i+len(string(r)):], func(r rune) bool {
					return !unicode.IsLetter(r) && !unicode.IsDigit(r)
				})
			}
		}
	}
	return ""
}

// refusalPhrase matches a statement that the sources do not answer the
// question, in English, French, Haitian Creole, Spanish and Portuguese,
// subject included ("the sources do not say", "nothing in the passages",
// "les sources ne le disent pas"), so that what is left once it is removed
// is what the reply adds.
var refusalPhrase = regexp.MustCompile(`(?i)` +
	`\b(?:i|we)\s+(?:do\s+not|don't|don’t|cannot|can't|can’t|could\s+not|couldn't|couldn’t)\s+(?:know|find|answer|say|tell|determine)\b` +
	`|\b(?:the\s+|these\s+|my\s+|available\s+|provided\s+|given\s+)*(?:sources?|passages?|documents?|articles?|texts?|reports?|excerpts?)\s+(?:do|does|did)\s*(?:not|n't|n’t)\s+(?:\w+\s+){0,2}?(?:contain|cover|mention|say|state|include|provide|specify|address|give|answer|indicate|discuss|report|tell)\b` +
	`|\b(?:the\s+|these\s+)?(?:sources?|passages?|documents?|articles?|texts?|reports?)\s+(?:give|gives|provide|provides|contain|contains|offer|offers|include|includes|state|states|say|says|mention|mentions|have|has)\s+no\b` +
	`|\bnothing\s+in\s+(?:the\s+|these\s+)?(?:sources?|passages?|documents?|articles?|texts?)\b` +
	`|\b(?:there\s+is\s+|there's\s+|there’s\s+)?no\s+(?:information|mention|data|details?|figures?|record)\b` +
	`|\bnot\s+enough\s+information\b|\bcannot\s+be\s+answered\b|\bnot\s+(?:covered|mentioned|stated|specified)\b` +
	`|\bje\s+ne\s+(?:sais|peux)\s+pas\b|\bpas\s+d['’]information` +
	`|\b(?:les\s+|ces\s+)?(?:sources?|documents?|passages?|articles?|textes?)\s+ne\s+(?:le\s+|l['’]\s*|en\s+|la\s+|les\s+)?(?:disent|dit|mentionnent|mentionne|couvrent|précisent|précise|contiennent|donnent|indiquent|abordent|parlent)\b` +
	`|\bne\s+(?:le\s+|l['’]\s*|en\s+)?(?:disent|mentionnent|couvrent|précisent|contiennent|donnent|indiquent)\s+pas\b|\baucune\s+(?:information|mention|donnée|précision)\b` +
	`|\bmwen\s+pa\s+(?:konnen|konn|ka|jwenn)\b|\bpa\s+gen\s+(?:okenn\s+)?enf[oò]masyon\b|\b(?:sous|dokiman|tèks|tex)\s+yo\s+pa\s+(?:di|mansyone|bay|gen|pale)\b` +
	`|\blas?\s+fuentes\s+no\s+(?:dicen|mencionan|indican|especifican)\b|\bno\s+hay\s+información\b` +
	`|\bas\s+fontes\s+não\s+(?:dizem|mencionam|indicam)\b|\bnão\s+há\s+informaç`)

// statesRefusal reports whether text says that the sources do not answer
// the question.
func statesRefusal(text string) bool { return refusalPhrase.MatchString(text) }

// minAddedTerms is how many content terms from the sources, not in the
// question, a reply must add to count as an answer when it carries no
// figure or name from them.
const minAddedTerms = 2

// addsInformation reports whether a reply says something from the sources
// beyond the question and beyond its own statements of absence: a figure
// or a capitalised name found in the sources but not in the question, or
// at least minAddedTerms such content terms.
func addsInformation(reply, question string, sources []source) bool {
	rest := refusalPhrase.ReplaceAllString(citeMarker.ReplaceAllString(reply, " "), " ")
	var all strings.Builder
	for _, s := range sources {
		all.WriteString(s.text)
		all.WriteString("\n")
	}
	src := all.String()
	srcNums, qNums := numberSet(src), numberSet(question)
	for n := range numberSet(rest) {
		if srcNums[n] && !qNums[n] {
			return true
		}
	}
	srcToks, qToks := tokenSet(src), tokenSet(question)
	srcWords, qWords := wordTokens(src), wordTokens(question)
	for _, n := range names(rest) {
		if srcWords[n.token] && !qWords[n.token] {
			return true
		}
	}
	added := 0
	for _, t := range text.Terms(rest) {
		if !qToks[t] && srcToks[t] {
			added++
		}
	}
	return added >= minAddedTerms
}
