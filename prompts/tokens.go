package prompts

import (
	"regexp"
	"strings"
	"unicode"
)

// EstimateTokens is a conservative (high) estimate of how many tokens s
// costs a BPE tokenizer: max(runes/3, words×1.4), rounded up. English text
// averages about 4 characters and 0.75 words per token, so the estimate
// errs on the side of sending less; no tokenizer is needed.
func EstimateTokens(s string) int {
	chars, words := 0, 0
	inWord := false
	for _, r := range s {
		chars++
		space := unicode.IsSpace(r)
		if !space && !inWord {
			words++
		}
		inWord = !space
	}
	byChars := (chars + 2) / 3
	byWords := (words*14 + 9) / 10
	return max(byChars, byWords)
}

// sourceOverhead is the estimated cost of a source's tag and attribute names
// beyond the attribute values and text themselves.
const sourceOverhead = 16

// sourceTokens estimates what s costs inside the user prompt.
func sourceTokens(s Source) int {
	return sourceOverhead + EstimateTokens(s.Title+" "+s.Publisher+" "+s.Published+" "+s.Text)
}

// Pack chooses which sources fit a budget of estimated tokens (see
// EstimateTokens), keeping the given order, which must be most relevant
// first. A source that does not fit is dropped and later, shorter ones are
// still tried; if the first source alone is over budget it is cut at a
// sentence boundary (at a word boundary if not even one sentence fits) so
// the model always gets something. Pack returns nil for no sources or a
// budget too small for any text.
func Pack(sources []Source, budget int) []Source {
	var out []Source
	left := budget
	for i, s := range sources {
		cost := sourceTokens(s)
		if cost <= left {
			out = append(out, s)
			left -= cost
			continue
		}
		if i == 0 {
			if cut, ok := truncate(s, left); ok {
				out = append(out, cut)
				left -= sourceTokens(cut)
			}
		}
	}
	return out
}

// sentenceEnd matches the end of a sentence and the space after it.
var sentenceEnd = regexp.MustCompile(`[.!?…]["'”’)\]]*\s+`)

// truncate cuts s.Text to fit budget, at the last sentence boundary that
// fits, or else at the last word that fits followed by "…".
func truncate(s Source, budget int) (Source, bool) {
	fits := func(text string) bool {
		c := s
		c.Text = text
		return sourceTokens(c) <= budget
	}
	best := ""
	for _, loc := range sentenceEnd.FindAllStringIndex(s.Text, -1) {
		cand := strings.TrimSpace(s.Text[:loc[1]])
		if !fits(cand) {
			break
		}
		best = cand
	}
	if best != "" {
		s.Text = best
		return s, true
	}
	words := strings.Fields(s.Text)
	lo, hi := 0, len(words) // largest n with words[:n]+"…" fitting
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(strings.Join(words[:mid], " ") + "…") {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return Source{}, false
	}
	s.Text = strings.Join(words[:lo], " ") + "…"
	return s, true
}
