package retrieval

import (
	"regexp"
	"sort"
	"time"

	"missionbot/text"
)

// weighByTime reorders candidates for a question set in time, by the date
// of each passage's document (corpus.Meta.Published) and the dates the
// passage names: "as of" a date prefers the newest sources on or before
// it; "latest" the newest; a period, sources from it and passages naming
// it; a change, sources from the period it spans.
func (g *generation) weighByTime(cands []candidate, tf text.TimeFrame) {
	var newest, oldest time.Time
	if tf.Kind == text.TimeLatest {
		for _, c := range cands {
			if d, ok := g.chunks[c.idx].Meta.Date(); ok {
				if newest.IsZero() || d.After(newest) {
					newest = d
				}
				if oldest.IsZero() || d.Before(oldest) {
					oldest = d
				}
			}
		}
	}
	for i := range cands {
		ch := g.chunks[cands[i].idx]
		d, dated := ch.Meta.Date()
		w := 1.0
		switch tf.Kind {
		case text.TimeAsOf:
			switch {
			case names(ch, tf.From.AddDate(0, -1, 0), tf.To.AddDate(0, 0, 7)):
				w = 1.2
			case !dated:
				w = 0.85
			case d.After(tf.To.AddDate(0, 0, 7)):
				w = 0.7
			default:
				// The closer to the date the better: a year back loses 25%.
				w = 1.25 - min(0.25, tf.To.Sub(d).Hours()/24/365*0.25)
			}
		case text.TimeLatest:
			if dated && newest.After(oldest) {
				w = 1 + 0.5*d.Sub(oldest).Hours()/newest.Sub(oldest).Hours()
			}
		case text.TimeDuring:
			specific := tf.To.Sub(tf.From) <= 31*24*time.Hour
			in := dated && !d.Before(tf.From.AddDate(0, 0, -7)) && !d.After(tf.To.AddDate(0, 1, 0))
			switch {
			case specific && names(ch, tf.From, tf.To):
				w = 1.4
			case in && specific:
				w = 1.25
			case names(ch, tf.From, tf.To) || in:
				w = 1.1
			case dated && d.Before(tf.From.AddDate(0, 0, -7)):
				// A source from before the period cannot report what
				// happened in it.
				w = 0.6
			case specific && dated:
				w = 0.9
			}
		case text.TimeChange:
			// Sources from the period (reports come out a little after the
			// facts), and passages that state figures.
			from, to := tf.From, tf.To
			in := dated && (from.IsZero() || !d.Before(from.AddDate(0, -1, 0))) && (to.IsZero() || !d.After(to.AddDate(0, 3, 0)))
			switch {
			case in:
				w = 1.25
			case dated:
				w = 0.6
			default:
				w = 0.9
			}
			if statesFigure.MatchString(ch.Text) {
				w *= 1.15
			}
		}
		cands[i].fused *= w
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].fused != cands[j].fused {
			return cands[i].fused > cands[j].fused
		}
		return cands[i].idx < cands[j].idx
	})
}

// statesFigure finds a sum of money or a count in a passage.
var statesFigure = regexp.MustCompile(`(?:\$|€|£)\s?\d|\d[\d,.]*\s?(?:million|billion|%|percent)|\b\d{1,3}(?:,\d{3})+\b|\b\d{2,3}\s+\p{Ll}`)

// names reports whether ch names a date in [from, to], reading a month
// without a year by the chunk's date.
func names(ch Chunk, from, to time.Time) bool {
	d, _ := ch.Meta.Date()
	return text.MentionsPeriod(ch.Text, from, to, d)
}
