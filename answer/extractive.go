package answer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"missionbot/corpus"
	"missionbot/retrieval"
	"missionbot/text"
)

// Extractive answers from the retrieved passages' own sentences, with no
// model: each sentence it uses is quoted as found and followed by its [n].
type Extractive struct {
	searcher Searcher
	k        int
	now      func() time.Time
}

// ExtractiveOptions configures an extractive answerer.
type ExtractiveOptions struct {
	// K is how many passages an answer rests on unless a Request asks for
	// another number; at least 1.
	K int
}

// NewExtractive returns an extractive answerer over s.
func NewExtractive(s Searcher, opts ExtractiveOptions) (*Extractive, error) {
	if s == nil {
		return nil, errors.New("new extractive answerer: no searcher")
	}
	if opts.K < 1 {
		return nil, fmt.Errorf("new extractive answerer: K is %d, want at least 1", opts.K)
	}
	return &Extractive{searcher: s, k: opts.K, now: time.Now}, nil
}

// Answer retrieves passages for the question (merging the previous
// question's terms into a follow-up) and composes an answer from them.
func (e *Extractive) Answer(ctx context.Context, req Request) (Answer, error) {
	if err := ValidateQuestion(req.Question); err != nil {
		return Answer{}, err
	}
	query := mergeHistory(req.Question, req.History)
	k := req.K
	if k <= 0 {
		k = e.k
	}
	start := e.now()
	// Search wider than k: the extra passages may hold other figures for
	// the same fact, which the answer must show side by side.
	survey := surveyK
	if text.ParseTimeFrame(req.Question).Kind == text.TimeChange {
		// A change is told by many sources, one figure each.
		survey = changeSurveyK
	}
	res, err := e.searcher.Search(ctx, query, max(k, survey))
	if err != nil {
		return Answer{}, fmt.Errorf("answer: %w", err)
	}
	retrieved := e.now()
	a := compose(req.Question, res, k)
	a.Retrieve = retrieved.Sub(start)
	a.Generate = e.now().Sub(retrieved)
	if req.OnDelta != nil && a.Text != "" {
		req.OnDelta(a.Text)
	}
	return a, nil
}

// Limits on an extractive answer's size: enough for the facts, short
// enough for a chat message.
const (
	// surveyK is how many passages are searched for other figures;
	// changeSurveyK, for the dated figures of a question about a change.
	surveyK       = 10
	changeSurveyK = 20
	maxSentences  = 4
	maxWords      = 120
	// keepRatio is the share of the best sentence's score another sentence
	// needs to be included.
	keepRatio = 0.7
	// surveyRatio is the lower bar for a sentence giving another figure
	// for the amount asked about; maxOtherFigures caps how many are added.
	surveyRatio     = 0.45
	maxOtherFigures = 3
	// maxTimeline caps the dated figures of an answer about a change.
	maxTimeline = 6
	// maxQuoteWords caps one quoted sentence; a longer one (a transcript
	// without punctuation) is cut around the question's words.
	maxQuoteWords = 80
)

// Compose builds the extractive answer to question from search results,
// without any I/O. It refuses when the results hold nothing relevant. When
// the chosen sentences give different figures from different documents
// (a pledge that grew over time, say), each is shown with its source's date
// instead of one being picked.
func Compose(question string, res retrieval.Results) Answer {
	return compose(question, res, len(res.Passages))
}

// compose answers from the first k passages of res, consulting the rest
// only for other figures of an amount asked about.
func compose(question string, res retrieval.Results, k int) Answer {
	top := res.Passages[:min(k, len(res.Passages))]
	a := Answer{Question: question, Query: res.Query, Mode: ModeExtractive, Passages: top, Notice: res.Notice}
	q := parseQuestion(question)
	v := judge(q, res, k)
	if v.refuse {
		return refusal(a, v)
	}
	var b strings.Builder
	c := newCiter(&a)
	switch {
	case q.time.Kind == text.TimeChange && v.timeline != nil:
		writeTimeline(&b, c, v.timeline)
	case conflicting(v.picked) && q.time.Kind == text.TimeNone:
		sorted := slices.Clone(v.picked)
		sort.SliceStable(sorted, func(i, j int) bool { return dateKey(sorted[i]) < dateKey(sorted[j]) })
		b.WriteString("The sources give different figures; each is shown with its source's date:\n")
		writeTimeline(&b, c, sorted)
	default:
		for i, s := range v.picked {
			if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "%s [%d]", s.quote(), c.cite(s))
		}
	}
	a.Text = strings.TrimSpace(b.String())
	a.Passages = quotedFirst(c.quoted, res.Passages, k)
	if len(v.missing) > 0 {
		a.Partial = true
		a.Text += "\n\n" + missingText(v.missing)
	}
	return a
}

