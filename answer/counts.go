package answer

import (
	"slices"
	"strings"

	"missionbot/retrieval"
	"missionbot/text"
)

// quantifies reports whether a figure in s counts one of the terms ids
// (-1 entries are skipped): a number at most four words before a word
// holding it ("24 personnel", "13 votes"). With no term to count, any
// figure will do; with terms the sentence does not hold, none does.
func quantifies(s sentence, terms []retrieval.QueryTerm, ids []int) bool {
	var want []retrieval.QueryTerm
	asked := false
	for _, i := range ids {
		if i >= 0 {
			asked = true
			if s.own[i] {
				want = append(want, terms[i])
			}
		}
	}
	if len(want) == 0 {
		return !asked && len(s.figures) > 0
	}
	words := strings.Fields(s.text)
	if countedBefore(words, want) {
		return true
	}
	for i, w := range words {
		if !isCount(w) || i > 1 && namesNumber(words[i-1], w) {
			continue
		}
		for j := i + 1; j < len(words) && j <= i+4; j++ {
			if namesOther(words[j], terms) {
				break // "1,000 Kenyan police officers" do not count Bangladesh's
			}
			toks := text.Tokens(words[j])
			for _, t := range want {
				if ok, _ := t.Holds(toks); ok {
					return true
				}
				for _, tok := range toks {
					if len(t.Tokens) > 1 && slices.Contains(t.Tokens, tok) {
						return true
					}
				}
			}
		}
	}
	return false
}

// countedBefore reports whether words say "the number of X … N": a measure
// noun, "of", a word holding one of the terms want within three words, and
// a count after it ("The number of people who have fallen ill has risen
// to 131").
func countedBefore(words []string, want []retrieval.QueryTerm) bool {
	for i := 0; i+2 < len(words); i++ {
		if !text.IsMeasureNoun(strings.ToLower(strings.Trim(words[i], ",.;:\"'“”‘’("))) || strings.ToLower(words[i+1]) != "of" {
			continue
		}
		for j := i + 2; j < len(words) && j <= i+4; j++ {
			toks := text.Tokens(words[j])
			for _, t := range want {
				if ok, _ := t.Holds(toks); !ok {
					continue
				}
				for _, w := range words[j+1:] {
					if isCount(w) {
						return true
					}
				}
			}
		}
	}
	return false
}

// isCount reports whether a word is a count: a number that is not a year
// ("2,000" is a count, "2000" a year), or a number word.
func isCount(w string) bool {
	w = strings.Trim(w, "(),.;:\"'“”‘’")
	if w == "" {
		return false
	}
	if w[0] >= '0' && w[0] <= '9' {
		return !yearOnly.MatchString(w)
	}
	return numberWords[strings.ToLower(w)]
}

// numberWords are the number words a count may be written with.
var numberWords = map[string]bool{
	"one": true, "two": true, "three": true, "four": true, "five": true, "six": true, "seven": true, "eight": true,
	"nine": true, "ten": true, "eleven": true, "twelve": true, "thirteen": true, "fifteen": true, "twenty": true,
	"thirty": true, "forty": true, "fifty": true, "hundred": true, "thousand": true, "dozen": true, "million": true, "billion": true,
}
