package text

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TimeKind says how a question places what it asks in time.
type TimeKind int

// The kinds of time frame a question can set.
const (
	// TimeNone: the question names no time.
	TimeNone TimeKind = iota
	// TimeDuring: the question asks about a period ("in September 2024",
	// "on 25 June 2024").
	TimeDuring
	// TimeAsOf: the question asks what was true at a date ("as of May
	// 2025", "by the end of 2024"): the newest source on or before it
	// answers.
	TimeAsOf
	// TimeLatest: the question asks for the newest state ("latest", "most
	// recent", "now", "so far").
	TimeLatest
	// TimeChange: the question asks how something changed ("how did X grow
	// between A and B"): dated figures from several sources, oldest first.
	TimeChange
)

// TimeFrame is when a question is about: a kind and, for the kinds that
// take dates, the period from From to To (inclusive days; zero when the
// question names none).
type TimeFrame struct {
	Kind     TimeKind
	From, To time.Time
}

// Period is a span of days a date expression names: "September 2024" is
// 1–30 September 2024, "late April 2024" 20–30 April.
type Period struct {
	From, To time.Time
	// Start and End are the byte offsets of the expression in the text.
	Start, End int
}

var (
	monthNumber = func() map[string]time.Month {
		m := map[string]time.Month{}
		names := [][]string{
			{"january", "jan", "janvier", "janvye", "enero"},
			{"february", "feb", "fevrier", "février", "fevriye", "febrero"},
			{"march", "mar", "mars", "mas", "marzo"},
			{"april", "apr", "avril", "abril"},
			{"may", "mai", "me", "mayo"},
			{"june", "jun", "juin", "jen", "junio"},
			{"july", "jul", "juillet", "jiyè", "jiye", "julio"},
			{"august", "aug", "août", "aout", "out", "agosto"},
			{"september", "sep", "sept", "septembre", "septanm", "septiembre", "setiembre"},
			{"october", "oct", "octobre", "oktòb", "oktob", "octubre"},
			{"november", "nov", "novembre", "novanm", "noviembre"},
			{"december", "dec", "décembre", "decembre", "desanm", "diciembre"},
		}
		for i, ns := range names {
			for _, n := range ns {
				m[n] = time.Month(i + 1)
			}
		}
		return m
	}()
	monthAlternation = func() string {
		var ns []string
		for n := range monthNumber {
			ns = append(ns, regexp.QuoteMeta(n))
		}
		// Longest first, so "sept" wins over "sep".
		for i := range ns {
			for j := i + 1; j < len(ns); j++ {
				if len(ns[j]) > len(ns[i]) {
					ns[i], ns[j] = ns[j], ns[i]
				}
			}
		}
		return strings.Join(ns, "|")
	}()
	// datePattern finds date expressions: an optional part of a period
	// ("early", "mid", "late", "the end of", "the last day of"), an
	// optional day, a month or season, and a year; or a year alone.
	datePattern = regexp.MustCompile(`(?i)\b(?:(early|mid|late|the\s+(?:start|beginning|middle|end)\s+of|the\s+(?:first|last)\s+(?:day|week)\s+of|(?:début|fin|mi)(?:\s+|-)?)[\s-]*)?` +
		`(?:(\d{1,2})(?:st|nd|rd|th|er)?\s+(?:of\s+|de\s+)?)?` +
		`(?:(` + monthAlternation + `|spring|summer|autumn|fall|winter)\.?\s+(?:(\d{1,2})(?:st|nd|rd|th)?,?\s+)?(?:of\s+|de\s+|del\s+)?)?` +
		`((?:19|20)\d\d)\b`)
	asOfPattern    = regexp.MustCompile(`(?i)\b(as\s+of|as\s+at|by|until|up\s+to|à\s+la\s+date\s+d[ue']|au|jusqu'?\s*(?:au|en)|rive\s+nan|hasta|a\s+fecha\s+de)\s*$`)
	latestPattern  = regexp.MustCompile(`(?i)\b(latest|most\s+recent(ly)?|newest|now|currently|current|so\s+far|to\s+date|as\s+of\s+today|today|these\s+days|at\s+present|presently|dernier|dernière|actuellement|aujourd'hui|jusqu'à\s+présent|kounye\s*a|jodi\s*a|actualmente|más\s+recientes?|hasta\s+ahora|hasta\s+la\s+fecha|hoy)\b`)
	changePattern  = regexp.MustCompile(`(?i)\b(chang|grow|grew|grown|develop|evolv|ris|rose|risen|fall|fell|fallen|increas|decreas|expand|shrink|shrank|climb|drop|shift|progress|vari|fluctuat|swell|swoll|declin|trend|evolution|évolu|augment|diminu|chanje|ogmante|diminye|cambi|aument|disminu|creci|evoluci)\w*`)
	changeQuestion = regexp.MustCompile(`(?i)^\W*(how\s+(did|has|have|had|do|does)|in\s+what\s+way|comment|kijan|kòman|koman|c[óo]mo)\b`)
	rangeWords     = regexp.MustCompile(`(?i)\b(between|from|entre|de|desde|ant)\b`)
	untilWords     = regexp.MustCompile(`(?i)\b(until|till|to|by|before|up\s+to|jusqu'?\s*(?:au|en|à)|avant|jiska)\s*$`)
)

