package answer

import (
	"regexp"
	"slices"
	"strings"

	"missionbot/text"
)

// claim is one sentence of a model answer and the source numbers its
// markers name (as the model wrote them, before renumbering).
type claim struct {
	start, end int // byte span in the answer
	text       string
	cited      []int // every number its markers name
}

// splitClaims cuts an answer into sentences, outside code, each with the
// numbers its markers name. Markers that open a sentence ("… in 2024. [2]
// Next …") belong to the sentence before.
func splitClaims(s string) []claim {
	var out []claim
	offset := 0
	for _, sp := range splitCode(s) {
		if sp.code {
			offset += len(sp.text)
			continue
		}
		cursor := 0
		for _, sent := range text.SplitSentences(sp.text) {
			i := strings.Index(sp.text[cursor:], sent)
			if i < 0 {
				continue
			}
			start := cursor + i
			end := start + len(sent)
			cursor = end
			// Leading markers go to the previous claim.
			lead := 0
			for {
				rest := sp.text[start+lead : end]
				loc := citeMarker.FindStringIndex(rest)
				if loc == nil || strings.TrimSpace(rest[:loc[0]]) != "" {
					break
				}
				if len(out) > 0 {
					m := citeMarker.FindStringSubmatch(rest)
					prev := &out[len(out)-1]
					prev.cited = append(prev.cited, markerNumbers(m[1]+m[2])...)
					prev.end = offset + start + lead + loc[1] // removing it removes them
				}
				lead += loc[1]
			}
			c := claim{start: offset + start + lead, end: offset + end, text: sp.text[start+lead : end]}
			for _, m := range citeMarker.FindAllStringSubmatch(c.text, -1) {
				c.cited = append(c.cited, markerNumbers(m[1]+m[2])...)
			}
			out = append(out, c)
		}
		offset += len(sp.text)
	}
	return out
}

// checkClaims checks every claim of an answer against what the model was
// shown: marker [k] names sources[k-1]; all are every source shown. A claim stating a figure that none of its cited sources gives
// (when they do give figures) is removed: a wrong figure must not reach a
// user dressed in a citation. A figure or name that its cited sources lack
// otherwise and a figure of an uncited claim that no source gives are
// flagged. Figures
// and names of the question itself are taken as given. Names are checked
// only when english (the question, and so the answer, is in English),
// since a translated answer spells them in its own language. It returns the answer without the removed claims and the
// notices that apply; if every claim would go, nothing is removed and the
// answer is flagged instead.
func checkClaims(s, question string, english bool, sources, all []source) (string, []string) {
	claims := splitClaims(s)
	qNums, qToks := numberSet(question), wordTokens(question)
	var every strings.Builder
	for _, src := range all {
		every.WriteString(sourceFacts(src))
	}
	var allNums map[string]bool // every source's figures; read when needed
	anyFigure := func(f string) bool {
		if allNums == nil {
			allNums = numberSet(every.String())
		}
		return allNums[f]
	}
	var allProper map[string]bool // the names used inside sentences; read when needed
	proper := func(tok string) bool {
		if allProper == nil {
			_, allProper = knownNames(every.String())
		}
		return allProper[tok]
	}
	memo := factsMemo{}
	var drop []claim
	unsupported := false
	content := 0
	for _, c := range claims {
		body := citeMarker.ReplaceAllString(sourceWord.ReplaceAllString(c.text, "$1"), " ")
		if strings.TrimSpace(strings.Trim(body, " .,;:!?-*")) == "" {
			continue
		}
		content++
		var valid []int
		for _, n := range c.cited {
			if n >= 1 && n <= len(sources) {
				valid = append(valid, n)
			}
		}
		figs := numbers(body)
		if len(valid) == 0 {
			for _, f := range figs {
				if !qNums[f] && !anyFigure(f) {
					unsupported = true
				}
			}
			continue
		}
		cited := make([]*facts, len(valid))
		statesFigures := false
		for i, n := range valid {
			cited[i] = memo.of(sources, n-1)
			statesFigures = statesFigures || cited[i].textFigures
		}
		missing := false
		for _, f := range figs {
			if !qNums[f] && !slices.ContainsFunc(cited, func(x *facts) bool { return x.nums[f] }) {
				missing = true
			}
		}
		if missing {
			// The cited text states other figures: this one is wrong. A
			// text with no figures may spell it out ("four hundred").
			if statesFigures {
				drop = append(drop, c)
			} else {
				unsupported = true
			}
			continue
		}
		if english { // names are checked in the question's language, the answer's
			for _, n := range names(body) {
				if n.initial && !proper(n.token) {
					continue // a capital that only opens the sentence
				}
				if !qToks[n.token] && !slices.ContainsFunc(cited, func(x *facts) bool { return x.names[n.token] }) {
					unsupported = true
				}
			}
		}
	}
	var notices []string
	if len(drop) > 0 && len(drop) == content {
		drop, unsupported = nil, true
	}
	if len(drop) > 0 {
		var b strings.Builder
		last := 0
		for _, c := range drop {
			b.WriteString(s[last:c.start])
			last = c.end
		}
		b.WriteString(s[last:])
		s = tidySpaces(b.String())
		notices = append(notices, NoticeDropped)
	}
	if unsupported {
		notices = append(notices, NoticeUnsupported)
	}
	return s, notices
}

// facts is what one source offers a claim: its figures (with its title
// and date), whether its text itself states any, and its names.
type facts struct {
	nums        map[string]bool
	textFigures bool
	names       map[string]bool
}

// factsMemo computes each source's facts once per check.
type factsMemo map[int]*facts

func (m factsMemo) of(sources []source, i int) *facts {
	if f, ok := m[i]; ok {
		return f
	}
	all := sourceFacts(sources[i])
	f := &facts{nums: numberSet(all), textFigures: numberPattern.MatchString(sources[i].text)}
	f.names, _ = knownNames(all)
	m[i] = f
	return f
}

// pointsNowhere reports whether a claim of s cites only sources that do
// not exist (numbers outside 1..n).
func pointsNowhere(s string, n int) bool {
	for _, c := range splitClaims(s) {
		if len(c.cited) == 0 {
			continue
		}
		valid := false
		for _, k := range c.cited {
			if k >= 1 && k <= n {
				valid = true
			}
		}
		if !valid {
			return true
		}
	}
	return false
}

// sourceWord is the word "Source" before a marker, as in "According to
// Source [2]": part of the marker, not a name.
var sourceWord = regexp.MustCompile(`(?i)\bsources?\s*(\[[^\]]*\])`)

// sourceFacts is the text a source's claims may rest on: what the model
// was shown, with the document's title and date.
func sourceFacts(s source) string {
	// The date as words and numbers ("22 September 2023"): its raw form
	// would offer "09" as a figure.
	date := ""
	if t, ok := s.meta.Date(); ok {
		date = t.Format("2 January 2006")
	}
	return s.meta.Title + "\n" + date + "\n" + s.text + "\n"
}

// tidySpaces collapses the runs of spaces a removed sentence leaves inside
// a line, keeping line breaks.
func tidySpaces(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(strings.Join(strings.Fields(l), " "))
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
