package prompts

import (
	"math"
	"slices"
	"sort"
	"strings"

	"missionbot/corpus"
	"missionbot/text"
)

// Passage is one retrieved passage offered to Pack.
type Passage struct {
	// Meta is its document's metadata; passages with one DocID become one
	// source.
	Meta corpus.Meta
	// Seq is the passage's position within its document.
	Seq  int
	Text string
	// Ref is the caller's own reference to the passage (e.g. its index in
	// the search results), carried into Source.Refs.
	Ref int
}

// sourceOverhead is the estimated cost of a source's tag and attribute names
// beyond the attribute values and text themselves.
const sourceOverhead = 16

// excerptGap joins excerpts of one document that are not contiguous.
const excerptGap = " … "

// excerpt is what Pack keeps of one passage: some of its sentences.
type excerpt struct {
	sents  []string
	scores []float64
	kept   []bool
	any    bool // some sentence is kept
	// back is the side context grows next: it alternates.
	back bool
}

// Pack fits passages into a budget of estimated tokens (see
// EstimateTokens) and groups them by document into sources. Passages come
// most relevant first. Rather than keeping some passages whole and dropping
// the rest, Pack keeps sentences: first the best sentence of each passage
// (the one holding most of terms, the question's content terms, see
// text.Terms, rarer ones among the passages weighing more), in order,
// while the budget lasts; then the sentence after it and the one before;
// then every other sentence that holds any of terms, best first; then, as
// context, the sentences next to those kept, passage by passage, after and
// before in turn. So a long early passage cannot crowd out a later one
// that holds the answer, and the budget goes to sentences about the
// question before it goes to their surroundings.
// Sources keep the order of their best passage; a source's sentences
// follow the document's order, joined with " … " where text was left out.
// Pack returns nil for no passages or a budget too small for any text.
func Pack(passages []Passage, terms []string, budget int) []Source {
	if len(passages) == 0 || budget <= 0 {
		return nil
	}
	ex := make([]excerpt, len(passages))
	toks := make([][][]string, len(passages)) // each sentence's tokens, read once
	for i, p := range passages {
		ex[i].sents = sentencesOf(p.Text)
		toks[i] = make([][]string, len(ex[i].sents))
		for j, s := range ex[i].sents {
			toks[i][j] = text.Tokens(s)
		}
	}
	weights := termWeights(toks, terms)
	for i := range ex {
		e := &ex[i]
		e.scores = make([]float64, len(e.sents))
		e.kept = make([]bool, len(e.sents))
		for j := range e.sents {
			e.scores[j] = sentenceScore(toks[i][j], weights)
		}
	}
	left := budget
	opened := map[string]bool{} // documents whose source header is paid for
	keep := func(i, j int) bool {
		cost := sentenceTokens(ex[i].sents[j])
		if !opened[passages[i].Meta.DocID] {
			cost += headerTokens(passages[i].Meta)
		}
		if cost > left {
			return false
		}
		left -= cost
		opened[passages[i].Meta.DocID] = true
		ex[i].kept[j], ex[i].any = true, true
		return true
	}
	// Round one: the best sentence of each passage, in order.
	for i, p := range passages {
		e := &ex[i]
		if len(e.sents) == 0 {
			continue
		}
		best := 0
		for j, sc := range e.scores {
			if sc > e.scores[best] {
				best = j
			}
		}
		if keep(i, best) || i > 0 || opened[p.Meta.DocID] {
			continue
		}
		// Not even one sentence of the best passage fits: cut it at a
		// word so the model still gets something.
		cut, ok := cutToFit(e.sents[best], left-headerTokens(p.Meta))
		if !ok {
			return nil
		}
		e.sents, e.scores, e.kept = []string{cut}, []float64{0}, []bool{false}
		keep(i, 0)
	}
	// Then one sentence of context on each side of those, every other
	// sentence about the question, best first, and context again.
	type cand struct {
		i, j  int
		score float64
	}
	var cands []cand
	for i := range ex {
		for j, sc := range ex[i].scores {
			if sc > 0 && !ex[i].kept[j] {
				cands = append(cands, cand{i, j, sc})
			}
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })
	context := func(rounds int) {
		for grew := true; grew && rounds != 0; rounds-- {
			grew = false
			for i := range ex {
				if j := ex[i].nextContext(); j >= 0 && keep(i, j) {
					grew = true
				}
			}
		}
	}
	context(2)
	for _, c := range cands {
		keep(c.i, c.j)
	}
	context(-1)
	return group(passages, ex)
}

