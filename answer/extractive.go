package answer

import (
	"context"
	"errors"
	"fmt"
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
	// Search a little wider than k: the extra passages may hold other
	// figures for the same fact, which the answer must show side by side.
	res, err := e.searcher.Search(ctx, query, max(k, surveyK))
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
	// surveyK is how many passages are searched for other figures.
	surveyK      = 10
	maxSentences = 4
	maxWords     = 120
	// keepRatio is the share of the best sentence's score another sentence
	// needs to be included.
	keepRatio = 0.55
	// surveyRatio is the lower bar for a sentence giving another figure
	// for the amount asked about; maxOtherFigures caps how many are added.
	surveyRatio     = 0.4
	maxOtherFigures = 3
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
	var relevant, extra []retrieval.Passage
	for _, p := range relevantPassages(res) {
		if p.Rank <= k {
			relevant = append(relevant, p)
		} else {
			extra = append(extra, p)
		}
	}
	if len(relevant) == 0 {
		return refuse(a)
	}
	picked := pickSentences(question, relevant, extra)
	if len(picked) == 0 {
		return refuse(a)
	}
	var b strings.Builder
	// Sources are documents: two sentences from one article cite one [n].
	numbers := map[string]int{} // document ID -> citation number
	cite := func(s sentence) int {
		n, ok := numbers[s.passage.Meta.DocID]
		if !ok {
			n = len(numbers) + 1
			numbers[s.passage.Meta.DocID] = n
			a.Citations = append(a.Citations, citationOf(n, s.passage, s.text))
		} else if c := &a.Citations[n-1]; !strings.Contains(c.Quote, s.text) {
			c.Quote += " " + s.text
		}
		return n
	}
	if conflicting(picked) {
		sort.SliceStable(picked, func(i, j int) bool { return dateKey(picked[i]) < dateKey(picked[j]) })
		b.WriteString("The sources give different figures; each is shown with its source's date:\n")
		for _, s := range picked {
			date := corpus.FormatDate(s.passage.Meta.Published)
			if date == "" {
				date = "Undated"
			}
			fmt.Fprintf(&b, "- %s: %s [%d]\n", date, s.text, cite(s))
		}
	} else {
		for i, s := range picked {
			if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "%s [%d]", s.text, cite(s))
		}
	}
	a.Text = strings.TrimSpace(b.String())
	return a
}

// sentence is a candidate sentence of a relevant passage.
type sentence struct {
	text    string
	passage retrieval.Passage
	score   float64
	order   int // position in reading order: passage rank, then sentence
	figures []string
}

// pickSentences scores every sentence of the passages against the question
// and keeps the best few: the best first, the others in reading order. For a question about an amount,
// sentences of the extra passages that state other figures compete too.
func pickSentences(question string, passages, extra []retrieval.Passage) []sentence {
	terms := text.Terms(question)
	if len(terms) == 0 {
		return nil
	}
	wants := questionWants(question)
	var all []sentence
	consider := func(pi int, p retrieval.Passage, onlyFigures bool) {
		texts := text.SplitSentences(p.Text)
		for si, t := range texts {
			s := sentence{text: strings.TrimSpace(t), passage: p, order: pi*1000 + si}
			if si > 0 && text.LeansBack(s.text) {
				// "This designation allows…" means nothing without the
				// sentence it points back to: quote them together.
				s.text = strings.TrimSpace(texts[si-1]) + " " + s.text
			}
			s.figures = figures(s.text)
			if onlyFigures && len(s.figures) == 0 {
				continue
			}
			s.score = scoreSentence(s, terms, wants, pi)
			if s.score > 0 {
				all = append(all, s)
			}
		}
	}
	for pi, p := range passages {
		consider(pi, p, false)
	}
	if wants == wantAmount {
		for i, p := range extra {
			consider(len(passages)+i, p, true)
		}
	}
	if len(all) == 0 {
		return nil
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score > all[j].score })
	best := all[0].score
	var picked []sentence
	words := 0
	for _, s := range all {
		if len(picked) == maxSentences || s.score < keepRatio*best {
			break
		}
		if repeats(s, picked) {
			continue
		}
		n := len(strings.Fields(s.text))
		if len(picked) > 0 && words+n > maxWords {
			continue
		}
		picked = append(picked, s)
		words += n
	}
	if wants == wantAmount {
		picked = addOtherFigures(picked, all, best)
	}
	// The most direct sentence leads; the rest follow in reading order.
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