// quote records that the answer quotes s, keeping the quoted sentences
// best first, whatever order the answer shows them in (a timeline shows
// them oldest first).
func (c *citer) quote(s sentence) {
	i, _ := slices.BinarySearchFunc(c.quoted, s.score, func(q sentence, score float64) int {
		if q.score >= score {
			return -1
		}
		return 1
	})
	c.quoted = slices.Insert(c.quoted, i, s)
}

// quotedFirst returns the passages an answer rests on: those of the
// sentences it quotes, best first, then the other passages of the first k
// in rank order, k in all (more when it quotes more). A passage quoted from
// beyond the first k (another figure found in the wider survey) is listed
// with the rest it rests on.
func quotedFirst(quoted []sentence, all []retrieval.Passage, k int) []retrieval.Passage {
	var out []retrieval.Passage
	for _, s := range quoted {
		if !slices.ContainsFunc(out, func(q retrieval.Passage) bool { return q.ID == s.passage.ID }) {
			out = append(out, s.passage)
		}
	}
	n := len(out)
	for _, p := range all[:min(k, len(all))] {
		if len(out) >= max(k, n) {
			break
		}
		if !slices.ContainsFunc(out, func(q retrieval.Passage) bool { return q.ID == p.ID }) {
			out = append(out, p)
		}
	}
	return out
}

// writeTimeline lists dated sentences, one a line, each with its date.
func writeTimeline(b *strings.Builder, c *citer, ss []sentence) {
	for _, s := range ss {
		date := corpus.FormatDate(s.passage.Meta.Published)
		if date == "" {
			date = "Undated"
		}
		fmt.Fprintf(b, "- %s: %s [%d]\n", date, s.quote(), c.cite(s))
	}
}

// citer numbers an answer's sources: documents, so two sentences from one
// article cite one [n].
type citer struct {
	a       *Answer
	numbers map[string]int // document ID -> citation number
	// quoted are the sentences quoted, best first.
	quoted []sentence
}

func newCiter(a *Answer) *citer { return &citer{a: a, numbers: map[string]int{}} }

func (c *citer) cite(s sentence) int {
	c.quote(s)
	n, ok := c.numbers[s.passage.Meta.DocID]
	if !ok {
		n = len(c.numbers) + 1
		c.numbers[s.passage.Meta.DocID] = n
		c.a.Citations = append(c.a.Citations, citationOf(n, s.passage, s.text))
	} else if cit := &c.a.Citations[n-1]; !strings.Contains(cit.Quote, s.text) {
		cit.Quote += " " + s.text
	}
	return n
}

// sentence is a candidate sentence of a relevant passage.
type sentence struct {
	text    string
	passage retrieval.Passage
	score   float64
	order   int // position in reading order: passage rank, then sentence
	figures []string
	// held is, per query term, the credit with which the sentence (or,
	// for less, its neighbours) holds it; own says whether the sentence
	// itself does.
	held []float64
	own  []bool
	// states says whether the sentence states each kind of fact.
	states map[want]bool
	// quantity says whether it states a sum of money or a measure, money
	// whether a sum of money.
	quantity bool
	money    bool
	// pair is set for a sentence joined with the one after it; halves
	// are then the two sentences' texts.
	pair   bool
	halves [2]string
	// people are the names of people the sentence states.
	people []person
	// ptoks are the tokens of the sentence's passage and headline, shared
	// by its sentences; nil when the sentence was built without them.
	ptoks *passageTokens
}

