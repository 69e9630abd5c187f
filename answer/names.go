package answer

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"missionbot/retrieval"
	"missionbot/text"
)

// namesNumber reports whether a small number after a capitalised word is
// part of a name ("Line 1", "Gate 3"), not a count: "Metro Line 1 went
// back to work" does not count workers. A weekday or month before it
// ("on Monday 300 passengers") does not make a name.
func namesNumber(before, number string) bool {
	r, _ := utf8.DecodeRuneInString(before)
	if !unicode.IsUpper(r) || strings.ContainsAny(before, ",.;:") {
		return false
	}
	n := strings.Trim(number, "(),.;:\"'“”‘’")
	if len(n) > 3 || strings.ContainsAny(n, ",.") {
		return false
	}
	for _, tok := range text.Tokens(before) {
		if text.IsDateWord(tok) {
			return false
		}
	}
	return true
}

// namesOther reports whether word is a name (capitalised, not a month or a
// weekday) that no query term holds: a figure it qualifies counts
// something other than what was asked.
func namesOther(word string, terms []retrieval.QueryTerm) bool {
	r, _ := utf8.DecodeRuneInString(word)
	if !unicode.IsUpper(r) {
		return false
	}
	for _, tok := range text.Tokens(word) {
		if text.IsDateWord(tok) {
			return false
		}
		for _, t := range terms {
			if ok, _ := t.Holds([]string{tok}); ok || slices.Contains(t.Tokens, tok) {
				return false
			}
		}
	}
	return true
}

// namesSomethingNew reports whether s names anyone or anything the
// question does not: a capitalised word no query term holds ("the Thirdway
// Alliance", "65 Haitian groups"). A sentence naming only the
// question's own people ("Minister Tomas Ebbe laid the first stone" for
// "Who was minister before Tomas Ebbe?") does not say who.
func namesSomethingNew(s sentence, terms []retrieval.QueryTerm) bool {
	toks, marks := text.MarkedTokens(s.text)
	for i, tok := range toks {
		if marks[i]&text.MarkName == 0 || text.IsDateWord(tok) {
			continue
		}
		held := false
		for _, t := range terms {
			if ok, _ := t.Holds([]string{tok}); ok || slices.Contains(t.Tokens, tok) {
				held = true
				break
			}
		}
		if !held {
			return true
		}
	}
	return false
}

// holdsNames reports whether s, with its neighbours, holds every name of
// the question the corpus knows: an answer about the Court of Appeal must
// come from a sentence about it, not one about the High Court.
// A name of several words or a proper name must be in the sentence or
// next to it; a name that is also a common word ("Caribbean") and a figure
// naming something ("resolution 2699") must be in its passage. Names the
// corpus mentions everywhere (the country a corpus is about) are not
// required; names it mentions often must be in the passage. Names in kind
// qualify the category asked for ("Caribbean" in "Which Caribbean
// countries…") and are not required either.
func holdsNames(s sentence, terms []retrieval.QueryTerm, kind []int) bool {
	var toks []string
	// A sentence holding a rare name of the question is anchored to what
	// it asks about; the names the corpus mentions more often are then
	// context ("How many doses of MVA-BN did Gavi buy?": "Gavi has
	// announced it will buy 500,000 doses").
	anchored := false
	for i, t := range terms {
		anchored = anchored || rareName(t) && s.own[i]
	}
	for i, t := range terms {
		if t.Frame || !t.InCorpus() || t.Weight < topicNameWeight || slices.Contains(kind, i) {
			continue
		}
		switch {
		case t.Weight < rareNameWeight:
			// A name the corpus mentions often, but not everywhere (a
			// country in a corpus about a region, a contractor): the
			// passage must be about it. A name of several words may be
			// shortened: its initials ("MSS") or its coined word ("Kaneda"
			// for "Kaneda Rail Systems") will do; one made of English
			// words only ("African countries", "Multinational Security
			// Support") is often a description, or written another way
			// ("the mission"), and is not required.
			if !t.Name || anchored || s.held[i] > 0 || inHeadline(s, t) || len(t.Tokens) > 1 && !coined(t) {
				continue
			}
			if toks == nil {
				toks = s.passageTokens().text
			}
			if ok, _ := t.Holds(toks); !ok && !(len(t.Tokens) > 1 && shortened(t, toks)) {
				return false
			}
		case t.Name && t.Sequence:
			// Or in its document's headline: under "High Court freezes
			// deployment", "The case was filed by Ekuru Aukot" is about
			// that court's case.
			if s.held[i] == 0 && !inHeadline(s, t) {
				return false
			}
		case t.Name && len(t.Tokens) == 1 && text.IsProperName(t.Tokens[0]):
			if s.held[i] == 0 {
				return false
			}
		case t.Name || t.Number:
			if s.held[i] > 0 {
				continue
			}
			if toks == nil {
				toks = s.passageTokens().text
			}
			if ok, _ := t.Holds(toks); !ok {
				return false
			}
		}
	}
	return true
}

