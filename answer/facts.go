package answer

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"missionbot/text"
)

// numberPattern matches a figure as sources and answers write it: digits
// with thousands separators (2,000 · 2 000 · 2.000, with no-break and thin
// spaces too) and an optional decimal part (5.5 · 5,5).
var numberPattern = regexp.MustCompile(`\d{1,3}(?:[,.\x{00A0}\x{202F} ]\d{3})+(?:[.,]\d+)?\b|\d+(?:[.,]\d+)?`)

// normalNumber writes a matched figure one way: no thousands separators,
// a decimal point, no leading zeros ("06" is "6", "2,000" and "2 000" are
// "2000", "5,5" is "5.5"). A last separator followed by exactly three
// digits is read as a thousands separator.
func normalNumber(m string) string {
	intPart, frac := m, ""
	if i := strings.LastIndexAny(m, ",."); i >= 0 && len(m)-i-1 != 3 {
		intPart, frac = m[:i], strings.TrimRight(m[i+1:], "0")
	}
	intPart = strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, intPart)
	if intPart = strings.TrimLeft(intPart, "0"); intPart == "" {
		intPart = "0"
	}
	if frac != "" {
		return intPart + "." + frac
	}
	return intPart
}

// numberSet holds the normalised figures of s.
func numberSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, m := range numberPattern.FindAllString(s, -1) {
		out[normalNumber(m)] = true
	}
	return out
}

// numbers lists the normalised figures of a claim, leaving out a list
// number that opens a line ("1." or "2)").
func numbers(claim string) []string {
	var out []string
	for _, loc := range numberPattern.FindAllStringIndex(claim, -1) {
		before := strings.TrimRight(claim[:loc[0]], " \t")
		after := claim[loc[1]:]
		lineStart := before == "" || strings.HasSuffix(before, "\n")
		if lineStart && (strings.HasPrefix(after, ".") || strings.HasPrefix(after, ")")) ||
			strings.HasSuffix(before, "(") && strings.TrimSpace(strings.TrimSuffix(before, "(")) == "" && strings.HasPrefix(after, ")") {
			continue
		}
		out = append(out, normalNumber(claim[loc[0]:loc[1]]))
	}
	return out
}

// tokenSet holds the tokens of s (see text.Tokens).
func tokenSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, t := range text.Tokens(s) {
		out[t] = true
	}
	return out
}

// name is a capitalised word of a text, as a token (see text.Tokens).
type name struct {
	token string
	// initial is true for a word that opens a sentence or a line, where a
	// capital says nothing about a name.
	initial bool
}

// names lists the capitalised words of s: a language-neutral sign of
// proper names.
func names(s string) []name {
	var out []name
	for line := range strings.SplitSeq(s, "\n") {
		start := true
		for _, w := range strings.Fields(line) {
			word := trimWord(w)
			r, _ := utf8.DecodeRuneInString(word)
			if unicode.IsUpper(r) && utf8.RuneCountInString(word) > 1 {
				for _, t := range text.Tokens(word) {
					out = append(out, name{token: t, initial: start})
				}
			}
			start = text.EndsSentence(w) || strings.HasSuffix(w, ":")
		}
	}
	return out
}

// trimWord strips the punctuation around a word.
func trimWord(w string) string {
	return strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// wordTokens holds the tokens of each word of s taken alone, as names
// reads them (text.Tokens joins some phrases: "United States" is one).
func wordTokens(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(s) {
		for _, t := range text.Tokens(trimWord(w)) {
			out[t] = true
		}
	}
	return out
}

// knownNames holds the tokens a claim's names may match in s: its words,
// the initials of its runs of capitalised words ("United Nations" stands
// for "UN"), and, separately, the names it uses inside sentences.
func knownNames(s string) (tokens, proper map[string]bool) {
	tokens, proper = wordTokens(s), map[string]bool{}
	var run []rune
	flush := func() {
		if len(run) >= 2 {
			tokens[strings.ToLower(string(run))] = true
		}
		run = run[:0]
	}
	for _, w := range strings.Fields(s) {
		word := trimWord(w)
		r, _ := utf8.DecodeRuneInString(word)
		if unicode.IsUpper(r) {
			run = append(run, r)
		} else {
			flush()
		}
		if strings.ContainsAny(w, ".,;:!?") {
			flush()
		}
	}
	flush()
	for _, n := range names(s) {
		if !n.initial {
			proper[n.token] = true
		}
	}
	return tokens, proper
}
