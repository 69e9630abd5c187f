package answer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"missionbot/corpus"
	"missionbot/retrieval"
)

// doc is a test document: its ID, headline, date and cleaned text.
func doc(id, title, date, text string) corpus.Document {
	return corpus.Document{Meta: corpus.Meta{DocID: id, Title: title, Published: date}, Text: text}
}

// ferryDocs is an invented corpus about a ferry link, dated, with figures
// that change over time, for the quality regression tests.
func ferryDocs() []corpus.Document {
	return []corpus.Document{
		doc("ferry-approved.txt", "Harbour board approves ferry link", "2023-03-01",
			"The harbour board on Tuesday approved a ferry link between Marlow Bay and Tenby Point.\n\n"+
				"The board pledged $40 million to the project, which it expects to open next year. "+
				"The crossing will take 35 minutes, against two hours by the coast road.\n\n"+
				"Board chair Nadia Okoro said the link would bring the two towns closer."),
		doc("ferry-first-crossing.txt", "Ferry Aurora makes its first crossing", "2024-05-10",
			"The ferry Aurora made its first crossing on Monday, watched by crowds on both quays.\n\n"+
				"About 300 passengers travelled on the first day. The cost of the project has risen to $55 million, "+
				"the harbour board said, after delays at the Tenby Point pier.\n\n"+
				"Captain Ines Varo, who commands the Aurora, said the sea had been calm."),
		doc("ferry-busy.txt", "Ferry now carries 1,200 passengers a day", "2025-02-20",
			"The ferry service between Marlow Bay and Tenby Point now carries about 1,200 passengers a day.\n\n"+
				"The harbour board said the total cost of the project reached $62 million by the end of 2024. "+
				"A deckhand was injured last week when a mooring rope snapped.\n\n"+
				"The board plans a second vessel for the summer timetable."),
		doc("storm.txt", "Storm closes Tenby Point pier", "2025-06-15",
			"A storm closed the Tenby Point pier for two weeks in June, and crossings were suspended.\n\n"+
				"Engineers said the pier's pilings had been damaged by waves and would be repaired before the autumn."),
	}
}

// ferryAnswerer is an extractive answerer over an index of ferryDocs.
func ferryAnswerer(t *testing.T) *Extractive {
	t.Helper()
	return answererOver(t, ferryDocs())
}

// answererOver is an extractive answerer over an index of docs.
func answererOver(t testing.TB, docs []corpus.Document) *Extractive {
	t.Helper()
	ctx := context.Background()
	ix, err := retrieval.OpenIndex(ctx, t.TempDir(), retrieval.NewLocalEmbedder(256), retrieval.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Refresh(ctx, docs, retrieval.RefreshOptions{}); err != nil {
		t.Fatal(err)
	}
	e, err := NewExtractive(ix, ExtractiveOptions{K: 5})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func ask(t *testing.T, e *Extractive, q string) Answer {
	t.Helper()
	a, err := e.Answer(context.Background(), Request{Question: q})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// mustState asks each question and checks the answer states want.
func mustState(t *testing.T, e *Extractive, tests []struct{ question, want string }) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.question, func(t *testing.T) {
			a := ask(t, e, tc.question)
			if a.Refused || !strings.Contains(a.Text, tc.want) {
				t.Errorf("answer %q (refused %v), want it to state %q", a.Text, a.Refused, tc.want)
			}
		})
	}
}

// TestParaphrasesAreAnswered: a question whose words the corpus never uses
// ("sum", "promise" for "pledged $40 million") is answered through the
// lexicon, not refused because its rarest words are missing.
func TestParaphrasesAreAnswered(t *testing.T) {
	e := ferryAnswerer(t)
	tests := []struct{ question, want string }{
		{"What sum did the harbour board promise for the ferry link?", "$40 million"},
		{"How much cash did the board promise the ferry project?", "$40 million"},
		{"Who is the skipper of the Aurora?", "Ines Varo"},
	}
	mustState(t, e, tests)
}

