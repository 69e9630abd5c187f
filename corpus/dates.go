package corpus

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// How dates are read. A date the document states becomes YYYY-MM-DD when
// it names a day, a month and a year:
//
//   - ISO 8601 ("2025-01-19", "2024-10-01T08:15:00-04:00": the day as the
//     publisher wrote it, in its own time zone), and "2025/01/19";
//   - a month name or abbreviation in English, French, Spanish,
//     Portuguese, Haitian Creole or German, before or after the day,
//     with an optional weekday, ordinal and clock time: "March 5, 2024",
//     "5 March 2024", "22, Sep 2024", "Friday, September 13, 2024",
//     "Sep 26, 2023 at 10:00", "19 October 2024, 08:40 AM",
//     "1er octobre 2024", "le 2 octobre 2024", "5 de marzo de 2024";
//   - all-numeric day and month with a four-digit year, "13/05/2025",
//     "13.05.2025". When both numbers could be the month (05/06/2025) the
//     day comes first, as in most of the world, unless the page declares
//     a United States English locale (lang="en-US"), where the month
//     comes first. A number above 12 settles the order either way.
//
// A month and year without a day ("October 2023"), a day and month without
// a year ("June 25"), and two-digit years state no date that could be
// written as YYYY-MM-DD without guessing, so they give none.

// monthNames maps lower-case month names and abbreviations to their
// numbers. Accented and unaccented spellings are both listed because
// pasted text often loses its accents.
var monthNames = map[string]int{
	// English
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
	"april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
	"august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
	"october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
	// French
	"janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "mars": 3,
	"avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8,
	"septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,
	// Spanish
	"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
	"agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
	// Portuguese
	"janeiro": 1, "fevereiro": 2, "março": 3, "marco": 3, "maio": 5, "junho": 6, "julho": 7,
	"setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
	// Haitian Creole
	"janvye": 1, "fevriye": 2, "mas": 3, "me": 5, "jen": 6, "jiyè": 7, "jiye": 7,
	"out": 8, "septanm": 9, "oktòb": 10, "oktob": 10, "novanm": 11, "desanm": 12,
	// German
	"januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6, "juli": 7,
	"oktober": 10, "dezember": 12,
}

// weekdayNames are the weekday names that may precede a date.
var weekdayNames = map[string]bool{
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "mon": true, "tue": true, "tues": true, "wed": true,
	"thu": true, "thur": true, "thurs": true, "fri": true, "sat": true, "sun": true,
	"lundi": true, "mardi": true, "mercredi": true, "jeudi": true, "vendredi": true,
	"samedi": true, "dimanche": true,
	"lunes": true, "martes": true, "miércoles": true, "miercoles": true, "jueves": true,
	"viernes": true, "sábado": true, "sabado": true, "domingo": true,
	"segunda-feira": true, "terça-feira": true, "quarta-feira": true, "quinta-feira": true,
	"sexta-feira": true,
	"lendi":       true, "madi": true, "mèkredi": true, "jedi": true, "vandredi": true, "samdi": true, "dimanch": true,
	"montag": true, "dienstag": true, "mittwoch": true, "donnerstag": true, "freitag": true,
	"samstag": true, "sonntag": true,
	// Words that introduce a date: "on 5 March", "le 2 octobre", "the 5th of".
	"on": true, "le": true, "el": true, "the": true, "am": true,
}

// monthAlternation is a regexp alternation of every month name, longest
// first so that "sept" is preferred to "sep".
func monthAlternation() string {
	names := make([]string, 0, len(monthNames))
	for n := range monthNames {
		names = append(names, regexp.QuoteMeta(strings.TrimSpace(n)))
	}
	sort.Slice(names, func(i, j int) bool {
		if len(names[i]) != len(names[j]) {
			return len(names[i]) > len(names[j])
		}
		return names[i] < names[j]
	})
	return strings.Join(names, "|")
}

// Date patterns, tried in this order. Each finds a date anywhere in a
// string; the boundaries keep "2025" from matching inside "20250".
var (
	months = monthAlternation()
	// "5 March 2024", "22, Sep 2024", "1er octobre 2024", "5 de marzo de 2024", "5. März 2024"
	dmyTextRe = regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(\d{1,2})(?:st|nd|rd|th|er|re|e|º|°|\.)?,?\s+(?:de\s+|of\s+)?(` + months + `)\.?,?\s+(?:de\s+|del\s+)?(\d{4})(?:[^\p{N}]|$)`)
	// "March 5, 2024", "Sept. 5, 2024", "Sep 26, 2023"
	mdyTextRe = regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(` + months + `)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:[^\p{N}]|$)`)
	// "2025-01-19", "2025/01/19", "2024-10-01T08:15:00-04:00"
	ymdNumRe = regexp.MustCompile(`(?:^|[^\p{N}])(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})(?:[^\p{N}]|$)`)
	// "13/05/2025", "13.05.2025", "5-6-2025"
	dmyNumRe = regexp.MustCompile(`(?:^|[^\p{N}/.\-])(\d{1,2})([/.\-])(\d{1,2})([/.\-])(\d{4})(?:[^\p{N}]|$)`)
)

// dateMatch is one date found in a string: the day and the byte range it
// covers (the separators around it excluded).
type dateMatch struct {
	day        string // YYYY-MM-DD
	start, end int
}

