package corpus

import (
	"missionbot/text"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lineMeta is what a byline, date or "Updated on" line states.
type lineMeta struct {
	// Published is the date the line gives as the publication date, or a
	// bare date; Updated one it labels as an update.
	Published, Updated string
	Author             string
	// explicit is set when the line names the author with "By" or a
	// label, rather than as a bare name beside a date.
	explicit bool
}

// stated reports whether the line states a date or an author.
func (m lineMeta) stated() bool { return m.Published != "" || m.Updated != "" || m.Author != "" }

// Byline pieces.
var (
	// readTimeRe: "2 min read", "3 mins", "4 minute read".
	readTimeRe = regexp.MustCompile(`(?i)^\d{1,3}\s*(?:min(?:ute)?s?|hrs?)\.?(?:\s+(?:read|de lecture|lectura|leitura))?$`)
	// bylineRe: "By Jane Roe", "By: Jane Roe", "Par Nadège Saint-Fleur",
	// "Reporter: Jane Roe", "Written by Jane Roe".
	bylineRe = regexp.MustCompile(`(?i)^(?:written by|words by|reported by|by|par|por|von|reporter|author|auteur|autor|writer)\b\s*:?\s*(.*)$`)
	// stampRe: "Published on 10 Oct 2023", "Updated On March 11, 2025",
	// "Last updated: ...", "Publié le ...", "Mis à jour le ...".
	stampRe = regexp.MustCompile(`(?i)^(last\s+updated|updated|first\s+published|published|posted|modified|publié|publie|mis à jour|actualizado|publicado|atualizado)(?:\s+(?:on|at|le|el|em))?\s*:?\s*(.*)$`)
	// dateLabelRe: "Date: 11 October 2024", "Dated 5 March 2024".
	dateLabelRe = regexp.MustCompile(`(?i)^(?:date|dated|fecha|data)\s*:?\s*(.*)$`)
	// nameCutRe ends the name in a byline at a role or place: "Jane Roe,
	// Courts Editor", "Jane Roe in Kingston", "Jane Roe for Example News".
	nameCutRe = regexp.MustCompile(`,\s+|\s+(?:in|for|at|en|à|pour|para|em)\s+`)
)

// metaSegments splits a byline into its parts at "|", "•", "·", a spaced
// dash, and "/" (but not the "/" inside a numeric date such as 13/05/2025).
func metaSegments(p string) []string {
	var segs []string
	start := 0
	cut := func(i, width int) {
		segs = append(segs, p[start:i])
		start = i + width
	}
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		switch {
		case r == '|' || r == '•' || r == '·':
			cut(i, size)
		case r == '/':
			if !(i > 0 && isDigit(p[i-1]) && i+1 < len(p) && isDigit(p[i+1])) {
				cut(i, size)
			}
		case (r == '—' || r == '–' || r == '-') && i > 0 && p[i-1] == ' ' && i+size < len(p) && p[i+size] == ' ':
			cut(i, size)
		}
		i += size
	}
	return append(segs, p[start:])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// metaLine reports whether p is a byline, date or read-time line such as
// "05, Mar 2024 / 2 min read/ By Jane Roe", "by | Sep 26, 2023",
// "2025-01-19 | World | Mwende Kiilu", "Updated On 19 October 2024, 08:40
// AM" or "Date: 11 October 2024", and returns what it states. Every part
// must be metadata (a date, a byline, a read time, a clock time, an
// "Updated/Published" stamp) or a short label beside one (a section, a
// place, a bare name); one part of anything else and p is not a byline.
func metaLine(p string, dayFirst bool) (lineMeta, bool) {
	var m lineMeta
	if wordsUpTo(p, 18) > 18 {
		return m, false
	}
	hasMeta := false
	bareName := ""
	for _, seg := range metaSegments(p) {
		seg = strings.TrimSpace(strings.Trim(strings.TrimSpace(seg), "-–—,*_"))
		if seg == "" {
			continue
		}
		if readTimeRe.MatchString(seg) || clockRe.MatchString(seg) {
			hasMeta = true
			continue
		}
		if d, ok := parseDate(seg, dayFirst); ok {
			if m.Published == "" {
				m.Published = d
			}
			hasMeta = true
			continue
		}
		if g := stampRe.FindStringSubmatch(seg); g != nil {
			rest := strings.TrimSpace(g[2])
			d, isDate := parseDate(rest, dayFirst)
			switch {
			case rest == "" || clockRe.MatchString(rest):
			case isDate && isUpdateLabel(g[1]):
				if m.Updated == "" {
					m.Updated = d
				}
			case isDate:
				if m.Published == "" {
					m.Published = d
				}
			default:
				return lineMeta{}, false
			}
			hasMeta = true
			continue
		}
		if g := dateLabelRe.FindStringSubmatch(seg); g != nil {
			if d, ok := parseDate(g[1], dayFirst); ok {
				if m.Published == "" {
					m.Published = d
				}
				hasMeta = true
				continue
			}
		}
		if g := bylineRe.FindStringSubmatch(seg); g != nil {
			rest := strings.TrimSpace(g[1])
			if rest == "" {
				hasMeta = true
				continue
			}
			name, role := rest, ""
			if loc := nameCutRe.FindStringIndex(rest); loc != nil {
				name, role = rest[:loc[0]], rest[loc[1]:]
			}
			if !isNameLike(name) || wordsUpTo(role, 5) > 5 {
				return lineMeta{}, false
			}
			if !m.explicit {
				m.Author, m.explicit = name, true
			}
			hasMeta = true
			continue
		}
		if wordsUpTo(seg, 5) > 5 || text.EndsSentence(seg) || strings.ContainsFunc(seg, unicode.IsDigit) {
			return lineMeta{}, false
		}
		if bareName == "" && wordsUpTo(seg, 2) >= 2 && isNameLike(seg) {
			bareName = seg
		}
	}
	if !hasMeta {
		return lineMeta{}, false
	}
	if m.Author == "" {
		m.Author = bareName
	}
	return m, true
}

// isUpdateLabel reports whether a stamp label marks an update rather than
// the first publication.
func isUpdateLabel(label string) bool {
	l := strings.ToLower(label)
	return strings.Contains(l, "updated") || strings.Contains(l, "modified") || strings.Contains(l, "mis à jour") ||
		strings.Contains(l, "actualizado") || strings.Contains(l, "atualizado")
}

// datelineDate returns the date of a wire dateline that opens a
// paragraph: a place in capitals, optionally a region, then the date, an
// optional agency in brackets and a dash: "PORT-AU-PRINCE, Tuesday 25 June
// 2024 — ...", "NAIROBI, Kenya, March 5, 2024 (Reuters) - ...". A dateline
// without a year ("June 25 (Wire) —") states no full date and gives none.
// tail is what follows the dash: the story, or a byline.
func datelineDate(p string, dayFirst bool) (day, tail string, ok bool) {
	end, width := -1, 0
	for _, dash := range []string{" — ", " – ", " - ", "—"} {
		if i := strings.Index(p, dash); i > 0 && (end < 0 || i < end) {
			end, width = i, len(dash)
		}
	}
	if end < 0 || end > 160 {
		return "", "", false
	}
	head := p[:end]
	if wordsUpTo(head, 14) > 14 {
		return "", "", false
	}
	place, rest, ok := strings.Cut(head, ",")
	if !ok || !isCapitalsPlace(place) {
		return "", "", false
	}
	m, ok := findDate(rest, dayFirst)
	if !ok {
		return "", "", false
	}
	// Only a region, weekday or agency may stand beside the date.
	if before := strings.TrimSpace(rest[:m.start]); wordsUpTo(before, 4) > 4 {
		return "", "", false
	}
	after := strings.TrimSpace(rest[m.end:])
	if after != "" && !(strings.HasPrefix(after, "(") && strings.HasSuffix(after, ")")) && !clockRe.MatchString(after) {
		return "", "", false
	}
	return m.day, strings.TrimSpace(p[end+width:]), true
}

// standaloneDateline reads a dateline that stands alone on its line, with
// at most a byline after it ("PANAMA CITY, March 15, 2024 — By Jane Roe"),
// as pages print it above the story: its date and the author it names. A
// dateline that opens the story's first sentence is not one: that
// paragraph is prose and stays.
func standaloneDateline(p string, dayFirst bool) (date, author string, ok bool) {
	date, rest, ok := datelineDate(p, dayFirst)
	if !ok {
		return "", "", false
	}
	if rest == "" {
		return date, "", true
	}
	if lm, isMeta := metaLine(rest, dayFirst); isMeta {
		return date, lm.Author, true
	}
	return "", "", false
}

// isCapitalsPlace reports whether s is a dateline's place: one to four
// words written in capitals ("PORT-AU-PRINCE", "UNITED NATIONS").
func isCapitalsPlace(s string) bool {
	s = strings.TrimSpace(s)
	n := wordsUpTo(s, 4)
	if n == 0 || n > 4 {
		return false
	}
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLower(r):
			return false
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			return false
		}
	}
	return letters >= 3
}

