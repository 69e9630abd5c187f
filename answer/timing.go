package answer

import (
	"slices"
	"sort"
	"time"

	"missionbot/retrieval"
	"missionbot/text"
)

// timeContext is a question's time frame with what the sources say about
// time: the newest source date among the relevant passages.
type timeContext struct {
	text.TimeFrame
	newest time.Time
}

// partScore is a sentence's score for one part of a question: its coverage
// of the question, a bonus when it states the kind of fact the part asks
// for, and, for a question set in time, a preference for sources of that
// time.
func partScore(s sentence, p part, tf timeContext) float64 {
	score := s.score
	if s.states[p.wants] {
		score += typeBonus(p.wants)
	}
	if namesDay(s.text, tf.TimeFrame) {
		score += dayBonus
	}
	return score * timeWeight(s, tf)
}

// dayBonus is added to the score of a sentence naming the very day (or
// week) a question asks about: "died on 31 August 2025" answers "the last
// day of August 2025" however the rest is worded.
const dayBonus = 0.25

// namesDay reports whether s names, with its day, a date in the period of
// a question about a day or a week.
func namesDay(s string, tf text.TimeFrame) bool {
	if tf.Kind != text.TimeDuring || tf.To.Sub(tf.From) > 7*24*time.Hour {
		return false
	}
	for _, p := range text.DatePeriods(s) {
		if p.From.Equal(p.To) && !p.From.Before(tf.From) && !p.From.After(tf.To) {
			return true
		}
	}
	return false
}

// timeWeight prefers, for "as of" a date, the newest sources on or before
// it (or sentences naming its period); for "latest", the newest sources;
// for a period, sources from it and sentences naming it.
func timeWeight(s sentence, tf timeContext) float64 {
	date, dated := s.passage.Meta.Date()
	switch tf.Kind {
	case text.TimeAsOf:
		names := mentionsUpTo(s.text, tf.From, tf.To, pubDate(s))
		switch {
		case names && !retrospective(s, tf):
			return 1.1
		case names:
			// A report from long after, looking back: its sentence may
			// name the time, but its figures are often of its own day.
			return 0.8
		case !dated:
			return 0.75
		case date.After(tf.To.AddDate(0, 0, 7)):
			return 0.5
		default:
			// The closer to the date, the better: a month back loses 4%.
			return 1 - min(0.4, tf.To.Sub(date).Hours()/24/30*0.04)
		}
	case text.TimeLatest:
		if !dated || tf.newest.IsZero() {
			return 0.75
		}
		// The newest source is best: a month older loses 3%.
		return 1 - min(0.4, tf.newest.Sub(date).Hours()/24/30*0.03)
	case text.TimeDuring:
		// A period of a month or less is specific: a sentence naming it,
		// or a source from it, is about what was asked.
		specific := tf.To.Sub(tf.From) <= 31*24*time.Hour
		names := mentionsPeriod(s, tf.From, tf.To)
		switch {
		case names && specific:
			return 1.3
		case names:
			return 1.1
		case dated && !date.Before(tf.From.AddDate(0, 0, -7)) && !date.After(tf.To.AddDate(0, 1, 0)):
			return 1.15
		case dated && date.Before(tf.From.AddDate(0, 0, -7)):
			// A source from before the period cannot report what happened
			// in it.
			return 0.6
		case dated && specific:
			return 0.85
		}
	}
	return 1
}

// timeBand is the share of the best score within which, for "as of" and
// "latest" questions, the source's date decides rather than the wording.
const timeBand = 0.75