// findDate returns the first date stated in s, reading all-numeric dates
// day first when dayFirst is set; ok is false when s states none.
func findDate(s string, dayFirst bool) (dateMatch, bool) {
	// Every form holds a four-digit year, and the written forms a month
	// name: checking for them first spares most strings the patterns,
	// whose month alternation is slow to run (before this check, the
	// larger part of loading a folder of short documents).
	if !hasYear(s) {
		return dateMatch{}, false
	}
	written := namesMonth(s)
	var best dateMatch
	found := false
	consider := func(m dateMatch) {
		if !found || m.start < best.start {
			best, found = m, true
		}
	}
	if written {
		if g := dmyTextRe.FindStringSubmatchIndex(s); g != nil {
			if day, ok := ymd(s[g[6]:g[7]], monthNames[strings.ToLower(s[g[4]:g[5]])], s[g[2]:g[3]]); ok {
				consider(dateMatch{day, g[2], g[7]})
			}
		}
		if g := mdyTextRe.FindStringSubmatchIndex(s); g != nil {
			if day, ok := ymd(s[g[6]:g[7]], monthNames[strings.ToLower(s[g[2]:g[3]])], s[g[4]:g[5]]); ok {
				consider(dateMatch{day, g[2], g[7]})
			}
		}
	}
	if g := ymdNumRe.FindStringSubmatchIndex(s); g != nil && s[g[4]:g[5]] == s[g[8]:g[9]] {
		if day, ok := ymd(s[g[2]:g[3]], atoi(s[g[6]:g[7]]), s[g[10]:g[11]]); ok {
			consider(dateMatch{day, g[2], g[11]})
		}
	}
	if g := dmyNumRe.FindStringSubmatchIndex(s); g != nil && s[g[4]:g[5]] == s[g[8]:g[9]] {
		a, b := atoi(s[g[2]:g[3]]), atoi(s[g[6]:g[7]])
		d, m := a, b
		if b > 12 || (a <= 12 && !dayFirst) {
			d, m = b, a
		}
		if day, ok := ymd(s[g[10]:g[11]], m, strconv.Itoa(d)); ok {
			consider(dateMatch{day, g[2], g[11]})
		}
	}
	return best, found
}

// hasYear reports whether s holds a run of exactly four digits.
func hasYear(s string) bool {
	run := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && isDigit(s[i]) {
			run++
			continue
		}
		if run == 4 {
			return true
		}
		run = 0
	}
	return false
}

// namesMonth reports whether a word of s is a month name or abbreviation
// of monthNames, in any case.
func namesMonth(s string) bool {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len(w) <= len("septiembre") && monthNames[strings.ToLower(w)] != 0 {
			return true
		}
	}
	return false
}

// ymd builds YYYY-MM-DD from a year, month number and day, if it is a real
// calendar date.
func ymd(year string, month int, day string) (string, bool) {
	out := fmt.Sprintf("%s-%02d-%02d", year, month, atoi(day))
	return out, validDate(out)
}

// clockRe matches a clock time, with an optional "at", meridiem and zone,
// as it may follow a date: ", 08:40 AM", " 7:05 AM EAT", " at 10:00",
// "T08:15:00-04:00".
var clockRe = regexp.MustCompile(`(?i)^\s*(?:[,|·-]\s*)?(?:at\s+|à\s+|a las\s+|às\s+|um\s+)?(?:T)?\d{1,2}(?:[:h.]\d{2})(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?\s?m\.?)?\s*(?:Z|[+-]\d{2}:?\d{2}|\(?[A-Z]{2,5}\)?|UTC[+-]?\d*|GMT[+-]?\d*)?\s*$`)

// parseDate parses s as a whole as one date, optionally preceded by a
// weekday ("Friday,", "le", "on") and followed by a clock time, and returns
// it as YYYY-MM-DD; ok is false when s is anything else. dayFirst settles
// ambiguous all-numeric dates.
func parseDate(s string, dayFirst bool) (string, bool) {
	s = strings.TrimSpace(s)
	m, ok := findDate(s, dayFirst)
	if !ok {
		return "", false
	}
	for _, w := range strings.Fields(strings.NewReplacer(",", " ").Replace(s[:m.start])) {
		if !weekdayNames[strings.ToLower(strings.TrimSuffix(w, "."))] {
			return "", false
		}
	}
	if rest := strings.TrimSpace(s[m.end:]); rest != "" && !clockRe.MatchString(rest) {
		return "", false
	}
	return m.day, true
}

// statedDate reads a date from a machine-readable field (JSON-LD, a meta
// tag, a datetime attribute): ISO 8601 first, then RFC 1123 and the
// written forms parseDate reads. It returns "" when it cannot.
func statedDate(s string, dayFirst bool) string {
	s = strings.TrimSpace(s)
	if d := isoDay(s); d != "" {
		return d
	}
	for _, layout := range []string{time.RFC1123Z, time.RFC1123, time.RFC850, time.ANSIC} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly)
		}
	}
	if d, ok := parseDate(s, dayFirst); ok {
		return d
	}
	return ""
}

// isoDay returns the YYYY-MM-DD day of an ISO 8601 date or timestamp
// ("2024-10-01", "2024-10-01T08:15:00-04:00"), or "".
func isoDay(s string) string {
	s = strings.TrimSpace(s)
	if len(s) < 10 || s[4] != '-' || s[7] != '-' || !validDate(s[:10]) {
		return ""
	}
	if len(s) > 10 && s[10] != 'T' && s[10] != ' ' && s[10] != 't' {
		return ""
	}
	return s[:10]
}

// validDate reports whether s (YYYY-MM-DD) is a real calendar date
// between 1900 and 2200.
func validDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	y, m, d := atoi(s[:4]), atoi(s[5:7]), atoi(s[8:])
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// atoi parses a short run of ASCII digits; -1 if it is not one.
func atoi(s string) int {
	if s == "" {
		return -1
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}
