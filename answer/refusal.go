package answer

import (
	"regexp"

	"missionbot/retrieval"
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

// refusalPhrase matches an explicit statement that the sources do not
// answer the question, in English, French or Haitian Creole.
var refusalPhrase = regexp.MustCompile(`(?i)` +
	`\b(i|we)\s+(do\s+not|don't|don’t|cannot|can't|can’t)\s+(know|find|answer|say)` +
	`|\b(do|does)\s*(not|n't|n’t)\s+(contain|cover|mention|say|include|provide|specify|address)` +
	`|\bno\s+information\b|\bnot\s+enough\s+information\b|\bcannot\s+be\s+answered\b|\bnot\s+covered\b` +
	`|\bje\s+ne\s+(sais|peux)\s+pas\b|\bpas\s+d['’]information|\bne\s+(mentionnent|couvrent|précisent|contiennent)\b` +
	`|\bmwen\s+pa\s+(konnen|konn|ka)\b|\bpa\s+gen\s+enf[oò]masyon\b`)

// statesRefusal reports whether a model's uncited answer says that the
// sources do not answer the question.
func statesRefusal(text string) bool { return refusalPhrase.MatchString(text) }
