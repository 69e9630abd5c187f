package corpus

import (
	"strings"
	"testing"
)

// prose is a paragraph that must survive cleaning.
const prose = "The regional force began patrols in the capital on Tuesday, according to officials who spoke at a press briefing."

func TestCleanTextRemovesBoilerplate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		// gone must not appear in the cleaned text; kept must.
		gone []string
		kept []string
	}{
		{
			name: "site tagline before title",
			in:   "Trusted, Fearless, Local\n\nPolice Force Lands in Capital After Long Delay\n\n" + prose,
			gone: []string{"Trusted, Fearless, Local", "Police Force Lands"},
			kept: []string{prose},
		},
		{
			name: "inline promo with other headline",
			in:   "Force Lands\n\n" + prose + "\n\nContinue Reading: Senate Votes Down Farm Bill in Late Session\n\n" + prose,
			gone: []string{"Senate Votes Down Farm Bill", "Continue Reading"},
		},
		{
			name: "bare promo label then headline then prose",
			in:   "Force Lands Today\n\n" + prose + "\n\nRead Also:\n\nCentral Bank Holds Rates Steady Amid Inflation Fears\n\nOfficials said the second contingent would arrive within two weeks of the first group landing.",
			gone: []string{"Read Also", "Central Bank Holds Rates"},
			kept: []string{"Officials said the second contingent would arrive"},
		},
		{
			name: "bare promo label then prose keeps prose",
			in:   "Force Lands Today\n\n" + prose + "\n\nALSO READ:\n\nThe contingent includes 400 officers drawn from three different units of the police service.",
			gone: []string{"ALSO READ"},
			kept: []string{"The contingent includes 400 officers"},
		},
		{
			name: "byline with date and read time",
			in:   "Force Lands Today In The Capital\n\n12 Apr 2024 | 4 min read | By Amina Otieno\n\n" + prose,
			gone: []string{"4 min read", "Amina Otieno"},
			kept: []string{prose},
		},
		{
			name: "photo credit caption",
			in:   "Force Lands Today\n\nOfficers line up at the airport on arrival. PHOTO / File\n\nTroops board a plane in Nairobi. Image Source: Ministry of Interior\n\n" + prose,
			gone: []string{"Officers line up", "Troops board a plane"},
			kept: []string{prose},
		},
		{
			name: "image file name and its caption",
			in:   "Force Lands Today\n\n240411 img 5521 88k\n\nThe commander salutes the flag.\n\n" + prose,
			gone: []string{"240411", "The commander salutes"},
			kept: []string{prose},
		},
		{
			name: "author bio with about heading",
			in:   "Force Lands Today\n\n" + prose + "\n\nAbout Maria Lopez\n\nMaria Lopez covers security in the Caribbean for the Daily Ledger and hosts a weekly podcast.",
			gone: []string{"About Maria Lopez", "covers security in the Caribbean"},
			kept: []string{prose},
		},
		{
			name: "bio sentence",
			in:   "Force Lands Today\n\n" + prose + "\n\nPeter Kamau is a senior correspondent at the Coastal Times.",
			gone: []string{"senior correspondent"},
		},
		{
			name: "trailing widgets",
			in:   "Force Lands Today\n\n" + prose + "\n\nShare this article\n\nFollow us on Telegram\n\nTopics\n\nSecurity\n\nAfrica\n\nYou May Also Like\n\nElection Results Delayed in Three Counties\n\nStock Market Closes Higher",
			gone: []string{"Share this", "Telegram", "Topics", "Election Results", "Stock Market"},
			kept: []string{prose},
		},
		{
			name: "ads and book promos",
			in:   "Force Lands Today\n\n" + prose + "\n\nOur Products\n\nnew spring catalogue.\n\nRecommended Stories\n\nRecommended",
			gone: []string{"Our Products", "catalogue", "Recommended"},
		},
		{
			name: "avatar and author name and update stamps",
			in:   "author-photo\nJohn Mwangi\nLast Updated\nFresh Update\nForce Lands Today In Capital\n\nForce Lands Today In Capital\n\n" + prose,
			gone: []string{"author-photo", "John Mwangi", "Last Updated", "Fresh Update", "Force Lands Today"},
			kept: []string{prose},
		},
		{
			name: "section labels and bullets",
			in:   "Force Lands Today\n\nAt a Glance:\n\n  ◦ Police arrive in the capital\n  ◦ Funding remains short.\n\nMain Points\n\n" + prose,
			gone: []string{"At a Glance", "Main Points", "◦"},
			kept: []string{"Police arrive in the capital.", "Funding remains short.", prose},
		},
		{
			name: "doubled final period",
			in:   "Force Lands Today\n\nThe minister spoke to the press at length about the plan..\n\n" + prose,
			gone: []string{"plan.."},
			kept: []string{"plan."},
		},
		{
			name: "hard wrapped paragraph is joined",
			in:   "Force Lands Today\n\nThe regional force began patrols in the capital on\nTuesday, according to officials who spoke at a\npress briefing.",
			kept: []string{"capital on Tuesday, according to officials who spoke at a press briefing."},
		},
		{
			name: "why this matters prose kept",
			in:   "Force Lands Today\n\nWhat it means: The mission could reshape how regional forces respond to gang violence across the hemisphere.",
			kept: []string{"What it means: The mission could reshape"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cleanText(tc.in, cleanOptions{DayFirst: true, Masthead: true})
			for _, g := range tc.gone {
				if strings.Contains(c.Text, g) {
					t.Errorf("cleaned text still contains %q:\n%s", g, c.Text)
				}
			}
			for _, k := range tc.kept {
				if !strings.Contains(c.Text, k) {
					t.Errorf("cleaned text lost %q:\n%s", k, c.Text)
				}
			}
		})
	}
}

