package answer

import (
	"regexp"
	"strconv"
	"strings"

	"missionbot/corpus"
	"missionbot/retrieval"
	"missionbot/text"
)

// Notices on a model answer whose citations did not hold up. Several may
// apply; they are joined in this order.
const (
	// NoticeUncited: the answer makes claims without citing any source.
	NoticeUncited = "The model's answer cites no sources; treat it with caution."
	// NoticeDropped: a claim stated a figure its cited source does not
	// give, and was removed.
	NoticeDropped = "A claim whose figure its cited source does not state was removed from the model's answer."
	// NoticeUnsupported: some figures or names were not found in the
	// sources cited for them.
	NoticeUnsupported = "Some figures or names in this answer were not found in the sources cited for them; check them against the sources."
	// NoticeBadMarker: a claim cited only sources that do not exist.
	NoticeBadMarker = "Part of this answer cited a source that does not exist; treat it with caution."
)

// source is one numbered source of a model answer: a document and what the
// model was shown of it, with the passages behind it, best first.
type source struct {
	meta     corpus.Meta
	text     string
	passages []retrieval.Passage
}

// verifiedText is a model answer after its citation markers and claims
// were checked.
type verifiedText struct {
	Text      string
	Citations []Citation
	// Notices says what did not hold up, in the order of the constants.
	Notices []string
}

// citeMarker matches the bracketed citation forms models write: [3],
// [1,2], [1, 2], [1-3], [1][2], [source 3], [Sources 1 and 2], [S1],
// [doc 1], [Source: 1], and 【3】 or 【3†source】. Other forms are first
// rewritten into these by normaliseFormats.
var citeMarker = regexp.MustCompile(
	`(?i)\[\s*(?:[a-z]{1,12}\.?\s*:?\s*)?(\d+(?:\s*(?:,|;|-|–|—|and|&)\s*(?:[a-z]{1,12}\.?\s*:?\s*)?\d+)*)\s*\]` +
		`|【\s*(\d+(?:\s*[,，]\s*\d+)*)\s*(?:†[^】]*)?】`)

// numberRun splits a marker's inside into numbers and range dashes.
var numberRun = regexp.MustCompile(`\d+|[-–—]`)

// maxRangeExpansion bounds how many numbers one [a-b] range may expand to.
const maxRangeExpansion = 50

