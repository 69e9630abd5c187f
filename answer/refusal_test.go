package answer

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"missionbot/corpus"
	"missionbot/retrieval"
	"missionbot/text"
)

func TestModelRefusal(t *testing.T) {
	framework := sourcesOf([]retrieval.Passage{
		passage(1, "f", "Defence framework signed", "2023-09-25", "The framework will guide defence cooperation between the two countries for the next five years."),
		passage(2, "g", "Benin offers troops", "2024-02-01", "Benin said it would send up to 2,000 troops to the mission."),
	})
	cases := []struct {
		name, reply, question string
		refused               bool
		answer                string // when not refused
	}{
		{name: "the line", reply: "NOT_IN_SOURCES", refused: true},
		{name: "the line with emphasis and a stray marker", reply: "**NOT_IN_SOURCES** [1]", refused: true},
		{name: "the line in other words' case", reply: "Not in sources.", refused: true},
		{name: "the line then an explanation in French", reply: "NOT_IN_SOURCES\nLes sources ne le disent pas.", refused: true},
		{name: "the line and an explanation on one line", reply: "NOT_IN_SOURCES: the sources do not mention Japan.", question: "Did Japan pay?", refused: true},
		{name: "partial answer then the line keeps the answer", reply: "Benin said it would send up to 2,000 troops [2].\nNOT_IN_SOURCES",
			question: "How many troops did Benin and Chad pledge?", answer: "Benin said it would send up to 2,000 troops [2]."},
		{name: "paraphrase with a stray marker", reply: "The sources do not say how many troops Benin pledged [1].", question: "How many troops did Benin pledge?", refused: true},
		{name: "nothing in the sources", reply: "Nothing in the sources answers this.", question: "Who won the World Cup?", refused: true},
		{name: "passages give no figure", reply: "the passages give no figure for that", question: "How much did Japan give?", refused: true},
		{name: "French paraphrase", reply: "Les sources ne le disent pas.", question: "Combien le Japon a-t-il donné ?", refused: true},
		{name: "Creole paraphrase", reply: "Sous yo pa di sa.", question: "Konbyen Japon bay?", refused: true},
		{name: "real uncited answer with a gap is kept", reply: "The framework runs for five years; there is no information on renewal.",
			question: "How long will the defence framework guide cooperation?", answer: "The framework runs for five years; there is no information on renewal."},
		{name: "real answer with a figure and a gap is kept", reply: "Benin said it would send 2,000 troops [2]; the sources do not say when.",
			question: "How many troops did Benin pledge?", answer: "Benin said it would send 2,000 troops [2]; the sources do not say when."},
		{name: "plain answer", reply: "Benin pledged up to 2,000 troops [2].", question: "How many troops did Benin pledge?", answer: "Benin pledged up to 2,000 troops [2]."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, refused := modelRefusal(tc.reply, tc.question, framework)
			if refused != tc.refused || (!refused && got != tc.answer) {
				t.Errorf("modelRefusal(%q) = %q, refused %v; want refused %v answer %q", tc.reply, got, refused, tc.refused, tc.answer)
			}
		})
	}
}

func TestModelPassages(t *testing.T) {
	res := pledgeResults()
	for i := range res.Passages {
		res.Passages[i].Coverage, res.Passages[i].Support = 0.1, 0.1
	}
	res.Coverage = 0.1
	if got := modelPassages(res); len(got) != 3 {
		t.Errorf("weakly matching passages: got %d for the model, want all 3 (it judges relevance)", len(got))
	}
	if relevantPassages(res) != nil {
		t.Errorf("the extractive decision should still refuse these")
	}
	res.Coverage = 0
	if got := modelPassages(res); got != nil {
		t.Errorf("nothing matches: got %d passages, want none", len(got))
	}
}

