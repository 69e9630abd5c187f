package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SplitSentences splits text into sentences, trimmed, in order. A line
// break always ends a sentence, so headings, bullets and lines without
// final punctuation stand alone. Within a line a sentence ends at ".",
// "!", "?" or "…" (with any closing quotes or brackets) followed by space
// and a word that does not start in lower case, except after common
// abbreviations (Mr., Dr., St., Jan., Gen., No. …), single-letter initials
// and dotted acronyms such as "U.S." that are not followed by a typical
// sentence opener. Decimals and figures ($1.5 million, 2,000) never split
// because the period is not followed by space. A run longer than
// MaxSentenceWords (a transcript without punctuation, a list run
// together) is cut into pieces of at most that many words, at clause
// punctuation where there is some (see capSentence). It returns nil for
// blank text. It is linear in the length of text.
func SplitSentences(text string) []string {
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		n := len(out)
		out = appendLineSentences(out, line)
		for i := n; i < len(out); i++ {
			if WordCount(out[i]) > MaxSentenceWords {
				out = capLongSentences(out, i)
				break
			}
		}
	}
	return out
}

// capLongSentences replaces every sentence from out[from:] longer than
// MaxSentenceWords by its pieces.
func capLongSentences(out []string, from int) []string {
	tail := append([]string(nil), out[from:]...)
	out = out[:from]
	for _, s := range tail {
		out = capSentence(out, s)
	}
	return out
}

// MaxSentenceWords is the most words SplitSentences puts in one
// sentence. News sentences rarely reach it; text without sentence
// punctuation would otherwise become one "sentence" of any length, which
// no chunk, answer or Discord message can hold.
const MaxSentenceWords = 60

// minPieceWords is the fewest words capSentence leaves in a piece when it
// cuts at clause punctuation, so that a comma near the start does not
// produce a two-word fragment.
const minPieceWords = 20

// capSentence appends s to out, cut into pieces of at most
// MaxSentenceWords words when it is longer. Each cut is made after the
// strongest clause punctuation within the allowed window (";" or ":" or a
// dash, then ","), the latest of equal strength; without any, the
// remaining words are cut into equal pieces at word boundaries. Pieces are
// substrings of s, so no text is lost or changed.
func capSentence(out []string, s string) []string {
	type word struct {
		start, end int // byte offsets in s
		mark       int // clause strength of a cut after this word
	}
	var words []word
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		j := i
		for j < len(s) {
			r2, s2 := utf8.DecodeRuneInString(s[j:])
			if unicode.IsSpace(r2) {
				break
			}
			j += s2
		}
		words = append(words, word{start: i, end: j, mark: clauseMark(s[i:j])})
		i = j
	}
	for a := 0; a < len(words); {
		left := len(words) - a
		if left <= MaxSentenceWords {
			out = append(out, s[words[a].start:words[len(words)-1].end])
			break
		}
		pieces := (left + MaxSentenceWords - 1) / MaxSentenceWords
		cut := a + (left+pieces-1)/pieces - 1 // last word of an even piece
		best := 0
		for w := a + minPieceWords - 1; w < a+MaxSentenceWords; w++ {
			if m := words[w].mark; m > 0 && m >= best {
				best, cut = m, w
			}
		}
		out = append(out, s[words[a].start:words[cut].end])
		a = cut + 1
	}
	return out
}

// clauseMark rates a word as a place to cut after it: 2 when it ends a
// clause (";", ":", or is or ends in a dash), 1 after a comma, else 0.
func clauseMark(w string) int {
	w = strings.TrimRight(w, `"'”’)]»`)
	last, _ := utf8.DecodeLastRuneInString(w)
	switch last {
	case ';', ':', '—', '–':
		return 2
	case ',':
		return 1
	}
	if w == "-" || w == "--" {
		return 2
	}
	return 0
}

