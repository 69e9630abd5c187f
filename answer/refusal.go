package answer

import (
	"regexp"
	"strings"
	"unicode"

	"missionbot/prompts"
	"missionbot/retrieval"
	"missionbot/text"
)

// RefusalText is what an answer says when the corpus does not cover the
// question: the one wording every front end shows.
const RefusalText = "The mission corpus doesn't cover this question, so I can't answer it from my sources."

// Relevance floors: fractions of the question's information (its
// IDF-weighted content terms, see retrieval.Passage) that the passages
// must hold for the corpus to count as covering it.
const (
	// relevanceFloor is the coverage the best passage needs for the corpus
	// to count as covering the question at all.
	relevanceFloor = 0.4
	// passageFloor is the coverage any other passage needs to be answered
	// from.
	passageFloor = 0.3
	// supportFloor is the coverage the best single sentence needs: the
	// corpus covers a question when one sentence states most of it, not
	// when its words are scattered over a passage.
	supportFloor = 0.4
)

// relevantPassages decides whether the search results cover the question
// and returns the passages an answer may rest on, in rank order; nil means
// the answer must refuse. This is the one place that makes that call.
func relevantPassages(res retrieval.Results) []retrieval.Passage {
	support := 0.0
	for _, p := range res.Passages {
		support = max(support, p.Support)
	}
	if len(res.Passages) == 0 || res.Coverage < relevanceFloor || support < supportFloor {
		return nil
	}
	var out []retrieval.Passage
	for _, p := range res.Passages {
		if p.Coverage >= passageFloor {
			out = append(out, p)
		}
	}
	return out
}

// refuse turns a into the refusal: RefusalText, no citations.
func refuse(a Answer) Answer {
	a.Text, a.Refused, a.Citations = RefusalText, true, nil
	return a
}

// The model's refusal. In llm mode the model judges relevance: the prompt
// asks it to reply with prompts.RefusalLine alone when the sources do not
// answer the question, and a reply is read for that line first; a model
// that paraphrases instead is caught by refusalPhrase, but only when its
// reply adds nothing from the sources, so a real answer that mentions a gap
// ("…five years; there is no information on renewal") is never taken for
// a refusal.

// refusalLetters is prompts.RefusalLine reduced to its letters, upper case:
// what is left of the line whatever emphasis, quotes, markers or
// punctuation a model puts around or inside it.
var refusalLetters = refusalKey(prompts.RefusalLine)

// refusalKey reduces s to its letters, upper-cased.
func refusalKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// modelPassages is llm mode's relevance decision: the model judges
// relevance, so it is handed the passages unless nothing at all matches
// (no passage holds any content term of the question, or there are none).
func modelPassages(res retrieval.Results) []retrieval.Passage {
	if len(res.Passages) == 0 || res.Coverage <= 0 {
		return nil
	}
	return res.Passages
}

// modelRefusal reads a model's reply for a refusal. It returns refused
// when the reply is the refusal line (with or without stray markers,
// emphasis or an explanation in any language), or a paraphrased refusal
// that adds no figure, name or term from the sources beyond the
// question's. Otherwise it returns the reply, without any refusal line, as
// the answer to verify: a reply that answers part of the question and
// then gives the line keeps its answer.
func modelRefusal(reply, question string, sources []source) (answer string, refused bool) {
	var kept []string
	sawLine := false
	for _, line := range strings.Split(reply, "\n") {
		key := refusalKey(line)
		if strings.HasPrefix(key, refusalLetters) {
			sawLine = true
			// The line may carry an explanation after the token.
			if rest := afterRefusalToken(line); rest != "" {
				kept = append(kept, rest)
			}
			continue
		}
		kept = append(kept, line)
	}
	rest := strings.TrimSpace(strings.Join(kept, "\n"))
	if sawLine {
		if rest == "" || !addsInformation(rest, question, sources) {
			return "", true
		}
		return rest, false
	}
	if statesRefusal(rest) && !addsInformation(rest, question, sources) {
		return "", true
	}
	return rest, false
}

// afterRefusalToken returns what follows the refusal token on its line,
// without the punctuation and emphasis between them.
func afterRefusalToken(line string) string {
	n := 0
	for i, r := range line {
		if unicode.IsLetter(r) {
			n++
			if n == len(refusalLetters) {
				return strings.TrimFunc(line[i+len(string(r)):], func(r rune) bool {
					return !unicode.IsLetter(r) && !unicode.IsDigit(r)
				})
			}
		}
	}
	return ""
}