// passageTokens are a passage's tokens and its document headline's,
// tokenised once for all the sentences read from it.
type passageTokens struct {
	text, title []string
}

// passageTokens returns the tokens of s's passage and headline.
func (s sentence) passageTokens() *passageTokens {
	if s.ptoks == nil {
		return &passageTokens{text: text.Tokens(s.passage.Text), title: text.Tokens(s.passage.Meta.Title)}
	}
	return s.ptoks
}

// person is a name of a person as a sentence states it.
type person struct {
	// toks are the name's tokens, with any title ("justic enock chacha
	// mwita").
	toks []string
	// title is the word for a person written before it, lower case
	// ("judge" in "retired judge Helen Marsh"); "" for none.
	title string
}

// quote is the sentence as the answer shows it: cut to maxQuoteWords, with
// relative dates ("on Monday") resolved against its source's date.
func (s sentence) quote() string {
	return resolveRelativeDates(clip(s.text, maxQuoteWords), s.passage.Meta.Published)
}

// clip shortens a sentence to at most n words, marking the cut.
func clip(s string, n int) string {
	f := strings.Fields(s)
	if len(f) <= n {
		return s
	}
	return strings.Join(f[:n], " ") + " …"
}

var (
	numberLike = regexp.MustCompile(`(?i)(\$\s?\d[\d,.]*(\s?(million|billion|m|bn))?|\d[\d,.]*\s?(million|billion|percent|%)|\b\d{1,3}(,\d{3})+\b|\b\d+\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|thousand|half|third|quarter)s?\b)`)
	money      = regexp.MustCompile(`(?i)(?:[A-Z]{0,3}\$|€|£)\s?\d[\d,.]*(\s?(million|billion|m|bn))?|\d[\d,.]*\s?(million|billion)\s+(dollars|usd|euros?|pounds)|\d[\d,.]*\s?(million|billion|milliards?)\s+d'euros`)
	count      = regexp.MustCompile(`\b\d{1,3}(?:,\d{3})+\b|\b\d+(?:\.\d+)?\s?(?:million|billion|%|percent)|\b\d{2,4}\b`)
	dateLike   = regexp.MustCompile(`(?i)\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(tember)?|oct(ober)?|nov(ember)?|dec(ember)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)\b|\b(19|20)\d\d\b`)
	nameLike   = regexp.MustCompile(`\b\p{Lu}\p{Ll}+(\s+\p{Lu}[\p{Ll}'-]+)+\b`)
	placeLike  = regexp.MustCompile(`\b(in|at|to|from|near|en|à)\s+\p{Lu}\p{Ll}+`)
	yearOnly   = regexp.MustCompile(`^(19|20)\d\d$`)
	// quantityLike is a sum of money or a measure: what "how much" asks.
	quantityLike = regexp.MustCompile(`(?i)(?:[A-Z]{0,3}\$|€|£)\s?\d|\d[\d,.]*\s?(?:%|percent|per\s+cent|million|billion|thousand|milliards?|tonnes?|tons?|kilo\w*|km|metres?|meters?|miles?|hours?|days?|weeks?|months?|years?|minutes?|kg|litres?|euros?|dollars?|pounds?|shillings?)\b|\b(half|a\s+third|a\s+quarter|three-quarters|two-thirds)\b|\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|hundred)(?:\s+|-)(?:years?|months?|weeks?|days?|hours?|minutes?|kilometres?|metres?|km)\b`)
)

// figures are the amounts a sentence states, normalised: sums of money,
// and counts other than years and days of the month.
func figures(s string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(f string) {
		f = strings.ToLower(strings.NewReplacer(" ", "", ",", "", "us$", "$", "c$", "$").Replace(f))
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	moneySpans := money.FindAllStringIndex(s, -1)
	for _, m := range moneySpans {
		add(s[m[0]:m[1]])
	}
	for _, m := range count.FindAllStringIndex(s, -1) {
		f := s[m[0]:m[1]]
		inMoney := false
		for _, ms := range moneySpans {
			if m[0] >= ms[0] && m[1] <= ms[1] {
				inMoney = true
			}
		}
		if inMoney || yearOnly.MatchString(f) || dayOfMonth(s, m[0], m[1]) {
			continue
		}
		add(f)
	}
	return out
}

// dayOfMonth reports whether the number at s[i:j] is a day in a date
// ("25 June", "June 25").
func dayOfMonth(s string, i, j int) bool {
	after := strings.TrimLeft(s[j:], " ")
	before := strings.TrimRight(s[:i], " ")
	return j-i <= 2 && (dateLike.MatchString(firstWord(after)) || dateLike.MatchString(lastWordOf(before)))
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return strings.Trim(f[0], ",.;")
	}
	return ""
}

