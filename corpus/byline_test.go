package corpus

import "testing"

func TestMetaLine(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want lineMeta
	}{
		{"05, Mar 2024 / 2 min read/ By Livenow Africa", true, lineMeta{Published: "2024-03-05", Author: "Livenow Africa", explicit: true}},
		{"by | Sep 26, 2023", true, lineMeta{Published: "2023-09-26"}},
		{"2025-01-19 | World | Mwende Kiilu", true, lineMeta{Published: "2025-01-19", Author: "Mwende Kiilu"}},
		{"13/05/2025 · Jane Roe-Smith · 4 min read", true, lineMeta{Published: "2025-05-13", Author: "Jane Roe-Smith"}},
		{"Updated On 19 October 2024, 08:40 AM", true, lineMeta{Updated: "2024-10-19"}},
		{"Published on 10 Oct 2023 / 3 min read / By Jane Roe", true, lineMeta{Published: "2023-10-10", Author: "Jane Roe", explicit: true}},
		{"Date: 11 October 2024", true, lineMeta{Published: "2024-10-11"}},
		{"Published: 7 February 2025", true, lineMeta{Published: "2025-02-07"}},
		{"By: Achieng' Odhiambo", true, lineMeta{Author: "Achieng' Odhiambo", explicit: true}},
		{"By Jean-Robert Désir, Security Correspondent", true, lineMeta{Author: "Jean-Robert Désir", explicit: true}},
		{"By Marisol Étienne in Port-au-Prince", true, lineMeta{Author: "Marisol Étienne", explicit: true}},
		{"Par Nadège Saint-Fleur · 1er octobre 2024", true, lineMeta{Published: "2024-10-01", Author: "Nadège Saint-Fleur", explicit: true}},
		{"Publié le 8 octobre 2025", true, lineMeta{Published: "2025-10-08"}},
		{"By Desmond Achille in Kingston · March 12, 2024 · Updated 9:30 pm", true, lineMeta{Published: "2024-03-12", Author: "Desmond Achille", explicit: true}},
		{"Updated On", true, lineMeta{}},
		// Not bylines.
		{"Analysis | Americas", false, lineMeta{}},
		{"The council voted on 5 March 2024 to renew the mission for a year.", false, lineMeta{}},
		{"By the numbers. Kenya's first officers deployed in June 2024.", false, lineMeta{}},
		{"Kenya | Haiti | 2024", false, lineMeta{}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := metaLine(tc.in, true)
			if ok != tc.ok || got != tc.want {
				t.Fatalf("metaLine(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestDatelineDate(t *testing.T) {
	for in, want := range map[string]string{
		"PORT-AU-PRINCE, Tuesday 25 June 2024 — The first officers arrived.":       "2024-06-25",
		"NAIROBI, Kenya, March 5, 2024 (Reuters) - A rail link opened on Tuesday.": "2024-03-05",
		"UNITED NATIONS, 2 October 2023 – The council voted.":                      "2023-10-02",
		"PORT-AU-PRINCE, Haiti, June 25 (Wire) — Schools will stay closed.":        "", // no year
		"PORT-AU-PRINCE (Meridian) — About 200 more officers arrived.":             "",
		"On 5 March 2024, the council voted — unanimously — to renew the mission.": "",
		"In Nairobi, 5 March 2024 — talks began.":                                  "",
	} {
		got, _, _ := datelineDate(in, true)
		if got != want {
			t.Errorf("datelineDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMastheadName(t *testing.T) {
	for in, want := range map[string]string{
		"THE KILIMANI LEDGER": "THE KILIMANI LEDGER",
		"COASTLINE HERALD — Mombasa & the Coast, since 1998":   "COASTLINE HERALD",
		"East Africa Standard Review | Facts first, every day": "East Africa Standard Review",
		"Capital Policy Brief · Americas desk":                 "Capital Policy Brief",
		"Out Islands Courier":                                  "Out Islands Courier",
		"Informing, Inspiring, Impacting":                      "",
		"News from Nassau to the Family Islands":               "",
		"Bahamian soldiers join Haiti security mission":        "",
		"Analysis | Americas":                                  "",
	} {
		got, _ := mastheadName(in)
		if got != want {
			t.Errorf("mastheadName(%q) = %q, want %q", in, got, want)
		}
	}
}