// DatePeriods finds the date expressions of s that name a year, in order:
// "late April 2024", "2 October 2025", "mid-2023", "the end of 2024",
// "septanm 2024". Expressions without a year are left out: they cannot be
// placed without a reference date.
func DatePeriods(s string) []Period {
	var out []Period
	for _, m := range datePattern.FindAllStringSubmatchIndex(s, -1) {
		part := strings.ToLower(sub(s, m, 1))
		dayText := sub(s, m, 2)
		month := strings.ToLower(sub(s, m, 3))
		if dayText == "" {
			dayText = sub(s, m, 4)
		}
		year, _ := strconv.Atoi(sub(s, m, 5))
		p, ok := period(part, dayText, month, year)
		if !ok {
			continue
		}
		p.Start, p.End = m[0], m[1]
		out = append(out, p)
	}
	return out
}

func sub(s string, m []int, i int) string {
	if m[2*i] < 0 {
		return ""
	}
	return s[m[2*i]:m[2*i+1]]
}

// period turns the parts of a date expression into the days it names.
func period(part, dayText, month string, year int) (Period, bool) {
	date := func(y int, mo time.Month, d int) time.Time { return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC) }
	var from, to time.Time
	switch mo, isMonth := monthNumber[month]; {
	case isMonth:
		from = date(year, mo, 1)
		to = from.AddDate(0, 1, -1)
		if dayText != "" {
			d, _ := strconv.Atoi(dayText)
			if d < 1 || d > to.Day() {
				return Period{}, false
			}
			from = date(year, mo, d)
			return Period{From: from, To: from}, true
		}
	case month == "spring":
		from, to = date(year, 3, 1), date(year, 5, 31)
	case month == "summer":
		from, to = date(year, 6, 1), date(year, 8, 31)
	case month == "autumn" || month == "fall":
		from, to = date(year, 9, 1), date(year, 11, 30)
	case month == "winter":
		from, to = date(year, 12, 1), date(year+1, 2, 28)
	default:
		from, to = date(year, 1, 1), date(year, 12, 31)
	}
	days := int(to.Sub(from).Hours()/24) + 1
	switch {
	case part == "":
	case strings.HasPrefix(part, "early") || strings.Contains(part, "start") || strings.Contains(part, "beginning") || strings.HasPrefix(part, "début"):
		to = from.AddDate(0, 0, max(days/3, 1)-1)
	case strings.HasPrefix(part, "mid") || strings.Contains(part, "middle") || strings.HasPrefix(part, "mi"):
		from, to = from.AddDate(0, 0, days/3), from.AddDate(0, 0, 2*days/3)
	case strings.HasPrefix(part, "late") || strings.Contains(part, "end") || strings.HasPrefix(part, "fin"):
		from = to.AddDate(0, 0, -max(days/3, 1)+1)
	case strings.Contains(part, "last day"):
		from = to
	case strings.Contains(part, "first day"):
		to = from
	case strings.Contains(part, "last week"):
		from = to.AddDate(0, 0, -6)
	case strings.Contains(part, "first week"):
		to = from.AddDate(0, 0, 6)
	}
	return Period{From: from, To: to}, true
}