// mastheadSeparators split an outlet's name from its tagline or section:
// "COASTLINE HERALD — Mombasa & the Coast", "Capital Policy Brief ·
// Americas desk", "East Africa Standard Review | Facts first".
var mastheadSeparators = []string{" | ", " — ", " – ", " · ", " • ", " - "}

// mastheadName returns the outlet name a masthead line states: the part
// before a separator, or the whole line, when it is two to six
// capitalised words or written in capitals. ok is false for anything else
// (a tagline, a sentence, a headline in sentence case).
func mastheadName(p string) (string, bool) {
	if wordsUpTo(p, 12) > 12 || taglineRe.MatchString(p) {
		return "", false
	}
	name := p
	for _, sep := range mastheadSeparators {
		if i := strings.Index(p, sep); i > 0 && i < len(name) {
			name = p[:i]
		}
	}
	name = strings.TrimSpace(name)
	n := wordsUpTo(name, 6)
	if n < 2 || n > 6 || text.EndsSentence(name) || strings.ContainsFunc(name, unicode.IsDigit) {
		return "", false
	}
	if !isNameLike(name) && !isCapitalsPlace(name) && !allCapitals(name) {
		return "", false
	}
	return name, true
}

// allCapitals reports whether s has letters and none in lower case.
func allCapitals(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

// mastheadLike reports whether a headline-shaped paragraph is more
// likely an outlet's masthead or a section line than the headline: it is
// in capitals, is a name with a separated tagline or section, or is at
// most three capitalised words.
func mastheadLike(p string) bool {
	if allCapitals(p) {
		return true
	}
	if name, ok := mastheadName(p); ok {
		return name != p || wordsUpTo(p, 3) <= 3
	}
	return false
}