// want is what kind of fact a question asks for.
type want int

const (
	wantAny want = iota
	wantAmount
	wantDate
	wantPerson
)

var (
	moneyOrCount = regexp.MustCompile(`(?i)(\$\s?\d[\d,.]*(\s?(million|billion|m|bn))?|\d[\d,.]*\s?(million|billion|percent|%)|\b\d{1,3}(,\d{3})+\b|\b\d+\b)`)
	money        = regexp.MustCompile(`(?i)\$\s?\d[\d,.]*(\s?(million|billion|m|bn))?|\d[\d,.]*\s?(million|billion)\s+(dollars|usd)`)
	dateLike     = regexp.MustCompile(`(?i)\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(tember)?|oct(ober)?|nov(ember)?|dec(ember)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b(19|20)\d\d\b`)
	nameLike     = regexp.MustCompile(`\b[A-Z][a-z]+(\s+[A-Z][a-z]+)+\b`)
)

func questionWants(q string) want {
	lq := strings.ToLower(q)
	switch {
	case strings.Contains(lq, "how much") || strings.Contains(lq, "how many") || strings.Contains(lq, "combien") || strings.Contains(lq, "konbyen"):
		return wantAmount
	case strings.HasPrefix(lq, "when") || strings.Contains(lq, "what date") || strings.Contains(lq, "what day") || strings.Contains(lq, "quand") || strings.Contains(lq, "ki lè"):
		return wantDate
	case strings.HasPrefix(lq, "who") || strings.Contains(lq, " who ") || strings.HasPrefix(lq, "qui "):
		return wantPerson
	}
	return wantAny
}

// scoreSentence is the share of the question's terms the sentence holds
// (longer, rarer-looking terms weigh more), plus a bonus when it holds the
// kind of fact asked for, and a small prior for higher-ranked passages.
func scoreSentence(s sentence, terms []string, w want, passageRank int) float64 {
	if len(strings.Fields(s.text)) < 4 {
		return 0
	}
	toks := text.Terms(s.text)
	var got, total float64
	for _, t := range terms {
		weight := 1.0 + float64(min(len(t), 10))/10
		total += weight
		if slices.ContainsFunc(toks, func(tok string) bool { return text.Matches(t, tok) }) {
			got += weight
		}
	}
	if got == 0 {
		return 0
	}
	score := got / total
	switch {
	case w == wantAmount && moneyOrCount.MatchString(s.text):
		score += 0.35
	case w == wantDate && dateLike.MatchString(s.text):
		score += 0.35
	case w == wantPerson && nameLike.MatchString(s.text):
		score += 0.2
	}
	return score * (1 - 0.04*float64(min(passageRank, 5)))
}

// figures are the amounts of money a sentence states, normalised.
func figures(text string) []string {
	var out []string
	for _, m := range money.FindAllString(text, -1) {
		out = append(out, strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(m, " ", ""), ",", "")))
	}
	return out
}

// conflicting reports whether the sentences state different amounts and
// come from more than one document.
func conflicting(picked []sentence) bool {
	figs := map[string]bool{}
	docs := map[string]bool{}
	for _, s := range picked {
		for _, f := range s.figures {
			figs[f] = true
			docs[s.passage.Meta.DocID] = true
		}
	}
	return len(figs) > 1 && len(docs) > 1
}

// repeats reports whether s says much the same as a sentence already picked:
// the same story from two outlets, or one article restating a figure.
func repeats(s sentence, picked []sentence) bool {
	a := text.Terms(s.text)
	for _, p := range picked {
		if overlap(a, text.Terms(p.text)) > 0.6 {
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