// refusalPhrase matches a statement that the sources do not answer the
// question, in English, French, Haitian Creole, Spanish and Portuguese,
// subject included ("the sources do not say", "nothing in the passages",
// "les sources ne le disent pas"), so that what is left once it is removed
// is what the reply adds.
var refusalPhrase = regexp.MustCompile(`(?i)` +
	`\b(?:i|we)\s+(?:do\s+not|don't|don’t|cannot|can't|can’t|could\s+not|couldn't|couldn’t)\s+(?:know|find|answer|say|tell|determine)\b` +
	`|\b(?:the\s+|these\s+|my\s+|available\s+|provided\s+|given\s+)*(?:sources?|passages?|documents?|articles?|texts?|reports?|excerpts?)\s+(?:do|does|did)\s*(?:not|n't|n’t)\s+(?:\w+\s+){0,2}?(?:contain|cover|mention|say|state|include|provide|specify|address|give|answer|indicate|discuss|report|tell)\b` +
	`|\b(?:the\s+|these\s+)?(?:sources?|passages?|documents?|articles?|texts?|reports?)\s+(?:give|gives|provide|provides|contain|contains|offer|offers|include|includes|state|states|say|says|mention|mentions|have|has)\s+no\b` +
	`|\bnothing\s+in\s+(?:the\s+|these\s+)?(?:sources?|passages?|documents?|articles?|texts?)\b` +
	`|\b(?:there\s+is\s+|there's\s+|there’s\s+)?no\s+(?:information|mention|data|details?|figures?|record)\b` +
	`|\bnot\s+enough\s+information\b|\bcannot\s+be\s+answered\b|\bnot\s+(?:covered|mentioned|stated|specified)\b` +
	`|\bje\s+ne\s+(?:sais|peux)\s+pas\b|\bpas\s+d['’]information` +
	`|\b(?:les\s+|ces\s+)?(?:sources?|documents?|passages?|articles?|textes?)\s+ne\s+(?:le\s+|l['’]\s*|en\s+|la\s+|les\s+)?(?:disent|dit|mentionnent|mentionne|couvrent|précisent|précise|contiennent|donnent|indiquent|abordent|parlent)\b` +
	`|\bne\s+(?:le\s+|l['’]\s*|en\s+)?(?:disent|mentionnent|couvrent|précisent|contiennent|donnent|indiquent)\s+pas\b|\baucune\s+(?:information|mention|donnée|précision)\b` +
	`|\bmwen\s+pa\s+(?:konnen|konn|ka|jwenn)\b|\bpa\s+gen\s+(?:okenn\s+)?enf[oò]masyon\b|\b(?:sous|dokiman|tèks|tex)\s+yo\s+pa\s+(?:di|mansyone|bay|gen|pale)\b` +
	`|\blas?\s+fuentes\s+no\s+(?:dicen|mencionan|indican|especifican)\b|\bno\s+hay\s+información\b` +
	`|\bas\s+fontes\s+não\s+(?:dizem|mencionam|indicam)\b|\bnão\s+há\s+informaç`)

// statesRefusal reports whether text says that the sources do not answer
// the question.
func statesRefusal(text string) bool { return refusalPhrase.MatchString(text) }

// minAddedTerms is how many content terms from the sources, not in the
// question, a reply must add to count as an answer when it carries no
// figure or name from them.
const minAddedTerms = 2

// addsInformation reports whether a reply says something from the sources
// beyond the question and beyond its own statements of absence: a figure
// or a capitalised name found in the sources but not in the question, or
// at least minAddedTerms such content terms.
func addsInformation(reply, question string, sources []source) bool {
	rest := refusalPhrase.ReplaceAllString(citeMarker.ReplaceAllString(reply, " "), " ")
	var all strings.Builder
	for _, s := range sources {
		all.WriteString(s.text)
		all.WriteString("\n")
	}
	src := all.String()
	srcNums, qNums := numberSet(src), numberSet(question)
	for n := range numberSet(rest) {
		if srcNums[n] && !qNums[n] {
			return true
		}
	}
	srcToks, qToks := tokenSet(src), tokenSet(question)
	srcWords, qWords := wordTokens(src), wordTokens(question)
	for _, n := range names(rest) {
		if srcWords[n.token] && !qWords[n.token] {
			return true
		}
	}
	added := 0
	for _, t := range text.Terms(rest) {
		if !qToks[t] && srcToks[t] {
			added++
		}
	}
	return added >= minAddedTerms
}