func lastWordOf(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return strings.Trim(f[len(f)-1], ",.;")
	}
	return ""
}

// candidates scores every sentence of passages against the question's
// terms. A term held by the sentence counts fully, one held only by the
// sentence before or after it counts half: "China and Russia abstained"
// answers a question whose words are in the sentence before.
func candidates(q question, terms []retrieval.QueryTerm, passages []retrieval.Passage) []sentence {
	var total float64
	for _, t := range terms {
		total += t.Weight
	}
	if total == 0 {
		return nil
	}
	var out []sentence
	for pi, p := range passages {
		texts := text.SplitSentences(p.Text)
		ptoks := &passageTokens{text: text.Tokens(p.Text), title: text.Tokens(p.Meta.Title)}
		toks := make([][]string, len(texts))
		for i, t := range texts {
			toks[i] = text.Tokens(t)
		}
		// The facts of each sentence, read once: as a candidate and as
		// the second half of the pair before it.
		facts := make([]*sentence, len(texts))
		factsOf := func(i int) *sentence {
			if facts[i] == nil {
				facts[i] = &sentence{text: strings.TrimSpace(texts[i])}
				facts[i].readFacts()
			}
			return facts[i]
		}
		for si, t := range texts {
			s := sentence{text: strings.TrimSpace(t), passage: p, ptoks: ptoks, order: pi*1000 + si}
			if si > 0 && text.LeansBack(s.text) {
				// "This designation allows…" means nothing without the
				// sentence it points back to: quote them together.
				s.text = strings.TrimSpace(texts[si-1]) + " " + s.text
			}
			if len(strings.Fields(s.text)) < 4 {
				continue
			}
			s.held = make([]float64, len(terms))
			s.own = make([]bool, len(terms))
			var got float64
			hits := 0
			// One related word stands for one term: "paid" answers the
			// "salary" or the "earn" of a question, not both.
			var via map[string]bool
			for ti, term := range terms {
				credit, rel := term.Match(toks[si])
				if rel != "" {
					if via[rel] {
						credit = 0
					}
					if via == nil {
						via = map[string]bool{}
					}
					via[rel] = true
				}
				ok := credit > 0
				if !ok {
					for _, nb := range []int{si - 1, si + 1} {
						if nb >= 0 && nb < len(toks) {
							if ok2, c2 := term.Holds(toks[nb]); ok2 {
								credit = max(credit, c2/2)
							}
						}
					}
				} else {
					hits++
					s.own[ti] = true
				}
				s.held[ti] = credit
				got += term.Weight * credit
			}
			if hits == 0 {
				continue
			}
			if s.text == strings.TrimSpace(texts[si]) {
				s.takeFacts(factsOf(si))
			} else {
				s.readFacts() // joined with the sentence it leans back on
			}
			s.score = got / total * (1 - 0.03*float64(min(p.Rank-1, 6)))
			out = append(out, s)
			// The fact asked for is often in the next sentence: "…agreed to
			// resign. He has been in Puerto Rico since 5 March." The pair
			// competes as one candidate.
			if si+1 < len(texts) && !text.LeansBack(texts[si+1]) {
				out = append(out, pairWith(s, factsOf(si+1), toks[si+1], terms, total))
			}
		}
	}
	return out
}

// takeFacts copies the facts f read from the same text.
func (s *sentence) takeFacts(f *sentence) {
	s.figures, s.quantity, s.money, s.people, s.states = f.figures, f.quantity, f.money, f.people, maps.Clone(f.states)
}