// appendLineSentences appends the sentences of one line to out.
func appendLineSentences(out []string, line string) []string {
	start := 0
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		if !isTerminal(r) {
			i += size
			continue
		}
		// Consume the whole run of terminal punctuation ("?!", "...").
		runStart := i
		j := i
		for j < len(line) {
			r2, s2 := utf8.DecodeRuneInString(line[j:])
			if !isTerminal(r2) {
				break
			}
			j += s2
		}
		run := line[runStart:j]
		for j < len(line) {
			r2, s2 := utf8.DecodeRuneInString(line[j:])
			if !isCloser(r2) {
				break
			}
			j += s2
		}
		end := j
		if j < len(line) {
			r2, _ := utf8.DecodeRuneInString(line[j:])
			if !unicode.IsSpace(r2) {
				i = j
				continue
			}
		}
		next := nextWord(line[j:])
		if splitsAt(line[start:runStart], run, next) {
			if s := strings.TrimSpace(line[start:end]); s != "" {
				out = append(out, s)
			}
			start = end
		}
		i = j
	}
	if s := strings.TrimSpace(line[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// splitsAt decides whether a terminal punctuation run ends a sentence,
// given the text before it (within the current sentence) and the next
// word ("" at the end of the line).
func splitsAt(before, run, next string) bool {
	if next == "" {
		return true
	}
	first, _ := utf8.DecodeRuneInString(next)
	if unicode.IsLower(first) {
		return false
	}
	if run != "." {
		return true
	}
	word := lastWord(before)
	if word == "" {
		return true
	}
	lower := strings.ToLower(word)
	if _, ok := abbreviations[lower]; ok {
		return false
	}
	letters := strings.ReplaceAll(word, ".", "")
	if utf8.RuneCountInString(letters) == 1 && unicode.IsUpper(first) {
		r, _ := utf8.DecodeRuneInString(letters)
		// A single capital letter before the period is an initial
		// ("J. Smith"); a lone digit or lower-case letter is not.
		if unicode.IsUpper(r) {
			return false
		}
	}
	if strings.Contains(word, ".") && isDottedAcronym(word) {
		// "U.S." ends a sentence only when the next word typically
		// opens one ("... aid from the U.S. The mission ...").
		_, opener := sentenceOpeners[strings.ToLower(strings.Trim(next, `"'“‘(`))]
		return opener
	}
	return true
}

// isTerminal reports whether r can end a sentence.
func isTerminal(r rune) bool {
	return r == '.' || r == '!' || r == '?' || r == '…'
}

// isCloser reports whether r closes a quotation or bracket after a
// sentence's final punctuation.
func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', ')', ']', '»':
		return true
	}
	return false
}

// lastWord returns the last space-separated token of s without leading
// quotes or brackets.
func lastWord(s string) string {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	if k := strings.LastIndexFunc(s, unicode.IsSpace); k >= 0 {
		s = s[k+1:]
	}
	return strings.TrimLeft(s, `"'“‘([`)
}

// nextWord returns the first token of s, or "" if s is blank.
func nextWord(s string) string {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	if end := strings.IndexFunc(s, unicode.IsSpace); end >= 0 {
		return s[:end]
	}
	return s
}

// isDottedAcronym reports whether word is like "U.S" or "U.N" (the final
// period already cut off): single letters separated by periods.
func isDottedAcronym(word string) bool {
	parts := strings.Split(word, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if utf8.RuneCountInString(p) != 1 {
			return false
		}
	}
	return true
}

// abbreviations are words that, followed by a period, do not end a
// sentence. Keys are lower case without the final period.
var abbreviations = setOf(
	"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "col", "lt",
	"sgt", "capt", "cpl", "maj", "gov", "sen", "rep", "rev", "hon", "pres",
	"supt", "insp", "cmdr", "adm", "amb", "jan", "feb", "mar", "apr", "jun",
	"jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "nos", "vs",
	"e.g", "i.e", "approx", "dept", "est", "fig", "inc", "ltd", "corp", "co",
	"mt", "ft", "vol", "art", "para", "cf", "al",
)

// sentenceOpeners are words that usually start a sentence; after a dotted
// acronym they signal a sentence boundary.
var sentenceOpeners = setOf(
	"the", "a", "an", "it", "he", "she", "they", "we", "i", "this", "that",
	"these", "those", "in", "on", "at", "but", "and", "however", "meanwhile",
	"there", "his", "her", "their", "its", "our", "as", "after", "before",
	"when", "while", "if", "for", "some", "many", "officials", "kenya",
	"haiti",
)

// setOf builds a lookup set. It is called only to initialise the
// read-only tables above.
func setOf(words ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}

// anaphors open sentences that point back to the one before.
var anaphors = map[string]bool{
	"this": true, "these": true, "that": true, "those": true, "such": true,
	"it": true, "its": true, "he": true, "she": true, "they": true, "his": true, "her": true, "their": true,
}

// LeansBack reports whether sentence s opens with an anaphor ("This
// designation allows…", "He said…"): it means little without the sentence
// before it, so chunk overlaps and quoted answers keep the two together.
func LeansBack(s string) bool {
	first, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	return anaphors[strings.ToLower(strings.Trim(first, "\"'“‘(,"))]
}