// TestUnaskedFactsAreRefused: questions in the corpus's own words whose
// answer no source states are refused, saying what is missing when it is
// a name or the thing asked for.
func TestUnaskedFactsAreRefused(t *testing.T) {
	e := ferryAnswerer(t)
	tests := []struct {
		question string
		says     string // the refusal must name this; "" for none
	}{
		{"How much money did Japan give to the ferry link?", "Japan"},
		{"How many suspects were arrested after the mooring rope snapped?", ""},
		{"How many passengers were killed on the Aurora?", ""},
		{"How much did a ticket for the crossing cost?", ""},
		{"When did the board appeal the closure of the Tenby Point pier?", ""},
	}
	for _, tc := range tests {
		t.Run(tc.question, func(t *testing.T) {
			a := ask(t, e, tc.question)
			if !a.Refused || !strings.HasPrefix(a.Text, RefusalText) {
				t.Fatalf("answered %q; the sources do not say", a.Text)
			}
			if !strings.Contains(a.Text, tc.says) {
				t.Errorf("refusal %q does not name %q", a.Text, tc.says)
			}
		})
	}
}

// TestPartialAnswer: a compound question whose first part the sources
// answer and whose second they don't gets the first part and a plain
// statement of the second; it is not a refusal.
func TestPartialAnswer(t *testing.T) {
	e := ferryAnswerer(t)
	a := ask(t, e, "How many passengers travelled on the first day, and how many crew members were injured?")
	if a.Refused || !a.Partial {
		t.Fatalf("refused %v, partial %v: %q", a.Refused, a.Partial, a.Text)
	}
	if !strings.Contains(a.Text, "300") || !strings.Contains(a.Text, "The sources don't say") {
		t.Errorf("partial answer %q must state the 300 passengers and what the sources don't say", a.Text)
	}
}

// TestTimeAwareAnswers: "as of" takes the newest source on or before the
// date, "latest" the newest, and a change lists the dated figures oldest
// first, each with its date and citation.
func TestTimeAwareAnswers(t *testing.T) {
	e := ferryAnswerer(t)
	t.Run("as of", func(t *testing.T) {
		a := ask(t, e, "As of mid-2024, how much had the ferry project cost?")
		if !strings.Contains(a.Text, "$55 million") || strings.Contains(a.Text, "$62 million") {
			t.Errorf("as of mid-2024: %q, want $55 million and not the later $62 million", a.Text)
		}
	})
	t.Run("latest", func(t *testing.T) {
		a := ask(t, e, "What is the latest figure for the total cost of the ferry project?")
		if !strings.Contains(a.Text, "$62 million") {
			t.Errorf("latest: %q, want $62 million", a.Text)
		}
	})
	t.Run("change", func(t *testing.T) {
		a := ask(t, e, "How did the cost of the ferry project change between 2023 and 2025?")
		i40, i55, i62 := strings.Index(a.Text, "$40 million"), strings.Index(a.Text, "$55 million"), strings.Index(a.Text, "$62 million")
		if i40 < 0 || i55 < 0 || i62 < 0 || !(i40 < i55 && i55 < i62) {
			t.Fatalf("change: %q, want $40M, $55M and $62M oldest first", a.Text)
		}
		for _, date := range []string{"1 Mar 2023", "10 May 2024", "20 Feb 2025"} {
			if !strings.Contains(a.Text, date) {
				t.Errorf("change: %q lacks the date %s", a.Text, date)
			}
		}
	})
}