// nextContext returns the sentence to add as context: next to a kept one,
// after it and before it in turn; -1 when there is none.
func (e *excerpt) nextContext() int {
	if !e.any {
		return -1
	}
	after, before := -1, -1
	for j := range e.sents {
		if e.kept[j] {
			continue
		}
		if after < 0 && j > 0 && e.kept[j-1] {
			after = j
		}
		if before < 0 && j+1 < len(e.sents) && e.kept[j+1] {
			before = j
		}
	}
	pick := before
	if after >= 0 && (before < 0 || !e.back) {
		pick = after
	}
	e.back = !e.back
	return pick
}

// group turns the kept sentences into one source per document, in order of
// each document's best passage.
func group(passages []Passage, ex []excerpt) []Source {
	var order []string
	byDoc := map[string][]int{}
	for i, p := range passages {
		if !ex[i].any {
			continue
		}
		if _, ok := byDoc[p.Meta.DocID]; !ok {
			order = append(order, p.Meta.DocID)
		}
		byDoc[p.Meta.DocID] = append(byDoc[p.Meta.DocID], i)
	}
	out := make([]Source, 0, len(order))
	for _, doc := range order {
		idx := byDoc[doc]
		src := Source{Meta: passages[idx[0]].Meta}
		for _, i := range idx {
			src.Refs = append(src.Refs, passages[i].Ref)
		}
		sorted := append([]int(nil), idx...)
		sort.SliceStable(sorted, func(a, b int) bool { return passages[sorted[a]].Seq < passages[sorted[b]].Seq })
		var b strings.Builder
		seen := map[string]bool{} // sentences written, normalised
		prevSeq, prevEnd := -2, false
		for _, i := range sorted {
			e := ex[i]
			contiguous := prevEnd && passages[i].Seq == prevSeq+1
			for j, sent := range e.sents {
				if !e.kept[j] {
					continue
				}
				key := strings.Join(strings.Fields(sent), " ")
				if seen[key] {
					continue // neighbouring chunks repeat a sentence
				}
				// Text was left out before this sentence unless the one
				// before it was written (or, for a passage's first, the
				// passage continues the one written before).
				var gap bool
				switch {
				case j == 0:
					gap = !contiguous && !(passages[i].Seq == 0 && b.Len() == 0)
				default:
					gap = !e.kept[j-1] && !seen[strings.Join(strings.Fields(e.sents[j-1]), " ")]
				}
				seen[key] = true
				switch {
				case b.Len() == 0 && gap:
					b.WriteString("… ")
				case b.Len() > 0 && gap:
					b.WriteString(excerptGap)
				case b.Len() > 0:
					b.WriteString(" ")
				}
				b.WriteString(sent)
			}
			prevSeq, prevEnd = passages[i].Seq, len(e.kept) > 0 && e.kept[len(e.kept)-1]
		}
		if !prevEnd {
			b.WriteString(" …")
		}
		src.Text = b.String()
		out = append(out, src)
	}
	return out
}

// sentencesOf splits a passage into trimmed, non-empty sentences.
func sentencesOf(s string) []string {
	var out []string
	for _, t := range text.SplitSentences(s) {
		if t = strings.Join(strings.Fields(t), " "); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// termWeights gives each query term an inverse-frequency weight over the
// passages (given as their sentences' tokens): a term most passages share
// says little about which sentence answers.
func termWeights(passages [][][]string, terms []string) map[string]float64 {
	uniq := map[string]bool{}
	for _, t := range terms {
		uniq[t] = true
	}
	df := map[string]int{}
	for _, sents := range passages {
		for t := range uniq {
			if slices.ContainsFunc(sents, func(toks []string) bool { return holds(toks, t) }) {
				df[t]++
			}
		}
	}
	n := float64(len(passages))
	w := make(map[string]float64, len(uniq))
	for t := range uniq {
		w[t] = math.Log(1 + n/(float64(df[t])+0.5))
	}
	return w
}

// holds reports whether toks holds term or a variant of it.
func holds(toks []string, term string) bool {
	return slices.ContainsFunc(toks, func(tok string) bool { return text.Matches(term, tok) })
}

// sentenceScore sums the weights of the query terms a sentence's tokens
// hold.
func sentenceScore(toks []string, weights map[string]float64) float64 {
	score := 0.0
	for t, w := range weights {
		if holds(toks, t) {
			score += w
		}
	}
	return score
}

func sentenceTokens(s string) int { return EstimateTokens(s) + 1 }

func headerTokens(m corpus.Meta) int {
	return sourceOverhead + EstimateTokens(m.Title+" "+m.Publisher+" "+m.Published)
}

// cutToFit cuts s at the last word that fits budget, followed by "…".
func cutToFit(s string, budget int) (string, bool) {
	words := strings.Fields(s)
	lo, hi := 0, len(words) // largest n with words[:n]+"…" fitting
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if sentenceTokens(strings.Join(words[:mid], " ")+"…") <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return "", false
	}
	return strings.Join(words[:lo], " ") + "…", true
}
