package prompts

import (
	"math"
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

// window is the run of sentences [lo, hi] of one passage that is kept.
type window struct {
	sents  []string
	scores []float64
	lo, hi int
	kept   bool
	// back is the side the window grows next: it alternates, so a
	// passage keeps the context on both sides of its best sentence.
	back bool
}

// Pack fits passages into a budget of estimated tokens (see
// EstimateTokens) and groups them by document into sources. Passages come
// most relevant first. Rather than keeping some passages whole and dropping
// the rest, Pack trims every passage around its best sentences: first each
// passage gets the sentence that holds most of terms (the question's
// content terms, see text.Terms; rarer ones among the passages weigh more),
// in order, while the budget lasts; then every kept passage grows by one
// neighbouring sentence per round, after and before it in turn, until the
// budget is spent or the passages are whole. So a long early passage cannot crowd out a later one
// that holds the answer. Sources keep the order of their best passage;
// a source's excerpts follow the document's order, joined with " … " where
// text was left out. Pack returns nil for no passages or a budget too
// small for any text.
func Pack(passages []Passage, terms []string, budget int) []Source {
	if len(passages) == 0 || budget <= 0 {
		return nil
	}
	weights := termWeights(passages, terms)
	wins := make([]window, len(passages))
	for i, p := range passages {
		wins[i].sents = sentencesOf(p.Text)
		wins[i].scores = make([]float64, len(wins[i].sents))
		for j, s := range wins[i].sents {
			wins[i].scores[j] = sentenceScore(s, weights)
		}
	}
	left := budget
	opened := map[string]bool{} // documents whose source header is paid for
	// Round one: the best sentence of each passage, in order.
	for i, p := range passages {
		w := &wins[i]
		if len(w.sents) == 0 {
			continue
		}
		best := 0
		for j, sc := range w.scores {
			if sc > w.scores[best] {
				best = j
			}
		}
		cost := sentenceTokens(w.sents[best])
		if !opened[p.Meta.DocID] {
			cost += headerTokens(p.Meta)
		}
		if cost > left {
			if i == 0 && !opened[p.Meta.DocID] {
				// Not even one sentence of the best passage fits: cut it
				// at a word so the model still gets something.
				cut, ok := cutToFit(w.sents[best], left-headerTokens(p.Meta))
				if !ok {
					return nil
				}
				w.sents = []string{cut}
				w.scores = []float64{0}
				best = 0
				cost = headerTokens(p.Meta) + sentenceTokens(cut)
			} else {
				continue
			}
		}
		w.lo, w.hi, w.kept = best, best, true
		opened[p.Meta.DocID] = true
		left -= cost
	}
	// Later rounds: every kept passage grows by its better neighbour.
	for grew := true; grew; {
		grew = false
		for i := range wins {
			w := &wins[i]
			if !w.kept {
				continue
			}
			next := -1
			switch {
			case w.lo > 0 && w.hi+1 < len(w.sents):
				next = w.hi + 1
				if w.back {
					next = w.lo - 1
				}
				w.back = !w.back
			case w.lo > 0:
				next = w.lo - 1
			case w.hi+1 < len(w.sents):
				next = w.hi + 1
			}
			if next < 0 {
				continue
			}
			cost := sentenceTokens(w.sents[next])
			if cost > left {
				continue
			}
			left -= cost
			if next < w.lo {
				w.lo = next
			} else {
				w.hi = next
			}
			grew = true
		}
	}
	return group(passages, wins)
}

// group turns the kept windows into one source per document, in order of
// each document's best passage.
func group(passages []Passage, wins []window) []Source {
	var order []string
	byDoc := map[string][]int{}
	for i, p := range passages {
		if !wins[i].kept {
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
		seen := map[string]bool{}
		prevSeq, prevWhole := -2, false
		for _, i := range sorted {
			w := wins[i]
			var kept []string
			for _, s := range w.sents[w.lo : w.hi+1] {
				// Neighbouring chunks repeat a sentence; say it once.
				if key := strings.Join(strings.Fields(s), " "); !seen[key] {
					seen[key] = true
					kept = append(kept, s)
				}
			}
			if len(kept) == 0 {
				continue
			}
			if b.Len() > 0 {
				contiguous := prevWhole && passages[i].Seq == prevSeq+1 && w.lo <= 1
				if contiguous {
					b.WriteString(" ")
				} else {
					b.WriteString(excerptGap)
				}
			} else if w.lo > 0 {
				b.WriteString("… ")
			}
			b.WriteString(strings.Join(kept, " "))
			prevSeq, prevWhole = passages[i].Seq, w.hi == len(w.sents)-1
		}
		if !prevWhole {
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
// passages: a term most passages share says little about which sentence
// answers.
func termWeights(passages []Passage, terms []string) map[string]float64 {
	uniq := map[string]bool{}
	for _, t := range terms {
		uniq[t] = true
	}
	df := map[string]int{}
	for _, p := range passages {
		toks := text.Tokens(p.Text)
		for t := range uniq {
			for _, tok := range toks {
				if text.Matches(t, tok) {
					df[t]++
					break
				}
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

// sentenceScore sums the weights of the query terms a sentence holds.
func sentenceScore(s string, weights map[string]float64) float64 {
	if len(weights) == 0 {
		return 0
	}
	toks := text.Tokens(s)
	score := 0.0
	for t, w := range weights {
		for _, tok := range toks {
			if text.Matches(t, tok) {
				score += w
				break
			}
		}
	}
	return score
}

func sentenceTokens(s string) int { return EstimateTokens(s) + 1 }

func headerTokens(m corpus.Meta) int {
	return sourceOverhead + EstimateTokens(m.Title+" "+m.Publisher+" "+m.Published)
}

// sourceTokens estimates what s costs inside the user prompt.
func sourceTokens(s Source) int {
	return headerTokens(s.Meta) + EstimateTokens(s.Text)
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