// preferTime reorders ok (sorted by score) for a question about a time:
// "as of" a date, sentences from sources on or before it (or naming its
// period) come first; "latest", among the sentences scoring within timeBand
// of the best, the newest source's comes first.
func preferTime(ok []sentence, tf timeContext) []sentence {
	switch tf.Kind {
	case text.TimeAsOf:
		var before, after []sentence
		for _, s := range ok {
			d, dated := s.passage.Meta.Date()
			if mentionsUpTo(s.text, tf.From, tf.To, pubDate(s)) && !retrospective(s, tf) || dated && !d.After(tf.To.AddDate(0, 0, 7)) {
				before = append(before, s)
			} else {
				after = append(after, s)
			}
		}
		return append(before, after...)
	case text.TimeLatest:
		band := 0
		for band < len(ok) && ok[band].score >= timeBand*ok[0].score {
			band++
		}
		top := slices.Clone(ok[:band])
		sort.SliceStable(top, func(i, j int) bool { return dateKeyNewest(top[i]) > dateKeyNewest(top[j]) })
		return append(top, ok[band:]...)
	}
	return ok
}

// dateKeyNewest sorts undated sources last when newest come first.
func dateKeyNewest(s sentence) string { return s.passage.Meta.Published }

// timelineFloor is the score a sentence needs to give one figure of a
// change: lower than sentenceFloor, since each states only part of it.
const timelineFloor = 0.3

// timeline picks, for a question about a change, the best sentence per
// document stating a figure of the kind asked for (one counting the
// question's focus, "320 workers"; a sum, when it asks about money), from
// sources in the period asked about (with slack: reports come out after
// the facts, and a source may name an earlier date), oldest first. It
// returns nil when fewer than two documents give such figures.
func timeline(cands []sentence, terms []retrieval.QueryTerm, p part, focus int, tf timeContext) []sentence {
	var out []sentence
	docs := map[string]bool{}
	figs := map[string]bool{}
	for _, s := range cands { // best first
		if len(s.figures) == 0 || docs[s.passage.Meta.DocID] || s.score < timelineFloor || !holdsNames(s, terms, nil) {
			continue
		}
		if p.money && !s.money || focus >= 0 && !quantifies(s, terms, []int{focus}) {
			continue
		}
		if d, dated := s.passage.Meta.Date(); dated && !mentionsPeriod(s, tf.From, tf.To) {
			if !tf.From.IsZero() && d.Before(tf.From.AddDate(0, -1, 0)) || !tf.To.IsZero() && d.After(tf.To.AddDate(0, 3, 0)) {
				continue
			}
		}
		fresh := false
		for _, f := range s.figures {
			if !figs[f] {
				fresh = true
			}
		}
		if !fresh {
			continue
		}
		for _, f := range s.figures {
			figs[f] = true
		}
		docs[s.passage.Meta.DocID] = true
		out = append(out, s)
		if len(out) == maxTimeline {
			break
		}
	}
	if len(out) < 2 {
		return nil
	}
	sort.SliceStable(out, func(i, j int) bool { return dateKey(out[i]) < dateKey(out[j]) })
	return out
}

// mentionsPeriod reports whether s names a date in [from, to].
func mentionsPeriod(s sentence, from, to time.Time) bool {
	return text.MentionsPeriod(s.text, from, to, pubDate(s))
}

// mentionsUpTo reports whether s names a time up to the end of [from, to]
// and not long before it: what was true "as of" the period ("by late
// April", "in September"), not what came later. A month written without a
// year is the one nearest pub, its source's date (see text.MentionsMonth).
func mentionsUpTo(s string, from, to, pub time.Time) bool {
	for _, p := range text.DatePeriods(s) {
		if !p.To.After(to.AddDate(0, 0, 7)) && !p.To.Before(from.AddDate(0, -1, 0)) {
			return true
		}
	}
	return text.MentionsMonth(s, from, to, pub)
}

// retrospective reports whether s's source was published more than two
// months after the "as of" period it names: an end-of-season report
// saying "between 14 July and 19 August" gives the season's total, not
// the figure of early August.
func retrospective(s sentence, tf timeContext) bool {
	d, dated := s.passage.Meta.Date()
	return dated && d.After(tf.To.AddDate(0, 2, 0))
}

// pubDate is the date of s's source, or zero when it is undated.
func pubDate(s sentence) time.Time {
	d, _ := s.passage.Meta.Date()
	return d
}
