package bot

import (
	"strings"
	"unicode"
)

// MaxContent is Discord's limit on a message's content, in characters
// (Unicode code points).
const MaxContent = 2000

// minProtectedLimit is the smallest limit at which SplitMessage keeps
// markers and code intact; below it, parts are cut by length alone.
const minProtectedLimit = 8

// sentenceEnds are the characters that end a sentence.
const sentenceEnds = ".!?…。！？"

// span is a run of text [start, end) that a cut must not fall inside.
type span struct {
	start, end int
	fence      bool
}

// cut kinds, best first.
const (
	cutParagraph = iota
	cutLine
	cutSentence
	cutWord
	cutKinds
)

// SplitMessage splits text into parts of at most limit characters (code
// points, as Discord counts them), preferring paragraph breaks, then line
// breaks, then sentence ends, then spaces. A citation marker such as [3]
// and an inline `code span` are never cut unless one alone exceeds the
// limit; a ``` fence longer than the limit is closed at the end of one part
// and re-opened at the start of the next. Parts are trimmed of surrounding
// whitespace, and none is empty; text of only whitespace gives no parts.
// A limit below 1 means MaxContent.
func SplitMessage(text string, limit int) []string {
	if limit < 1 {
		limit = MaxContent
	}
	r := []rune(strings.TrimSpace(text))
	var parts []string
	for len(r) > 0 {
		if len(r) <= limit {
			parts = append(parts, string(r))
			break
		}
		part, rest := splitOnce(r, limit)
		if p := strings.TrimRightFunc(string(part), unicode.IsSpace); p != "" {
			parts = append(parts, p)
		}
		r = trimLeftSpace(rest)
	}
	return parts
}

// splitOnce returns the first part (at most limit runes, non-empty) and the
// remaining text.
func splitOnce(r []rune, limit int) (part, rest []rune) {
	if limit < minProtectedLimit {
		return r[:limit], r[limit:]
	}
	spans := protectedSpans(r, limit)
	if p, ok := bestCut(r, limit, spans); ok {
		return r[:p], r[p:]
	}
	// Everything up to the limit lies in one protected span starting at 0.
	for _, s := range spans {
		if s.start == 0 && s.fence {
			if part, rest, ok := splitFence(r, limit, s); ok {
				return part, rest
			}
		}
	}
	p := hardCut(r, limit)
	return r[:p], r[p:]
}

// bestCut finds the best cut position p (the part is r[:p]) within the
// limit that does not fall inside a protected span. A paragraph, line or
// sentence break is taken only if it leaves a part of a useful size;
// otherwise the latest break of any kind wins.
func bestCut(r []rune, limit int, spans []span) (int, bool) {
	blocked := blockedPositions(limit, spans)
	var best [cutKinds]int
	for p := limit; p >= 1; p-- {
		if blocked[p] || p >= len(r) {
			continue
		}
		k := cutKindAt(r, p)
		if k < 0 {
			continue
		}
		if best[k] == 0 {
			best[k] = p
		}
	}
	minPart := limit / 4
	for k := cutParagraph; k < cutKinds; k++ {
		if best[k] >= minPart && best[k] > 0 {
			return best[k], true
		}
	}
	latest := 0
	for _, p := range best {
		latest = max(latest, p)
	}
	return latest, latest > 0
}

// cutKindAt classifies a cut between r[p-1] and r[p], or returns -1 when
// it is not a break at all. 0 < p < len(r).
func cutKindAt(r []rune, p int) int {
	prev, next := r[p-1], r[p]
	switch {
	case prev == '\n' && p >= 2 && r[p-2] == '\n':
		return cutParagraph
	case prev == '\n':
		return cutLine
	case !unicode.IsSpace(prev) && unicode.IsSpace(next):
		// Cut before the space; the space is trimmed from the next part.
		if strings.ContainsRune(sentenceEnds, prev) || (prev == ']' && endsSentenceMarker(r[:p])) {
			if !startsWithMarker(trimLeftSpace(r[p:])) {
				return cutSentence
			}
		}
		if startsWithMarker(trimLeftSpace(r[p:])) {
			return -1 // keep a marker with the words it follows
		}
		return cutWord
	}
	return -1
}

// endsSentenceMarker reports whether r ends with ".[n]" or ". [n]" style
// text: a citation marker closing a sentence.
func endsSentenceMarker(r []rune) bool {
	i := len(r) - 1
	if i < 0 || r[i] != ']' {
		return false
	}
	i--
	for i >= 0 && r[i] >= '0' && r[i] <= '9' {
		i--
	}
	if i < 0 || r[i] != '[' {
		return false
	}
	i--
	for i >= 0 && (r[i] == ' ' || r[i] == ']') {
		// Skip spaces and earlier markers: "end. [1][2]".
		if r[i] == ']' {
			return endsSentenceMarker(r[:i+1])
		}
		i--
	}
	return i >= 0 && strings.ContainsRune(sentenceEnds, r[i])
}