func TestCleanTextMetadata(t *testing.T) {
	tests := []struct {
		name                string
		in                  string
		title, author, date string
	}{
		{"day comma month year", "Talks Resume In Nairobi\n\n07, Jun 2024 / 3 min read/ By Coast Daily\n\n" + prose, "Talks Resume In Nairobi", "Coast Daily", "2024-06-07"},
		{"empty byline pipe date", "Talks Resume In Nairobi\n\nby | Oct 2, 2023\n\n" + prose, "Talks Resume In Nairobi", "", "2023-10-02"},
		{"month day year", "Talks Resume In Nairobi\n\nMarch 5, 2024\n\n" + prose, "Talks Resume In Nairobi", "", "2024-03-05"},
		{"iso date", "Talks Resume In Nairobi\n\n2024-03-05\n\nBy Jane Wambui\n\n" + prose, "Talks Resume In Nairobi", "Jane Wambui", "2024-03-05"},
		{"published stamp", "Talks Resume In Nairobi\n\nPublished on 5 March 2024\n\n" + prose, "Talks Resume In Nairobi", "", "2024-03-05"},
		{"impossible date ignored", "Talks Resume In Nairobi\n\nFeb 30, 2024\n\n" + prose, "Talks Resume In Nairobi", "", ""},
		{"date in body is not the publication date", "Talks Resume In Nairobi\n\nThe meeting on March 5, 2024 ended without agreement from either side of the talks.", "Talks Resume In Nairobi", "", ""},
		{"no title when prose first", prose + "\n\nSome Heading Here Later", "", "", ""},
		{"author from bio heading", "Talks Resume In Nairobi\n\n" + prose + "\n\nAbout Otieno Brian\n\nOtieno Brian writes about politics.", "Talks Resume In Nairobi", "Otieno Brian", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cleanText(tc.in, cleanOptions{DayFirst: true, Masthead: true})
			if c.Title != tc.title || c.Author != tc.author || c.Published != tc.date {
				t.Fatalf("got title %q author %q date %q, want %q %q %q", c.Title, c.Author, c.Published, tc.title, tc.author, tc.date)
			}
			if !strings.Contains(c.Text, "regional force") && !strings.Contains(c.Text, "meeting") {
				t.Fatalf("content lost:\n%s", c.Text)
			}
		})
	}
}

func TestCleanTextKnownTitleRemovesRepeats(t *testing.T) {
	in := "Kenya’s Force Lands\n\n" + prose + "\n\nKENYA'S FORCE LANDS\n\n" + prose
	c := cleanText(in, cleanOptions{Title: "Kenya's Force Lands", DayFirst: true})
	if strings.Contains(strings.ToLower(c.Text), "force lands") {
		t.Fatalf("title repeat kept:\n%s", c.Text)
	}
	if strings.Count(c.Text, prose) != 2 {
		t.Fatalf("prose lost:\n%s", c.Text)
	}
}