// readFacts records the kinds of fact s's text states: its figures, a
// measure, a sum of money, a date, a person's name, a place.
func (s *sentence) readFacts() {
	s.figures = figures(s.text)
	s.quantity = quantityLike.MatchString(s.text)
	s.money = money.MatchString(s.text)
	s.people = peopleIn(s.text)
	s.states = map[want]bool{
		wantAmount: numberLike.MatchString(s.text),
		wantDate:   dateLike.MatchString(s.text),
		wantPerson: len(s.people) > 0,
		wantPlace:  placeLike.MatchString(s.text) || nameLike.MatchString(s.text),
	}
}

// peopleIn returns the names of people a text states: runs of capitalised
// words that follow a word for a person ("judge Helen Marsh") or hold one
// before the name ("Kenyan Defense Minister Aden Bare Duale", "Constable
// Kaetuai"), or end in two proper names ("Marta Lindqvist"), and that do not
// end in a place or a body. "Lake Orrin", "the Kenyan High Court" and
// "Lambert Santé Hospital" name none.
func peopleIn(s string) []person {
	var out []person
	proper := func(t string) bool { return text.IsProperName(t) && text.NounCategory(t) != text.CategoryLocation }
	for _, loc := range nameLike.FindAllStringIndex(s, -1) {
		toks := text.Tokens(s[loc[0]:loc[1]])
		n := len(toks)
		if n < 2 {
			continue
		}
		last := toks[n-1]
		if text.IsDateWord(last) || text.NounCategory(last) == text.CategoryLocation || text.NounCategory(last) == text.CategoryGroup {
			continue
		}
		before := lastWordOf(s[:loc[0]])
		title := -1 // the last word for a person before the name
		for j, t := range toks[:n-1] {
			if text.NounCategory(t) == text.CategoryPerson {
				title = j
			}
		}
		// After the title comes a name, not a common word ("Halden General
		// Hospital" names a building).
		named := title >= 0 && (text.IsProperName(toks[title+1]) || !text.IsNoun(toks[title+1]))
		if named || isPersonNoun(before) || proper(last) && proper(toks[n-2]) {
			p := person{toks: toks}
			if isPersonNoun(before) {
				p.title = strings.ToLower(before)
			}
			out = append(out, p)
		}
	}
	return out
}

// isPersonNoun reports whether a word is a common noun for a person
// ("judge", "minister", "spokesman").
func isPersonNoun(w string) bool {
	ts := text.Terms(w)
	return len(ts) == 1 && text.NounCategory(ts[0]) == text.CategoryPerson
}

// namesPerson reports whether s names a person the question does not (the
// answer to "Who…" is someone other than the people it names), and whether
// that person is given the title the question asks about: "Justice Enock
// Chacha Mwita" for "Which judge…" (focus is the index of that term in
// terms, -1 for none).
func namesPerson(s sentence, terms []retrieval.QueryTerm, focus int) (named, titled bool) {
	asked := map[string]bool{}
	for _, t := range terms {
		if t.Name {
			for _, tok := range t.Tokens {
				asked[tok] = true
			}
		}
	}
	for _, p := range s.people {
		fresh := false
		for _, tok := range p.toks {
			fresh = fresh || !asked[tok] && text.IsProperName(tok)
		}
		if !fresh {
			continue
		}
		named = true
		if focus < 0 {
			continue
		}
		titles := p.toks[:len(p.toks)-1]
		if p.title != "" {
			titles = append(slices.Clone(titles), text.Tokens(p.title)...)
		}
		for _, tok := range titles {
			if ok, _ := terms[focus].Holds([]string{tok}); ok || slices.Contains(text.Related(terms[focus].Term), tok) {
				titled = true
			}
		}
	}
	return named, titled
}

