package answer

import (
	"regexp"
	"strings"
	"time"
)

// relativeDate finds the relative dates a news sentence uses: a weekday
// ("on Monday", "last Friday"), "yesterday", "today", "last week",
// "last month", "last year". A weekday followed by its date ("Monday, 7
// April") is left alone.
var relativeDate = regexp.MustCompile(`(?i)\b(?:(on|last|this|next|since|by|until|from)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b(?:\s+(morning|afternoon|evening|night))?` +
	`|\b(yesterday|today|tonight)\b|\b(last|this)\s+(week|month|year)\b`)

// dateAfterWeekday is a date written right after a weekday.
var dateAfterWeekday = regexp.MustCompile(`^,?\s*(\d{1,2}(st|nd|rd|th)?\s+\p{L}+|\p{L}+\s+\d{1,2}\b)`)

// resolveRelativeDates appends to each relative date of sentence the date
// it stands for, read against published (the source's date, YYYY-MM-DD):
// "on Monday" in a source of Tuesday 8 April 2025 becomes "on Monday [7 Apr
// 2025]". A weekday is the latest such day on or before the source's date.
// Without a source date the sentence is returned unchanged.
func resolveRelativeDates(sentence, published string) string {
	pub, err := time.Parse(time.DateOnly, published)
	if err != nil {
		return sentence
	}
	var b strings.Builder
	last := 0
	for _, m := range relativeDate.FindAllStringSubmatchIndex(sentence, -1) {
		end := m[1]
		if dateAfterWeekday.MatchString(sentence[end:]) {
			continue
		}
		label := resolve(sentence, m, pub)
		if label == "" {
			continue
		}
		// After a possessive, not inside it: "Saturday's [18 Jan 2025]".
		for _, p := range []string{"'s", "’s"} {
			if strings.HasPrefix(sentence[end:], p) {
				end += len(p)
			}
		}
		b.WriteString(sentence[last:end])
		b.WriteString(" [" + label + "]")
		last = end
	}
	b.WriteString(sentence[last:])
	return b.String()
}

// resolve returns the date one relative-date match stands for.
func resolve(s string, m []int, pub time.Time) string {
	group := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return strings.ToLower(s[m[2*i]:m[2*i+1]])
	}
	// Spelled as news prose spells a date ("13 August 2024"), so the
	// resolved date reads as the sentence's own words would.
	day := func(t time.Time) string { return t.Format("2 January 2006") }
	if wd := group(2); wd != "" {
		target := weekdays[wd]
		back := (int(pub.Weekday()) - int(target) + 7) % 7
		switch group(1) {
		case "last":
			if back == 0 {
				back = 7
			}
		case "next":
			return day(pub.AddDate(0, 0, (int(target)-int(pub.Weekday())+7)%7))
		}
		return day(pub.AddDate(0, 0, -back))
	}
	switch group(4) {
	case "yesterday":
		return day(pub.AddDate(0, 0, -1))
	case "today", "tonight":
		return day(pub)
	}
	switch group(5) + " " + group(6) {
	case "last week":
		return "week of " + day(pub.AddDate(0, 0, -7-int(pub.Weekday()+6)%7))
	case "this week":
		return "week of " + day(pub.AddDate(0, 0, -int(pub.Weekday()+6)%7))
	case "last month":
		return pub.AddDate(0, 0, -pub.Day()).Format("January 2006")
	case "this month":
		return pub.Format("January 2006")
	case "last year":
		return pub.AddDate(-1, 0, 0).Format("2006")
	case "this year":
		return pub.Format("2006")
	}
	return ""
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
}
