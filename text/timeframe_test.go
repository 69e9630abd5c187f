package text

import (
	"testing"
	"time"
)

func TestParseTimeFrame(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	var zero time.Time
	tests := []struct {
		question string
		kind     TimeKind
		from, to time.Time
	}{
		{"As of late April 2024, how much had the fund received?", TimeAsOf, day("2024-04-21"), day("2024-04-30")},
		{"As of mid-2023, what was the estimated cost?", TimeAsOf, day("2023-05-02"), day("2023-09-01")},
		{"How many workers were employed by the end of 2024?", TimeAsOf, day("2024-09-01"), day("2024-12-31")},
		{"What is the most recent estimate of the cost?", TimeLatest, zero, zero},
		{"How many officers have died so far?", TimeLatest, zero, zero},
		{"How did the cost change between 2022 and 2025?", TimeChange, day("2022-01-01"), day("2025-12-31")},
		{"How has the budget grown since March 2023?", TimeChange, day("2023-03-01"), zero},
		{"How many troops arrived on 12 September 2024?", TimeDuring, day("2024-09-12"), day("2024-09-12")},
		{"Who died on the last day of August 2025?", TimeDuring, day("2025-08-31"), day("2025-08-31")},
		{"Konbyen travayè ki te la an septanm 2024?", TimeDuring, day("2024-09-01"), day("2024-09-30")},
		// Spanish: "de" joins day, month and year.
		{"¿Cuántos casos hubo en octubre de 2024?", TimeDuring, day("2024-10-01"), day("2024-10-31")},
		{"¿Qué pasó el 3 de marzo de 2025?", TimeDuring, day("2025-03-03"), day("2025-03-03")},
		{"¿Cuál es la cifra más reciente de muertes?", TimeLatest, zero, zero},
		{"¿Cómo cambió el presupuesto entre 2022 y 2025?", TimeChange, day("2022-01-01"), day("2025-12-31")},
		{"By how many votes did the council choose him?", TimeNone, zero, zero},
		{"Who signed the agreement?", TimeNone, zero, zero},
	}
	for _, tc := range tests {
		got := ParseTimeFrame(tc.question)
		if got.Kind != tc.kind || !got.From.Equal(tc.from) || !got.To.Equal(tc.to) {
			t.Errorf("ParseTimeFrame(%q) = %d %s..%s, want %d %s..%s", tc.question, got.Kind,
				got.From.Format(time.DateOnly), got.To.Format(time.DateOnly), tc.kind, tc.from.Format(time.DateOnly), tc.to.Format(time.DateOnly))
		}
	}
}

func TestFrameWordsAreDatesAndChangeVerbs(t *testing.T) {
	f := FrameWords("How did the number of workers grow between early January 2025 and May 2025?")
	for _, w := range []string{"grow", "january", "2025", "number", "early"} {
		if !f[Terms(w)[0]] {
			t.Errorf("%q is not a frame word in %v", w, f)
		}
	}
	if f["worker"] {
		t.Errorf("the topic %q is not a frame word", "worker")
	}
}

// TestNowQuestions: a question about what took something's place asks
// for the state of things now; the present perfect alone does not ("How
// much has the board spent?" is answered with every dated figure).
func TestNowQuestions(t *testing.T) {
	tests := []struct {
		question string
		kind     TimeKind
	}{
		{"What has replaced the harbour board, and how large is its budget?", TimeLatest},
		{"Who succeeded the board chair?", TimeLatest},
		{"Which town took over the crossing?", TimeLatest},
		{"How much money has the board spent on the ferry?", TimeNone},
		{"How many passengers travelled on the first day?", TimeNone},
	}
	for _, tc := range tests {
		if got := ParseTimeFrame(tc.question); got.Kind != tc.kind {
			t.Errorf("ParseTimeFrame(%q) kind %d, want %d", tc.question, got.Kind, tc.kind)
		}
	}
}

// TestChangeSpanIsFrame: the events bounding the span of a change place
// the question; the topic stays.
func TestChangeSpanIsFrame(t *testing.T) {
	f := FrameWords("How did support from the harbour board grow between the council's vote in March 2023 and the Aurora's first crossing in May 2024?")
	for _, w := range []string{"vote", "council", "aurora", "crossing", "grow"} {
		if !f[Terms(w)[0]] {
			t.Errorf("%q is not a frame word in %v", w, f)
		}
	}
	for _, w := range []string{"support", "harbour", "board"} {
		if f[Terms(w)[0]] {
			t.Errorf("the topic %q is a frame word", w)
		}
	}
}

// TestMentionsPeriod: a month written with its year is that date, not a
// yearless mention of the month; a yearless month is the one nearest the
// source's date, or any year's for an undated source.
func TestMentionsPeriod(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	from, to := day("2025-02-01"), day("2025-02-28")
	tests := []struct {
		sentence, pub string
		want          bool
	}{
		{"The order was made in February 2023.", "2025-02-10", false},
		{"The order was made on February 3, 2023.", "2025-02-10", false},
		{"The order was made on 3 February 2025.", "2024-12-01", true},
		{"The order was made in February.", "2025-03-01", true},
		{"The order was made in February.", "2023-03-01", false},
		{"The order was made in February.", "", true},
	}
	for _, tt := range tests {
		var pub time.Time
		if tt.pub != "" {
			pub = day(tt.pub)
		}
		if got := MentionsPeriod(tt.sentence, from, to, pub); got != tt.want {
			t.Errorf("MentionsPeriod(%q, source of %s) = %v, want %v", tt.sentence, tt.pub, got, tt.want)
		}
	}
}