// figureBesideNames reports whether a figure of s stands in a sentence
// holding the rare names the question asks about, not only next to one:
// "Japan has promised 3.05 million doses. Canada has also promised doses
// but not said how many" gives no figure for Canada.
func figureBesideNames(s sentence, terms []retrieval.QueryTerm) bool {
	if !s.pair {
		for i, t := range terms {
			if rareName(t) && !s.own[i] {
				return false
			}
		}
		return true
	}
	for _, h := range s.halves {
		if len(figures(h)) == 0 {
			continue
		}
		toks := text.Tokens(h)
		ok := true
		for _, t := range terms {
			if !rareName(t) {
				continue
			}
			if held, _ := t.Holds(toks); !held {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// coined reports whether a name of several words holds a word that is no
// English word ("Kaneda Rail Systems"): a name for one thing, not a
// description.
func coined(t retrieval.QueryTerm) bool {
	for _, w := range t.Tokens {
		if !text.IsStopword(w) && !text.IsWord(w) {
			return true
		}
	}
	return false
}

// shortened reports whether toks hold a name of several words t in short:
// its initials, or a word of it that is no common English word.
func shortened(t retrieval.QueryTerm, toks []string) bool {
	initials := ""
	for _, w := range t.Tokens {
		if text.IsStopword(w) {
			continue
		}
		initials += w[:1]
		if !text.IsWord(w) && slices.Contains(toks, w) {
			return true
		}
	}
	return len(initials) > 1 && slices.Contains(toks, initials)
}

// rareName reports whether t is a name the corpus mentions rarely (see
// rareNameWeight), which the sentence answering about it must hold.
func rareName(t retrieval.QueryTerm) bool {
	return t.Name && !t.Number && !t.Frame && t.Weight >= rareNameWeight && t.InCorpus()
}

// inHeadline reports whether the headline of s's document holds t: a story
// is about what its headline names.
func inHeadline(s sentence, t retrieval.QueryTerm) bool {
	ok, _ := t.Holds(s.passageTokens().title)
	return ok
}

// rareNameWeight is the IDF above which a name must be in the sentence
// that answers: a name in fewer than about one chunk in six.
const rareNameWeight = 1.8

// topicNameWeight is the IDF below which a name is what the whole corpus
// is about (a name in more than about one chunk in three) and need not be
// in an answer's passage at all.
const topicNameWeight = 1.0

// preferPeople keeps, for "who…", the sentences that name a person when
// any does: a sentence naming only a body or a place ("…released by the
// Metro Company") answers only when no source names anyone.
func preferPeople(ok []sentence) []sentence {
	var people []sentence
	for _, s := range ok {
		if s.states[wantPerson] {
			people = append(people, s)
		}
	}
	if len(people) == 0 {
		return ok
	}
	return people
}