// TestTheDayAskedAbout: a question about a day is answered by the sentence
// naming that day, not by an older source that shares more of its words
// (a source cannot report what happened after it was published).
func TestTheDayAskedAbout(t *testing.T) {
	doc := func(id, date, text string) corpus.Document {
		return corpus.Document{Meta: corpus.Meta{DocID: id, Title: id, Published: date}, Text: text}
	}
	e := answererOver(t, []corpus.Document{
		doc("keeper-warning.txt", "2024-03-02", "The lighthouse keeper on Gull Rock has lost his relief boat, and the coastguard warned "+
			"that a keeper on Gull Rock could meet his death in a winter gale.\n\nThe lamp room was repaired in February."),
		doc("keeper-dies.txt", "2025-01-20", "Arne Solberg, 58, died on Friday, 17 January 2025, when a wave swept him from the gallery rail. "+
			"His body was recovered by the coastguard two days later.\n\nSolberg had kept the light for eleven years."),
		doc("harbour.txt", "2024-11-05", "The harbour master said the new pontoon would open in spring.\n\nFishing boats will moor there from April."),
	})
	a := ask(t, e, "How did the Gull Rock keeper lost on 17 January 2025 meet his death?")
	if a.Refused || !strings.Contains(a.Text, "Solberg") || !strings.Contains(a.Text, "wave") {
		t.Errorf("answer %q (refused %v), want the sentence naming 17 January 2025", a.Text, a.Refused)
	}
}

// TestFrenchAndCreoleQuestions: a question in Haitian Creole or French is
// answered from English sources through the glossary's equivalents, with
// the grammar of its question words ("combien a coûté" asks how much,
// "konbyen lajan" for a sum of money, "kiyès" who).
func TestFrenchAndCreoleQuestions(t *testing.T) {
	e := ferryAnswerer(t)
	tests := []struct{ question, want string }{
		{"Konbyen lajan yo te pwomèt pou ferry a?", "$40 million"},
		{"Kiyès ki kòmande Aurora a?", "Ines Varo"},
		{"Combien a coûté le projet du ferry ?", "million"},
	}
	mustState(t, e, tests)
}

// TestWhoIsAnsweredByAName: "Who…" is answered by a sentence naming a
// person the question does not, not by one naming only places ("Marlow
// Bay") and bodies.
func TestWhoIsAnsweredByAName(t *testing.T) {
	e := ferryAnswerer(t)
	a := ask(t, e, "Who chaired the harbour board when it approved the ferry link between Marlow Bay and Tenby Point?")
	if a.Refused || !strings.Contains(a.Text, "Nadia Okoro") {
		t.Errorf("answer %q (refused %v), want the board chair's name", a.Text, a.Refused)
	}
}