// ParseTimeFrame reads the time frame of a question from its structure:
// a change verb in a "how did/has …" question, or two dates joined by
// "between … and" / "from … to", is TimeChange; "as of", "by" or "until"
// before a date is TimeAsOf; "latest", "most recent", "now", "so far" is
// TimeLatest; any other date is TimeDuring. English first; the commonest
// French and Haitian Creole forms are read too.
func ParseTimeFrame(q string) TimeFrame {
	periods := DatePeriods(q)
	lq := strings.ToLower(q)
	isChange := changeQuestion.MatchString(lq) && changePattern.MatchString(lq) ||
		len(periods) >= 2 && rangeWords.MatchString(lq) && changePattern.MatchString(lq)
	switch {
	case isChange:
		f := TimeFrame{Kind: TimeChange}
		switch {
		case len(periods) == 1 && untilWords.MatchString(lq[:periods[0].Start]):
			f.To = periods[0].To
		case len(periods) == 1:
			// "since 2023", "between September 2023 and the state visit":
			// the other end is open.
			f.From = periods[0].From
		case len(periods) > 1:
			f.From, f.To = periods[0].From, periods[len(periods)-1].To
		}
		return f
	case len(periods) > 0:
		p := periods[len(periods)-1]
		if asOfPattern.MatchString(q[:p.Start]) {
			return TimeFrame{Kind: TimeAsOf, From: p.From, To: p.To}
		}
		if latestPattern.MatchString(lq) && !strings.Contains(lq, "as of") {
			return TimeFrame{Kind: TimeLatest}
		}
		return TimeFrame{Kind: TimeDuring, From: periods[0].From, To: p.To}
	case latestPattern.MatchString(lq), successionPattern.MatchString(lq):
		// "What has replaced the mission?": a question about what took
		// something's place asks for the state of things now. (The present
		// perfect alone does not: "How much has the US pledged?" is
		// answered with every dated figure.)
		return TimeFrame{Kind: TimeLatest}
	}
	return TimeFrame{}
}

// successionPattern finds a question about what took something's place:
// the newest holder of the role is the answer.
var successionPattern = regexp.MustCompile(`(?i)\b(replac\w*|successor|succeed\w*|took\s+over|taken\s+over|remplac\w*|ranplase)\b`)

// spanWord opens the clause naming the span of a change: "between … and
// …", "since …", "from … to …" (French, Haitian Creole: "entre", "depuis",
// "depi").
var spanWord = regexp.MustCompile(`(?i)\b(between|since|from|entre|depuis|depi)\b`)

// spanOf returns the clause of a question about a change that names its
// span, from "between" or "since" to the end; "from" opens it only when a
// date follows within a few words ("from May 2024 to…", not "support from
// the United States"). "" when there is none.
func spanOf(q string) string {
	for _, m := range spanWord.FindAllStringIndex(q, -1) {
		clause := q[m[0]:]
		if !strings.EqualFold(q[m[0]:m[1]], "from") {
			return clause
		}
		if ps := DatePeriods(clause); len(ps) > 0 && WordCount(clause[:ps[0].Start]) <= 4 {
			return clause
		}
	}
	return ""
}

// measureWords, before "of", name the measure a question asks about ("the
// number of personnel"), not its topic; measureNouns finds them there.
var (
	measureWords = []string{"number", "amount", "total", "level", "size", "count", "share", "value", "estimate", "figure",
		"tally", "toll", "nombre", "montant", "kantite"}
	measureNouns = regexp.MustCompile(`(?i)\b(` + strings.Join(measureWords, "|") + `)\s+(of|d'|de|des|du)\b`)
)

