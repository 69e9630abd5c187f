package corpus

import (
	"missionbot/text"
	"regexp"
	"strings"
)

// monthPattern matches an English month name or its abbreviation.
const monthPattern = `(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`

// timeOfDay matches an optional clock time after a date.
const timeOfDay = `(?:,?\s*(?:at\s+)?\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?`

// Date formats seen in bylines: "2024-03-05", "05, Mar 2024",
// "5 March 2024", "Sep 26, 2023", "March 5, 2024".
var (
	isoDateRe = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?$`)
	dmyDateRe = regexp.MustCompile(`(?i)^(?:\p{L}+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?,?\s+(` + monthPattern + `),?\s+(\d{4})` + timeOfDay + `$`)
	mdyDateRe = regexp.MustCompile(`(?i)^(?:\p{L}+,?\s+)?(` + monthPattern + `)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})` + timeOfDay + `$`)
)

// parseDate parses a whole string as one of the date formats seen in
// news bylines and returns it as YYYY-MM-DD; ok is false otherwise.
func parseDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	var y, m, d string
	if g := isoDateRe.FindStringSubmatch(s); g != nil {
		y, m, d = g[1], g[2], g[3]
	} else if g := dmyDateRe.FindStringSubmatch(s); g != nil {
		d, m, y = g[1], monthNumber(g[2]), g[3]
	} else if g := mdyDateRe.FindStringSubmatch(s); g != nil {
		m, d, y = monthNumber(g[1]), g[2], g[3]
	} else {
		return "", false
	}
	if len(d) == 1 {
		d = "0" + d
	}
	out := y + "-" + m + "-" + d
	if !validDate(out) {
		return "", false
	}
	return out, true
}

// monthNumber returns the two-digit number of a month name matched by
// monthPattern.
func monthNumber(name string) string {
	prefixes := []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
	name = strings.ToLower(name)
	for i, p := range prefixes {
		if strings.HasPrefix(name, p) {
			return string([]byte{byte('0' + (i+1)/10), byte('0' + (i+1)%10)})
		}
	}
	return "00"
}

// validDate reports whether s (YYYY-MM-DD) is a real calendar date.
func validDate(s string) bool {
	if len(s) != 10 {
		return false
	}
	y := atoi(s[:4])
	m := atoi(s[5:7])
	d := atoi(s[8:])
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
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// Byline pieces: a read time, a "By NAME" byline, an update stamp.
var (
	readTimeRe = regexp.MustCompile(`(?i)^\d{1,3}\s*(?:min(?:ute)?s?|hrs?)\.?(?:\s+read)?$`)
	bylineRe   = regexp.MustCompile(`(?i)^by\b[:\s]*(.*)$`)
	stampRe    = regexp.MustCompile(`(?i)^(?:last\s+)?(?:updated|published|posted|modified)(?:\s+on)?\s*:?\s*(.*)$`)
	clockRe    = regexp.MustCompile(`(?i)^\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?$`)
)

// metaLine reports whether p is a byline/date/read-time line such as
// "05, Mar 2024 / 2 min read/ By Jane Roe" or "by | Sep 26, 2023", and
// returns the date (YYYY-MM-DD) and author it states, either possibly
// empty.
func metaLine(p string) (date, author string, ok bool) {
	if text.WordCount(p) > 16 {
		return "", "", false
	}
	segs := strings.FieldsFunc(p, func(r rune) bool { return r == '|' || r == '/' || r == '•' || r == '·' })
	if len(segs) == 0 {
		return "", "", false
	}
	for _, seg := range segs {
		seg = strings.TrimSpace(strings.Trim(strings.TrimSpace(seg), "-–—,"))
		switch {
		case seg == "":
		case readTimeRe.MatchString(seg), clockRe.MatchString(seg):
		default:
			if d, ok := parseDate(seg); ok {
				if date == "" {
					date = d
				}
				continue
			}
			if m := bylineRe.FindStringSubmatch(seg); m != nil {
				name := strings.TrimSpace(m[1])
				if name == "" {
					continue
				}
				if !isNameLike(name) {
					return "", "", false
				}
				if author == "" {
					author = name
				}
				continue
			}
			if m := stampRe.FindStringSubmatch(seg); m != nil {
				rest := strings.TrimSpace(m[1])
				if rest == "" {
					continue
				}
				if d, ok := parseDate(rest); ok {
					lower := strings.ToLower(seg)
					if date == "" && (strings.HasPrefix(lower, "published") || strings.HasPrefix(lower, "posted")) {
						date = d
					}
					continue
				}
				if clockRe.MatchString(rest) {
					continue
				}
			}
			return "", "", false
		}
	}
	return date, author, true
}