// TestTheFactAskedFor: a count must count what was asked, for whom it was
// asked ("40 Norwegian engineers" are not Peru's), however the sentence
// puts it ("the number of people … has risen to 131"); "Who chaired…" and
// "When did they leave…" want a sentence about the chairing and the
// leaving, and "How many people…" is a count. A name the question gives
// may be in the story's headline rather than next to the answer.
func TestTheFactAskedFor(t *testing.T) {
	doc := func(id, date, text string) corpus.Document {
		return corpus.Document{Meta: corpus.Meta{DocID: id, Title: id, Published: date}, Text: text}
	}
	docs := []corpus.Document{
		doc("bridge.txt", "2024-03-02", "About 40 Norwegian engineers will join the bridge project in May. "+
			"Other countries, including Chile and Peru, will support the project.\n\nThe bridge will cost 90 million euros. "+
			"The site crew has an authorised ceiling of 120 workers."),
		doc("summit.txt", "2024-04-10", "The summit, titled Rising Tides, will gather ministers in Lisbon to discuss the bridge.\n\n"+
			"Delegates will visit the building site on the second day."),
		doc("porto.txt", "2024-02-01", "Maria Santos chaired a transport meeting in Porto on the new ferry routes. Ferries leave Porto twice a day."),
		{Meta: corpus.Meta{DocID: "court.txt", Title: "Harbour Court halts pier works", Published: "2024-03-12"},
			Text: "The Harbour Court issued an order on Monday stopping work on the old pier.\n\nThe judge said the case raised urgent questions. Work on the site will stay halted for two weeks. " +
				"The case was filed on Friday by Lena Ostrova, a local fisher, with other petitioners."},
		doc("site.txt", "2024-05-06", "An advance team of six surveyors reached the bridge site on Friday, 3 May 2024.\n\n"+
			"More surveyors will follow in the coming months."),
		doc("fever.txt", "2024-07-29", "The number of people who have fallen ill with the fever has risen to 131, health officials said.\n\n"+
			"Clinics in the valley have opened longer hours."),
	}
	// Other news, so the names above are as rare as in a real corpus.
	for i, topic := range []string{"fares", "market", "library", "harvest", "museum", "regatta", "school", "clinic"} {
		docs = append(docs, doc(topic+".txt", fmt.Sprintf("2024-01-%02d", i+1), "The "+topic+" committee met on Tuesday to plan the spring season."))
	}
	e := answererOver(t, docs)
	tests := []struct {
		question string
		refused  bool
		want     string
	}{
		{"How many engineers will Peru send to the bridge project?", true, ""},
		{"How many engineers will Norway send to the bridge project?", false, "40"},
		{"Who chaired the Rising Tides summit?", true, ""},
		{"How large is the site crew allowed to be?", false, "120"},
		{"Who filed the case that led to the Harbour Court's order on the pier?", false, "Lena Ostrova"},
		{"On what date did the main body of surveyors, after the advance team, reach the bridge site?", true, ""},
		{"On what date did the advance team of surveyors reach the bridge site?", false, "3 May 2024"},
		{"On what date did the advance team of surveyors leave the bridge site?", true, ""},
		{"As of late July 2024, how many people had fallen ill with the fever?", false, "131"},
	}
	for _, tc := range tests {
		t.Run(tc.question, func(t *testing.T) {
			a := ask(t, e, tc.question)
			if a.Refused != tc.refused || !strings.Contains(a.Text, tc.want) {
				t.Errorf("answer %q (refused %v), want refused %v stating %q", a.Text, a.Refused, tc.refused, tc.want)
			}
		})
	}
	if q := parseQuestion("How many people had fallen ill?"); q.wants != wantAmount || q.focus != "peopl" {
		t.Errorf("How many people…: wants %d focus %q, want a count of people", q.wants, q.focus)
	}
}