func TestStripReasoning(t *testing.T) {
	cases := []struct{ in, want string }{
		{"<think>plan [1]</think>Kenya sent 400 [1].", "Kenya sent 400 [1]."},
		{"<think></think>\n\nKenya sent 400 [1].", "\n\nKenya sent 400 [1]."},
		{"opened in the prompt</think>Answer.", "Answer."},
		{"Answer.<think>never closed", "Answer."},
		{"plain", "plain"},
	}
	for _, tc := range cases {
		if got := stripReasoning(tc.in); got != tc.want {
			t.Errorf("stripReasoning(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestVisibleStream(t *testing.T) {
	cases := []struct {
		name   string
		deltas []string
		want   string
	}{
		{"think block split across deltas", []string{"<th", "ink>The user asks [1]", " about", "</thi", "nk>Kenya sent", " 400 officers [1]."}, "Kenya sent 400 officers [1]."},
		{"no reasoning", []string{"Kenya ", "sent 400."}, "Kenya sent 400."},
		{"refusal line held back", []string{"NOT_", "IN_SOU", "RCES"}, ""},
		{"a start like the refusal line is released", []string{"No", "t all ", "officers came."}, "Not all officers came."},
		{"unclosed think shows nothing", []string{"<think>still thinking"}, ""},
		{"less-than sign that is no tag", []string{"Fewer than 5 <", " 6 units."}, "Fewer than 5 < 6 units."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got strings.Builder
			v := newVisibleStream(func(s string) { got.WriteString(s) })
			for _, d := range tc.deltas {
				v.write(d)
			}
			v.close()
			if got.String() != tc.want {
				t.Errorf("visible %q, want %q", got.String(), tc.want)
			}
		})
	}
}

// TestSurfaceNamesTheThing checks that a refusal names what the question
// asked about as the question wrote it, without the possessive ending or
// quotes around it: "The sources don't mention Libertarian Institute" for
// "the Libertarian Institute's news desk".
func TestSurfaceNamesTheThing(t *testing.T) {
	tests := []struct {
		question string
		want     string
	}{
		{"Who chairs the Libertarian Institute's news desk?", "Libertarian Institute"},
		{"Who runs the Zorbian Institute’s office?", "Zorbian Institute"},
		{"What did “Quillon” say?", "Quillon"},
		{"Where is Japan?", "Japan"},
	}
	for _, tt := range tests {
		words := strings.Fields(tt.want)
		var toks []string
		for _, w := range words {
			toks = append(toks, text.Tokens(w)...)
		}
		if got := surface(tt.question, toks); got != tt.want {
			t.Errorf("surface(%q) = %q, want %q", tt.question, got, tt.want)
		}
	}
}

// TestNameMentionedOftenMustBeInThePassage: in a corpus about a region, a
// country the corpus names in a few documents is what a question about it
// asks; a sentence about a neighbour's start date does not answer when
// that country began. Words qualifying the category asked for ("Which
// coastal countries…") are not required.
func TestNameMentionedOftenMustBeInThePassage(t *testing.T) {
	e := answererOver(t, []corpus.Document{
		doc("a.txt", "Measles drive, a.txt", "2024-03-01", "Tarvia began vaccinating children against measles on 4 March 2024, the health ministry said."),
		doc("b.txt", "Measles drive, b.txt", "2024-04-01", "Velmora began vaccinating children against measles on 9 April 2024 in its northern districts."),
		doc("c.txt", "Measles drive, c.txt", "2024-05-01", "Cases have been reported in Orlenia and Tarvia, where clinics are short of staff."),
		doc("d.txt", "Measles drive, d.txt", "2024-06-01", "Health workers in Orlenia asked for more fridges to store vaccine doses."),
		doc("e.txt", "Measles drive, e.txt", "2024-06-10", "The regional agency said 120,000 doses had been delivered so far."),
		doc("f.txt", "Measles drive, f.txt", "2024-06-20", "Donors pledged $12 million for the regional vaccination campaign."),
		doc("g.txt", "Measles drive, g.txt", "2024-07-01", "The coastal states of Tarvia and Velmora have shared cold-chain trucks."),
		doc("h.txt", "Measles drive, h.txt", "2024-07-10", "Schools reopened after the rainy season in most of the region."),
		doc("i.txt", "Measles drive, i.txt", "2024-07-20", "A new clinic opened in the capital of Velmora with forty beds."),
		doc("j.txt", "Measles drive, j.txt", "2024-08-01", "Measles cases fell by a third after the first round of vaccination."),
	})
	if a := ask(t, e, "On what date did Orlenia begin vaccinating children against measles?"); !a.Refused {
		t.Errorf("Orlenia's start date, which no source gives: answered %q", a.Text)
	}
	if a := ask(t, e, "On what date did Velmora begin vaccinating children against measles?"); a.Refused || !strings.Contains(a.Text, "9 April 2024") {
		t.Errorf("Velmora's start date: %q, want 9 April 2024", a.Text)
	}
	if a := ask(t, e, "Which coastal countries shared trucks?"); a.Refused || !strings.Contains(a.Text, "Velmora") {
		t.Errorf("which coastal countries: %q, want Tarvia and Velmora", a.Text)
	}
}

// TestOneWordStandsForOneTerm: "paid" relates to both "salary" and
// "earn", but one word of a sentence cannot be both the salary and the
// earning asked about: a sentence about fares paid holds one of them.
func TestOneWordStandsForOneTerm(t *testing.T) {
	e := answererOver(t, append(ferryDocs(),
		corpus.Document{Meta: corpus.Meta{DocID: "fares.txt", Title: "Fares fall", Published: "2025-03-01"},
			Text: "With more sailings on the timetable, the fares paid by foot passengers have come down sharply."}))
	q := "What salary does the harbour master earn?"
	res, err := e.searcher.Search(context.Background(), q, 5)
	if err != nil {
		t.Fatal(err)
	}
	salary, earn := termIndex(res.Terms, "salary"), termIndex(res.Terms, "earn")
	if salary < 0 || earn < 0 || len(res.Terms[salary].Related) == 0 || len(res.Terms[earn].Related) == 0 {
		t.Fatalf("terms %+v: want salary and earn, each matched through related words", res.Terms)
	}
	found := false
	for _, s := range candidates(parseQuestion(q), res.Terms, res.Passages) {
		if !strings.Contains(s.text, "fares paid") || strings.Contains(s.text, "timetable in") {
			continue
		}
		found = true
		if s.held[salary] > 0 && s.held[earn] > 0 {
			t.Errorf("%q holds salary (%.2f) and earn (%.2f) through the one word paid", s.text, s.held[salary], s.held[earn])
		}
		if s.held[salary] == 0 && s.held[earn] == 0 {
			t.Errorf("%q holds neither salary nor earn", s.text)
		}
	}
	if !found {
		t.Fatalf("no candidate sentence about fares paid among %d passages", len(res.Passages))
	}
}

// TestFigureBelongsToTheNameAsked: a figure in the sentence next to the
// one naming who the question asks about is someone else's figure.
func TestFigureBelongsToTheNameAsked(t *testing.T) {
	docs := ferryDocs()
	for i, body := range []string{
		"Gulls nest on the harbour wall every spring.",
		"The town's summer festival drew large crowds to the quay.",
		"A new café opened beside the ticket office.",
		"Fishermen landed a record catch of herring in March.",
		"The lifeboat crew trained with a helicopter off Tenby Point.",
	} {
		docs = append(docs, corpus.Document{Meta: corpus.Meta{DocID: fmt.Sprintf("town-%d.txt", i), Title: "Town news"}, Text: body})
	}
	e := answererOver(t, append(docs,
		corpus.Document{Meta: corpus.Meta{DocID: "donors.txt", Title: "Donors back the new pier", Published: "2025-04-02"},
			Text: "The regional development fund has pledged $2 million for the new pier at Marlow Bay, and the fishing cooperative has promised $300,000. " +
				"Velmora and several other towns have also promised money for the pier but have not said how much.\n\n" +
				"Work on the pier is due to start in the autumn."}))
	if a := ask(t, e, "How much did Velmora pledge for the new pier?"); !a.Refused {
		t.Errorf("Velmora's pledge, which no source gives: answered %q", a.Text)
	}
	if a := ask(t, e, "How much has the fishing cooperative promised for the new pier?"); a.Refused || !strings.Contains(a.Text, "$300,000") {
		t.Errorf("the cooperative's pledge: %q, want $300,000", a.Text)
	}
}

// TestMentionsUpTo: a month written with its year is that date; one
// written without is the month nearest its source's date.
func TestMentionsUpTo(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	from, to := day("2023-02-01"), day("2023-02-28") // "as of February 2023"
	tests := []struct {
		sentence, pub string
		want          bool
	}{
		{"The line is due to open in February.", "2023-01-20", true},
		{"The line opened on 3 February 2025.", "2025-02-04", false},
		{"The line opened on February 3, 2025.", "2025-02-04", false},
		{"Work was backdated to 1 January.", "2023-02-18", false},
		{"In February the council approved the budget.", "2024-11-15", false},
		{"In February the council approved the budget.", "", true},
	}
	for _, tt := range tests {
		var pub time.Time
		if tt.pub != "" {
			pub = day(tt.pub)
		}
		if got := mentionsUpTo(tt.sentence, from, to, pub); got != tt.want {
			t.Errorf("mentionsUpTo(%q, source of %s) = %v, want %v", tt.sentence, tt.pub, got, tt.want)
		}
	}
}

// metroDocs is an invented corpus about a metro line, large enough that a
// contractor named in two documents is neither rare nor the corpus's
// subject.
func metroDocs() []corpus.Document {
	return []corpus.Document{
		doc("m1.txt", "Metro news m1.txt", "2022-03-15", "The city signed the civil works contract for Line 1. The contract is worth $3.6 billion."),
		doc("m2.txt", "Metro news m2.txt", "2023-05-01", "Trains for Line 1 will be built by Tamsin Rolling Stock, the metro company said."),
		doc("m3.txt", "Metro news m3.txt", "2024-02-01", "A test train from Tamsin Rolling Stock arrived at the depot in February."),
		doc("m4.txt", "Metro news m4.txt", "2024-06-01", "Tunnelling for Line 1 reached the halfway mark, the metro company said."),
		doc("m5.txt", "Metro news m5.txt", "2024-09-01", "A worker, Andrés Pardo, died after a fall at the Santa Rita shaft. He had worked on the line for 14 months."),
		doc("m6.txt", "Metro news m6.txt", "2024-10-01", "The union called a strike after the death at the shaft."),
		doc("m7.txt", "Metro news m7.txt", "2024-11-01", "Bram Signalling will pay penalties for the delayed signals, which cost the city $12 million in lost fares."),
		doc("m8.txt", "Metro news m8.txt", "2025-01-10", "The metro company ordered 500,000 smart cards from Ossel for the opening of Line 1."),
		doc("m9.txt", "Metro news m9.txt", "2025-03-01", "Line 1 will open in September, the mayor said."),
		doc("m10.txt", "Metro news m10.txt", "2025-09-30", "Line 1 opened on Tuesday and carried 120,000 passengers on its first day."),
		doc("m11.txt", "Metro news m11.txt", "2025-10-15", "Station cleaners complained about late wages."),
		doc("m12.txt", "Metro news m12.txt", "2025-11-01", "The mayor said a second line would be studied next year."),
	}
}

// TestNamesOfTheQuestionHoldTheAnswer: a contractor's coined name, which
// the corpus mentions in a few documents, must be in the passage that
// answers about it; a rare name in the sentence anchors it, so the
// others are context; "how much compensation" asks for a sum of money,
// which a duration is not.
func TestNamesOfTheQuestionHoldTheAnswer(t *testing.T) {
	e := answererOver(t, metroDocs())
	tests := []struct {
		question string
		want     string // "" for a refusal
	}{
		{"How much is the Tamsin Rolling Stock contract for the Line 1 trains worth?", ""},
		{"How much compensation did the family of Andrés Pardo receive?", ""},
		{"How many smart cards did the metro company order from Ossel for Line 1?", "500,000"},
		{"How much is the civil works contract for Line 1 worth?", "$3.6 billion"},
	}
	for _, tt := range tests {
		a := ask(t, e, tt.question)
		switch {
		case tt.want == "" && !a.Refused:
			t.Errorf("%q, which no source answers: answered %q", tt.question, a.Text)
		case tt.want != "" && (a.Refused || !strings.Contains(a.Text, tt.want)):
			t.Errorf("%q: %q, want %s", tt.question, a.Text, tt.want)
		}
	}
}

// TestWhoIsAnsweredByAPerson: for "who…", a sentence naming a person beats
// a newer one naming only a body.
func TestWhoIsAnsweredByAPerson(t *testing.T) {
	e := answererOver(t, append(ferryDocs(),
		corpus.Document{Meta: corpus.Meta{DocID: "figures.txt", Title: "Ferry figures", Published: "2025-09-01"},
			Text: "The Harbour Board chair's office released new passenger figures for the Marlow Bay ferry on Monday."}))
	a := ask(t, e, "Who currently chairs the Harbour Board?")
	if a.Refused || !strings.Contains(a.Text, "Nadia Okoro") {
		t.Errorf("who chairs the board: %q, want Nadia Okoro", a.Text)
	}
}

// TestMeasureNounAsksForAFigure: "the daily ferry trip limit" is a number of
// daily ferry trips; the sentence stating it need not say "limit".
func TestMeasureNounAsksForAFigure(t *testing.T) {
	docs := ferryDocs()
	docs = []corpus.Document{docs[0], docs[3]} // approval and storm: no other daily figure
	e := answererOver(t, append(docs,
		corpus.Document{Meta: corpus.Meta{DocID: "limit.txt", Title: "More crossings", Published: "2025-07-01"},
			Text: "The harbour board will raise the number of daily ferry trips to 14 from next week, up from 10, as the summer timetable begins."}))
	a := ask(t, e, "What is the daily ferry trip limit?")
	if a.Refused || !strings.Contains(a.Text, "14") {
		t.Errorf("daily trip limit: %q, want 14", a.Text)
	}
}

// TestNamesNumber: a small number after a capitalised word mid-sentence
// is part of a name, not a count.
func TestNamesNumber(t *testing.T) {
	tests := []struct {
		before, number string
		want           bool
	}{
		{"Line", "1", true},
		{"Gate", "3", true},
		{"Monday", "300", false},
		{"September", "12", false},
		{"about", "2,300", false},
		{"Line", "2,300", false},
		{"Kenya,", "400", false},
	}
	for _, tt := range tests {
		if got := namesNumber(tt.before, tt.number); got != tt.want {
			t.Errorf("namesNumber(%q, %q) = %v, want %v", tt.before, tt.number, got, tt.want)
		}
	}
}

// TestAbsentEventRefuses: a question about an event no source tells of, in
// a noun made from a verb ("derailment"), is refused, though its other
// words (passengers, Line 1) are everywhere.
func TestAbsentEventRefuses(t *testing.T) {
	e := answererOver(t, append(metroDocs(),
		doc("m13.txt", "Crane accident", "2025-10-20", "Two workers were injured when a crane tipped over at the Line 1 depot.")))
	if a := ask(t, e, "How many passengers were injured in the Line 1 derailment?"); !a.Refused {
		t.Errorf("a derailment no source reports: answered %q", a.Text)
	}
	if a := ask(t, e, "How many passengers did Line 1 carry on its first day?"); a.Refused || !strings.Contains(a.Text, "120,000") {
		t.Errorf("first-day passengers: %q, want 120,000", a.Text)
	}
}

// TestAsOfPrefersReportsOfTheTime: a report from months later that names
// the period looking back gives its own day's total, not the figure as of
// the date asked about.
func TestAsOfPrefersReportsOfTheTime(t *testing.T) {
	e := answererOver(t, []corpus.Document{
		doc("aug.txt", "Fires spread in the north", "2024-08-09",
			"The fires in the northern hills had burned 118,500 hectares by Thursday, the forestry agency said.\n\nCrews from three regions were sent to help."),
		doc("oct.txt", "Fire season ends", "2024-10-31",
			"Between 14 July and 19 August the fires burned 176,000 hectares in the northern hills, the agency said in its end-of-season report.\n\nRain in September put out the last fires."),
		doc("jun.txt", "Dry spring raises fire risk", "2024-06-02",
			"Forecasters warned of a high fire risk in the northern hills after the driest spring in 30 years."),
	})
	a := ask(t, e, "As of early August 2024, how many hectares had burned in the northern hills?")
	if a.Refused || !strings.Contains(a.Text, "118,500") || strings.Contains(a.Text, "176,000") {
		t.Errorf("as of early August: %q, want 118,500 only", a.Text)
	}
}

// TestWhoIsNamedBesideWhatWasAsked: in two sentences read together, the
// one naming someone must be about what was asked; a search for a
// successor followed by another official's words does not say who
// succeeded.
func TestWhoIsNamedBesideWhatWasAsked(t *testing.T) {
	e := answererOver(t, append(ferryDocs(),
		doc("resign.txt", "Ferry chief resigns", "2025-05-02",
			"Harbour board chief executive Tomas Reiner resigned on Friday after the pier inquiry. The board said a search for his successor was under way. "+
				"Deputy mayor Ilse Varga said the town would cooperate with the inquiry.\n\nThe ferry kept sailing during the week.")))
	if a := ask(t, e, "Who was appointed to succeed Tomas Reiner as chief executive?"); !a.Refused {
		t.Errorf("a successor no source names: answered %q", a.Text)
	}
	if a := ask(t, e, "Who commands the ferry Aurora?"); a.Refused || !strings.Contains(a.Text, "Ines Varo") {
		t.Errorf("who commands the Aurora: %q, want Ines Varo", a.Text)
	}
}
