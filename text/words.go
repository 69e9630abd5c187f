// Package text holds the words and sentences that the index and the
// answerers share: tokens (lower-cased, accent-folded, lightly stemmed),
// content terms without stopwords, sentence splitting, and small helpers
// for counting and shortening text. Both sides must count words the same
// way, so this is the one place that does.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// WordCount counts the space-separated words of s.
func WordCount(s string) int {
	n := 0
	in := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}

// EndsSentence reports whether s ends with sentence punctuation, possibly
// followed by closing quotes or brackets.
func EndsSentence(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool { return isCloser(r) || unicode.IsSpace(r) })
	last, _ := utf8.DecodeLastRuneInString(s)
	return isTerminal(last)
}

// LastWord returns the last space-separated token of s without leading
// quotes or brackets.
func LastWord(s string) string { return lastWord(s) }

// Truncate shortens s to at most n characters (runes), ending in "…" when
// it was cut; s is returned unchanged when it fits. n below 1 gives "".
func Truncate(s string, n int) string {
	if n < 1 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:n-1]), unicode.IsSpace) + "…"
}