func TestPeopleIn(t *testing.T) {
	tests := []struct {
		text string
		want string // the first name found, tokens joined; "" for none
	}{
		{"The inquiry, led by retired judge Helen Marsh, found", "helen marsh"},
		{"said Marta Lindqvist, the authority's chief executive.", "marta lindqvist"},
		{"Justice Enock Chacha Mwita found that", "justic enock chacha mwita"},
		{"Prime Minister Ariel Henry signed", "prim minister ariel henry"},
		{"In January, the Kenyan High Court ruled", ""},
		{"Halden General Hospital said 46 people", ""},
		{"Kenyan Defense Minister Aden Bare Duale represented", "kenyan defens minister aden bar dual"},
		{"a bloom spread across Lake Orrin", ""},
		{"the Transitional Presidential Council announced", ""},
		{"Toussaint Louverture International Airport in Port-au-Prince", ""},
	}
	for _, tc := range tests {
		got := ""
		if ps := peopleIn(tc.text); len(ps) > 0 {
			got = strings.Join(ps[0].toks, " ")
		}
		if got != tc.want {
			t.Errorf("peopleIn(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestAnswerListsThePassagesItQuotes: an extractive answer's passages are
// those it quotes, best first, then the rest of the top k; a passage quoted
// from beyond the top k is among them, so no citation points outside the
// list.
func TestAnswerListsThePassagesItQuotes(t *testing.T) {
	res := retrieval.Results{Coverage: 1, Passages: []retrieval.Passage{
		passage(1, "a", "Pledge", "2023-09-22", "The United States pledged $100 million to the Kenya-led mission in Haiti."),
		passage(2, "b", "Needs", "2024-05-23", "President Biden said the mission in Haiti would need more money and more police."),
		passage(3, "c", "Landing", "2024-06-25", "The first 400 Kenyan police officers arrived in Port-au-Prince in June 2024."),
	}}
	a := compose("How many Kenyan police officers arrived in Port-au-Prince in June 2024?", res, 2)
	if a.Refused || !strings.Contains(a.Text, "400") {
		t.Fatalf("answer %q (refused %v), want the 400 officers", a.Text, a.Refused)
	}
	if len(a.Passages) != 2 || a.Passages[0].ID != "c" {
		t.Errorf("passages %v, want the quoted one (c) first, two in all", ids(a.Passages))
	}
	for _, c := range a.Citations {
		if !slices.ContainsFunc(a.Passages, func(p retrieval.Passage) bool { return p.ID == c.ChunkID }) {
			t.Errorf("citation [%d] quotes passage %s, which the answer does not list", c.N, c.ChunkID)
		}
	}
}

func ids(ps []retrieval.Passage) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestResolveRelativeDates(t *testing.T) {
	tests := []struct{ sentence, published, want string }{
		{"The ferry made its first crossing on Monday.", "2024-05-10", "The ferry made its first crossing on Monday [6 May 2024]."},
		{"A deckhand was injured last week.", "2025-02-20", "A deckhand was injured last week [week of 10 February 2025]."},
		{"The minister spoke yesterday, and on Monday, 7 April, she left.", "2025-04-08", "The minister spoke yesterday [7 April 2025], and on Monday, 7 April, she left."},
		{"Saturday's arrival lifted the force.", "2025-01-19", "Saturday's [18 January 2025] arrival lifted the force."},
		{"The board met on Tuesday.", "", "The board met on Tuesday."},
	}
	for _, tc := range tests {
		if got := resolveRelativeDates(tc.sentence, tc.published); got != tc.want {
			t.Errorf("resolveRelativeDates(%q, %s) = %q, want %q", tc.sentence, tc.published, got, tc.want)
		}
	}
}

func TestParseQuestion(t *testing.T) {
	tests := []struct {
		question string
		wants    want
		focus    string
		parts    int
	}{
		{"How many suspects were arrested after the ambush?", wantAmount, "suspect", 1},
		{"What monthly allowance were officers paid?", wantAny, "allowanc", 1},
		{"Which Caribbean countries planned to send officers?", wantPlace, "", 1},
		{"What special status did Biden give Kenya?", wantAny, "", 1},
		{"What is the population of Nairobi?", wantAny, "population", 1},
		{"Which firm won the contract to build the plant?", wantAny, "", 1},
		{"On what date did the main body of the contingent arrive?", wantDate, "body", 1},
		{"Until what date did the court's order bar the deployment?", wantDate, "order", 1},
		{"On what date did Ruto and Henry sign the agreement?", wantDate, "", 1},
		{"Which engineer won the contract to build the plant?", wantPerson, "engineer", 1},
		{"When did the court rule?", wantDate, "", 1},
		{"How many personnel arrived, and who were they?", wantAmount, "personnel", 2},
		{"How did the number of workers grow between 2022 and 2025?", wantAny, "worker", 1},
		// A measure adjective makes the noun a measure, whatever else it
		// can name ("draft" can be a conscript).
		{"As of late June 2024, what was the maximum draft allowed in the locks?", wantAmount, "draft", 1},
		{"What was the average depth of the channel?", wantAmount, "depth", 1},
		{"As of April 2024, what was the canal's daily transit limit?", wantAmount, "limit", 1},
		// What is asked about is the noun after "piece of", "kind of",
		// "the name of"; a relative clause does not hide it.
		{"Which piece of equipment failed and started the fire?", wantAny, "equipment", 1},
		{"What kind of vessel vanished from the canal?", wantAny, "vessel", 1},
		{"What was the name of the volunteer firefighter who died in July?", wantPerson, "firefighter", 1},
		{"As of February 2025, what was the official opening date for the line?", wantDate, "", 1},
	}
	for _, tc := range tests {
		q := parseQuestion(tc.question)
		if q.wants != tc.wants || q.focus != tc.focus || len(q.parts) != tc.parts {
			t.Errorf("parseQuestion(%q): wants %d focus %q parts %d; want %d %q %d", tc.question, q.wants, q.focus, len(q.parts), tc.wants, tc.focus, tc.parts)
		}
	}
}