// markerNumbers returns the numbers one marker names, in order, with
// ranges expanded; numbers too large to parse are returned as 0 (invalid).
func markerNumbers(inside string) []int {
	var out []int
	toks := numberRun.FindAllString(inside, -1)
	for i := 0; i < len(toks); i++ {
		if toks[i] == "-" || toks[i] == "–" || toks[i] == "—" {
			continue
		}
		a := atoiOrZero(toks[i])
		if i+2 < len(toks) && strings.ContainsAny(toks[i+1], "-–—") {
			b := atoiOrZero(toks[i+2])
			if a > 0 && b >= a && b-a < maxRangeExpansion {
				for n := a; n <= b; n++ {
					out = append(out, n)
				}
				i += 2
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

func atoiOrZero(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// textSpan is a stretch of answer text; code spans are left untouched.
type textSpan struct {
	text string
	code bool
}

// splitCode separates Markdown code (``` fences, to the end of the text if
// unclosed, and `inline` spans with a matching closing run) from prose.
func splitCode(s string) []textSpan {
	var out []textSpan
	prose := 0
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		run := i
		for run < len(s) && s[run] == '`' {
			run++
		}
		fence := s[i:run]
		end := -1
		if len(fence) >= 3 {
			if j := strings.Index(s[run:], fence); j >= 0 {
				end = run + j + len(fence)
			} else {
				end = len(s)
			}
		} else if j := strings.Index(s[run:], fence); j >= 0 {
			end = run + j + len(fence)
		}
		if end < 0 {
			i = run // an unmatched backtick run is literal text
			continue
		}
		if prose < i {
			out = append(out, textSpan{text: s[prose:i]})
		}
		out = append(out, textSpan{text: s[i:end], code: true})
		prose, i = end, end
	}
	if prose < len(s) {
		out = append(out, textSpan{text: s[prose:]})
	}
	return out
}

// renumberPass rewrites the markers of s against n sources: invalid numbers
// are dropped, every valid marker becomes [k] with k assigned in order of
// first use, and adjacent duplicates collapse. It returns the new text and,
// for each new number k, the old number it stands for (order[k-1]).
func renumberPass(s string, n int) (string, []int) {
	var b strings.Builder
	newOf := map[int]int{}
	var order []int
	for _, sp := range splitCode(s) {
		if sp.code {
			b.WriteString(sp.text)
			continue
		}
		t := sp.text
		locs := citeMarker.FindAllStringSubmatchIndex(t, -1)
		last := 0
		for i := 0; i < len(locs); {
			// A group is a run of markers separated only by spaces.
			j := i
			for j+1 < len(locs) && strings.Trim(t[locs[j][1]:locs[j+1][0]], " \t") == "" {
				j++
			}
			var nums []int
			for _, loc := range locs[i : j+1] {
				nums = append(nums, markerNumbers(submatch(t, loc, 1)+submatch(t, loc, 2))...)
			}
			pre := t[last:locs[i][0]]
			var group strings.Builder
			seen := map[int]bool{}
			for _, old := range nums {
				if old < 1 || old > n {
					continue
				}
				k, ok := newOf[old]
				if !ok {
					order = append(order, old)
					k = len(order)
					newOf[old] = k
				}
				if !seen[k] {
					seen[k] = true
					group.WriteString("[" + strconv.Itoa(k) + "]")
				}
			}
			if group.Len() == 0 {
				pre = strings.TrimRight(pre, " \t") // "claim [99]." → "claim."
			}
			b.WriteString(pre)
			b.WriteString(group.String())
			last = locs[j][1]
			i = j + 1
		}
		b.WriteString(t[last:])
	}
	return b.String(), order
}

func submatch(s string, loc []int, i int) string {
	if loc[2*i] < 0 {
		return ""
	}
	return s[loc[2*i]:loc[2*i+1]]
}

// maxRenumberPasses bounds the passes needed when removing a marker joins
// text into a new one ("[[99]1]" becomes "[1]").
const maxRenumberPasses = 8

// normaliseCitations renumbers the markers of s against n sources until
// the text is stable, so the result's markers are exactly [1]..[m] in
// first-use order. It returns the text and, for each new number k, the
// source number (1..n) it stands for.
func normaliseCitations(s string, n int) (string, []int) {
	mapping := make([]int, n) // current number-1 → original number
	for i := range mapping {
		mapping[i] = i + 1
	}
	for range maxRenumberPasses {
		out, order := renumberPass(s, len(mapping))
		next := make([]int, len(order))
		for k, old := range order {
			next[k] = mapping[old-1]
		}
		mapping = next
		if out == s {
			return out, mapping
		}
		s = out
	}
	// Pathological text that keeps forming new markers: drop them all.
	// Each pass removes at least one marker, so this ends.
	for {
		out, _ := renumberPass(s, 0)
		if out == s {
			return out, nil
		}
		s = out
	}
}

// verifyCitations checks a model's answer against the sources it was
// shown (source [i] is sources[i-1]); english says whether the question
// is in English (see checkClaims). Marker formats are normalised (see
// normaliseFormats), each claim is checked against the sources it cites
// (see checkClaims), and markers are renumbered (see normaliseCitations);
// Citations lists exactly the cited sources in new numbering, each quoting
// the sentence closest to the claim it supports.
func verifyCitations(reply, question string, english bool, sources []source) verifiedText {
	t := normaliseFormats(reply, len(sources))
	badMarker := pointsNowhere(t, len(sources))
	// Claims are checked in the canonical numbering, so verifying verified
	// text (with the sources it cites) finds the same claims.
	t, mapping := normaliseCitations(t, len(sources))
	cited := make([]source, len(mapping))
	for k, n := range mapping {
		cited[k] = sources[n-1]
	}
	t, notices := checkClaims(t, question, english, cited, sources)
	out, again := normaliseCitations(t, len(cited))
	v := verifiedText{Text: strings.TrimSpace(out)}
	claims := claimsByMarker(v.Text)
	for k, n := range again {
		src := cited[n-1]
		quote := bestQuote(claims[k+1], src.text)
		v.Citations = append(v.Citations, sourceCitation(k+1, src, quote))
	}
	if len(v.Citations) == 0 && v.Text != "" {
		v.Notices = append(v.Notices, NoticeUncited)
	}
	v.Notices = append(v.Notices, notices...)
	if badMarker {
		v.Notices = append(v.Notices, NoticeBadMarker)
	}
	return v
}

// sourceCitation builds citation n for src quoting quote (the text shown
// when empty): the chunk is the passage holding the quote, and the other
// documents that carry any of its passages corroborate it.
func sourceCitation(n int, src source, quote string) Citation {
	if quote == "" {
		quote = src.text
	}
	c := Citation{N: n, Meta: src.meta, Quote: quote}
	if len(src.passages) > 0 {
		c.ChunkID = src.passages[0].ID
	}
	seen := map[string]bool{}
	for _, p := range src.passages {
		if quote != src.text && strings.Contains(strings.Join(strings.Fields(p.Text), " "), quote) {
			c.ChunkID = p.ID
		}
		for _, m := range p.Corroborating {
			if !seen[m.DocID] {
				seen[m.DocID] = true
				c.Corroborating = append(c.Corroborating, m)
			}
		}
	}
	return c
}

// claimsByMarker maps each canonical marker [k] in s to the text of the
// sentence it first follows.
func claimsByMarker(s string) map[int]string {
	claims := map[int]string{}
	for _, sp := range splitCode(s) {
		if sp.code {
			continue
		}
		t := sp.text
		for _, loc := range citeMarker.FindAllStringSubmatchIndex(t, -1) {
			k := atoiOrZero(submatch(t, loc, 1))
			if k == 0 || claims[k] != "" {
				continue
			}
			before := citeMarker.ReplaceAllString(t[:loc[0]], "")
			if i := strings.LastIndexAny(strings.TrimRight(before, " .!?"), ".!?\n"); i >= 0 {
				before = before[i+1:]
			}
			claims[k] = before
		}
	}
	return claims
}

// bestQuote returns the sentence of passage sharing the most content terms
// with claim, or "" (meaning the whole passage) when none shares any.
func bestQuote(claim, passage string) string {
	want := map[string]bool{}
	for _, t := range text.Terms(claim) {
		want[t] = true
	}
	if len(want) == 0 {
		return ""
	}
	best, bestScore := "", 0
	for _, s := range text.SplitSentences(passage) {
		score := 0
		counted := map[string]bool{}
		for _, t := range text.Terms(s) {
			if want[t] && !counted[t] {
				counted[t] = true
				score++
			}
		}
		if score > bestScore {
			best, bestScore = strings.TrimSpace(s), score
		}
	}
	return best
}