// IsMeasureNoun reports whether w, a lower-case word, names a measure of
// what follows it ("number" in "the number of personnel", "estimate" in
// "the latest estimate of the cost").
func IsMeasureNoun(w string) bool { return slices.Contains(measureWords, w) }

// FrameWords returns the tokens (as Tokens gives them) of q that place the
// question rather than say what it is about: its date expressions, the
// change verb of a question about a change, the words asking for the
// latest state, and a measure noun before "of" ("the number of").
func FrameWords(q string) map[string]bool {
	out := map[string]bool{}
	add := func(s string) {
		for _, t := range Tokens(s) {
			out[t] = true
		}
	}
	for _, p := range DatePeriods(q) {
		add(q[p.Start:p.End])
	}
	f := ParseTimeFrame(q)
	if f.Kind == TimeChange {
		for _, m := range changePattern.FindAllString(q, -1) {
			add(m)
		}
		// "…between the council's vote in October 2023 and the state visit
		// in May 2024": the events that bound the span place the question,
		// they are not what it asks about.
		add(spanOf(q))
	}
	for _, m := range latestPattern.FindAllString(q, -1) {
		add(m)
	}
	for _, m := range measureNouns.FindAllStringSubmatch(q, -1) {
		add(m[1])
	}
	return out
}

// monthOnly finds English month names; yearAfter tells one written with
// its year ("February 2025", "February 3, 2025"), which is a date
// DatePeriods reads, from one a source writes without ("by late April").
var (
	monthOnly = regexp.MustCompile(`(?i)\b(january|february|march|april|may|june|july|august|september|october|november|december)\b`)
	yearAfter = regexp.MustCompile(`^\s*(\d{1,2}(st|nd|rd|th)?,?\s*)?\d{4}\b`)
)

// MentionsPeriod reports whether s names a date in [from, to] (a zero to
// leaves it open): a dated expression overlapping it, or, for a span of
// two months or less, one of its months written without a year (see
// MentionsMonth; pub is the date of s's source, zero when undated).
func MentionsPeriod(s string, from, to, pub time.Time) bool {
	if from.IsZero() && to.IsZero() {
		return false
	}
	for _, p := range DatePeriods(s) {
		if !p.To.Before(from) && (to.IsZero() || !p.From.After(to)) {
			return true
		}
	}
	return !to.IsZero() && MentionsMonth(s, from, to, pub)
}

// MentionsMonth reports whether s names, without a year, a month of [from,
// to], a span of two months or less. Such a month ("in September") is the
// one nearest pub, the date of s's source; with a zero pub (an undated
// source) any year will do.
func MentionsMonth(s string, from, to, pub time.Time) bool {
	if to.Sub(from) > 62*24*time.Hour {
		return false
	}
	for _, loc := range monthOnly.FindAllStringIndex(s, -1) {
		if yearAfter.MatchString(s[loc[1]:]) {
			continue
		}
		m := monthNumber[strings.ToLower(s[loc[0]:loc[1]])]
		if pub.IsZero() {
			if MonthIn(m, from, to) {
				return true
			}
			continue
		}
		start := nearestMonth(m, pub)
		if !start.After(to) && start.AddDate(0, 1, 0).After(from) {
			return true
		}
	}
	return false
}

// nearestMonth returns the first day of month m in the year that puts it
// nearest pub: "September" in a report of October 2024 is September 2024,
// in a report of January 2025 too.
func nearestMonth(m time.Month, pub time.Time) time.Time {
	best := time.Time{}
	for y := pub.Year() - 1; y <= pub.Year()+1; y++ {
		d := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		if best.IsZero() || d.Sub(pub).Abs() < best.Sub(pub).Abs() {
			best = d
		}
	}
	return best
}

// MonthIn reports whether month m falls in [from, to], a span of at most a
// few months.
func MonthIn(m time.Month, from, to time.Time) bool {
	for d := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !d.After(to); d = d.AddDate(0, 1, 0) {
		if d.Month() == m {
			return true
		}
	}
	return false
}
