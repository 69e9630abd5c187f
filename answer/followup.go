package answer

import (
	"missionbot/text"
	"strings"
	"unicode"
)

// followUpCues open questions that lean on the previous turn.
var followUpCues = []string{"what about", "how about", "and ", "what of", "same for", "et ", "e pou", "epi "}

// followUpPronouns stand for something named in an earlier turn.
var followUpPronouns = map[string]bool{
	"it": true, "its": true, "they": true, "them": true, "their": true, "he": true, "she": true,
	"his": true, "her": true, "that": true, "those": true, "this": true, "these": true, "there": true,
}

// mergeHistory builds a retrieval query for a follow-up question without a
// model: when the question leans on the previous turn (few content terms, a
// cue like "what about", or a pronoun), the previous question's content
// terms are appended. Names from the previous question are left out when
// the follow-up names something itself ("what about Benin?" replaces the
// country, it does not add to it). Other questions are returned unchanged.
func mergeHistory(question string, history []Turn) string {
	if len(history) == 0 {
		return question
	}
	if !isFollowUp(question) {
		return question
	}
	prev := history[len(history)-1].Question
	ownNames := hasName(question)
	have := map[string]bool{}
	for _, t := range text.Terms(question) {
		have[t] = true
	}
	var extra []string
	for _, w := range strings.Fields(prev) {
		if ownNames && startsUpper(w) {
			continue
		}
		for _, t := range text.Terms(w) {
			if !have[t] {
				have[t] = true
				extra = append(extra, strings.Trim(w, "?!.,;:\"'()"))
			}
		}
	}
	if len(extra) == 0 {
		return question
	}
	return strings.TrimSpace(question) + " " + strings.Join(extra, " ")
}

func isFollowUp(q string) bool {
	lq := strings.ToLower(strings.TrimSpace(q))
	for _, c := range followUpCues {
		if strings.HasPrefix(lq, c) {
			return true
		}
	}
	if len(text.Terms(q)) <= 2 {
		return true
	}
	for _, w := range strings.FieldsFunc(lq, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if followUpPronouns[w] {
			return true
		}
	}
	return false
}

// hasName reports whether a word after the first starts with a capital
// letter: a crude but language-neutral sign of a proper noun.
func hasName(q string) bool {
	for i, w := range strings.Fields(q) {
		if i > 0 && startsUpper(w) {
			return true
		}
	}
	return false
}

func startsUpper(w string) bool {
	for _, r := range w {
		return unicode.IsUpper(r)
	}
	return false
}