// pairWith joins s and the sentence after it (next, with its tokens) into
// one candidate holding what either holds, scored a little below the sum
// of its parts so a single sentence that says it all wins.
func pairWith(s sentence, next *sentence, nextToks []string, terms []retrieval.QueryTerm, total float64) sentence {
	p := s
	p.text = s.text + " " + next.text
	p.held = slices.Clone(s.held)
	p.own = slices.Clone(s.own)
	var got float64
	for i, t := range terms {
		if ok, c := t.Holds(nextToks); ok {
			p.own[i] = true
			p.held[i] = max(p.held[i], c)
		}
		got += t.Weight * p.held[i]
	}
	p.figures = append(slices.Clip(s.figures), next.figures...)
	p.quantity, p.money = s.quantity || next.quantity, s.money || next.money
	p.people = append(slices.Clip(s.people), next.people...)
	p.states = map[want]bool{}
	for _, st := range []map[want]bool{s.states, next.states} {
		for w, ok := range st {
			p.states[w] = p.states[w] || ok
		}
	}
	p.score = got / total * 0.9 * (1 - 0.03*float64(min(s.passage.Rank-1, 6)))
	p.pair, p.halves = true, [2]string{s.text, next.text}
	return p
}

// typeBonus is added to a sentence's score when it states the kind of fact
// the question asks for.
func typeBonus(w want) float64 {
	switch w {
	case wantAmount, wantDate, wantPerson:
		return 0.3
	case wantPlace:
		return 0.15
	}
	return 0
}

// pickSentences keeps the best few sentences for a part of a question:
// the best first, the others in reading order, without repeating one
// another.
func pickSentences(best sentence, all []sentence, limit int) []sentence {
	picked := []sentence{best}
	words := len(strings.Fields(best.text))
	for _, s := range all {
		if len(picked) >= limit || s.score < keepRatio*best.score {
			break
		}
		if repeats(s, picked) {
			continue
		}
		n := len(strings.Fields(s.text))
		if words+n > maxWords {
			continue
		}
		picked = append(picked, s)
		words += n
	}
	rest := picked[1:]
	sort.SliceStable(rest, func(i, j int) bool { return rest[i].order < rest[j].order })
	return picked
}

// addOtherFigures adds, to an answer about an amount, the best sentence
// for each other figure the sources give (a pledge announced at $100M, later
// $200M, then $360M), so the answer shows them all rather than one.
func addOtherFigures(picked, all []sentence, best float64) []sentence {
	seen := map[string]bool{}
	for _, s := range picked {
		for _, f := range s.figures {
			seen[f] = true
		}
	}
	if len(seen) == 0 {
		return picked
	}
	for _, s := range all { // all is sorted best first
		if len(picked) >= maxSentences+maxOtherFigures || s.score < surveyRatio*best || len(s.figures) == 0 {
			continue
		}
		fresh := false
		for _, f := range s.figures {
			if !seen[f] {
				fresh = true
			}
		}
		if !fresh || repeats(s, picked) {
			continue
		}
		for _, f := range s.figures {
			seen[f] = true
		}
		picked = append(picked, s)
	}
	return picked
}

// conflicting reports whether the sentences state different amounts of
// money and come from more than one document.
func conflicting(picked []sentence) bool {
	figs := map[string]bool{}
	docs := map[string]bool{}
	for _, s := range picked {
		for _, f := range s.figures {
			if money.MatchString(f) || strings.HasPrefix(f, "$") {
				figs[f] = true
				docs[s.passage.Meta.DocID] = true
			}
		}
	}
	return len(figs) > 1 && len(docs) > 1
}

// repeats reports whether s says much the same as a sentence already picked:
// the same story from two outlets, or one article restating a figure.
func repeats(s sentence, picked []sentence) bool {
	a := text.Terms(s.text)
	for _, p := range picked {
		if p.text == s.text || overlap(a, text.Terms(p.text)) > 0.6 {
			return true
		}
		if p.passage.Meta.DocID == s.passage.Meta.DocID && len(s.figures) > 0 && slices.Equal(s.figures, p.figures) {
			return true
		}
	}
	return false
}

// overlap is the share of the shorter term list found in the other.
func overlap(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	set := map[string]bool{}
	for _, t := range b {
		set[t] = true
	}
	inter := 0
	for _, t := range a {
		if set[t] {
			inter++
		}
	}
	return float64(inter) / float64(len(a))
}

// dateKey sorts dated sources first, oldest first.
func dateKey(s sentence) string {
	if d := s.passage.Meta.Published; d != "" {
		return d
	}
	return "9999"
}