// startsWithMarker reports whether r begins with a citation marker [n].
func startsWithMarker(r []rune) bool {
	return markerLen(r, 0) > 0
}

// markerLen returns the length of the marker [n] (1 to 3 digits) starting
// at r[i], or 0.
func markerLen(r []rune, i int) int {
	if i >= len(r) || r[i] != '[' {
		return 0
	}
	j := i + 1
	for j < len(r) && j-i <= 3 && r[j] >= '0' && r[j] <= '9' {
		j++
	}
	if j == i+1 || j >= len(r) || r[j] != ']' {
		return 0
	}
	return j + 1 - i
}

// protectedSpans finds the citation markers, inline code spans and fenced
// code blocks of r that start at or before position upTo. An unmatched
// backtick run is literal text, as Discord shows it, and protects nothing.
func protectedSpans(r []rune, upTo int) []span {
	var spans []span
	for i := 0; i < len(r) && i <= upTo; {
		if n := markerLen(r, i); n > 0 {
			spans = append(spans, span{start: i, end: i + n})
			i += n
			continue
		}
		if r[i] != '`' {
			i++
			continue
		}
		n := backtickRun(r, i)
		if n >= 3 {
			if end := indexRun(r, i+n, 3, true); end >= 0 {
				spans = append(spans, span{start: i, end: end + 3, fence: true})
				i = end + 3
				continue
			}
		} else if end := indexRun(r, i+n, n, false); end >= 0 {
			spans = append(spans, span{start: i, end: end + n})
			// Markers inside the code span are protected by the span.
			i = end + n
			continue
		}
		i += n
	}
	return spans
}

// backtickRun returns the number of consecutive backticks at r[i].
func backtickRun(r []rune, i int) int {
	n := 0
	for i+n < len(r) && r[i+n] == '`' {
		n++
	}
	return n
}

// indexRun finds the next backtick run from r[from] that closes an opening
// run of n: for a fence any run of at least 3, otherwise exactly n. It
// returns the run's start, or -1.
func indexRun(r []rune, from, n int, fence bool) int {
	for i := from; i < len(r); {
		if r[i] != '`' {
			i++
			continue
		}
		m := backtickRun(r, i)
		if (fence && m >= 3) || (!fence && m == n) {
			return i
		}
		i += m
	}
	return -1
}

// blockedPositions marks cut positions 0..limit that fall strictly inside
// a span.
func blockedPositions(limit int, spans []span) []bool {
	blocked := make([]bool, limit+1)
	for _, s := range spans {
		if s.start >= limit {
			break
		}
		for p := s.start + 1; p < s.end && p <= limit; p++ {
			blocked[p] = true
		}
	}
	return blocked
}

// hardCut returns the latest cut position in 1..limit that does not split
// a citation marker, wherever it stands (a code span that alone exceeds the
// limit must be cut somewhere, but not through a marker). limit < len(r).
func hardCut(r []rune, limit int) int {
	for p := limit; p >= 1; p-- {
		inside := false
		for i := max(0, p-4); i < p; i++ {
			if n := markerLen(r, i); n > 0 && i+n > p {
				inside = true
				break
			}
		}
		if !inside {
			return p
		}
	}
	return limit
}

// splitFence cuts inside the fenced block s, which starts at r[0] and is
// longer than limit: the part ends with a closing fence and the rest starts
// with the block's opening line again, so both render as code. It reports
// false when the opening line leaves no room for content.
func splitFence(r []rune, limit int, s span) (part, rest []rune, ok bool) {
	nl := -1
	for i := 3; i < s.end && i < limit; i++ {
		if r[i] == '\n' {
			nl = i
			break
		}
	}
	if nl < 0 {
		return nil, nil, false
	}
	opener := r[:nl+1]
	const closer = "\n```"
	room := limit - len(closer)
	if room <= len(opener) {
		return nil, nil, false
	}
	// Prefer the last line break that leaves content in this part.
	p := -1
	for i := room; i > len(opener); i-- {
		if r[i] == '\n' {
			p = i
			break
		}
	}
	skip := 1
	if p < 0 {
		p, skip = hardCut(r, room), 0
		if p <= len(opener) {
			p = room
		}
	}
	part = append(append([]rune{}, r[:p]...), []rune(closer)...)
	rest = append(append([]rune{}, opener...), r[p+skip:]...)
	return part, rest, true
}

// trimLeftSpace drops leading white space.
func trimLeftSpace(r []rune) []rune {
	for len(r) > 0 && unicode.IsSpace(r[0]) {
		r = r[1:]
	}
	return r
}
