package corpus

import "testing"

func TestParseDate(t *testing.T) {
	tests := []struct {
		in       string
		dayFirst bool
		want     string
	}{
		{"05, Mar 2024", true, "2024-03-05"},
		{"22, Sep 2024", true, "2024-09-22"},
		{"Sep 26, 2023", true, "2023-09-26"},
		{"September 26, 2023", true, "2023-09-26"},
		{"March 5, 2024", true, "2024-03-05"},
		{"5 March 2024", true, "2024-03-05"},
		{"5th March 2024", true, "2024-03-05"},
		{"2024-03-05", true, "2024-03-05"},
		{"2025/01/19", true, "2025-01-19"},
		{"Tuesday, March 5, 2024 10:30 AM", true, "2024-03-05"},
		{"Friday, September 13, 2024", true, "2024-09-13"},
		{"Tuesday 25 June 2024", true, "2024-06-25"},
		{"Sep 26, 2023 at 10:00", true, "2023-09-26"},
		{"19 October 2024, 08:40 AM", true, "2024-10-19"},
		{"March 11, 2025 7:05 AM EAT", true, "2025-03-11"},
		{"Sept. 3, 2023", true, "2023-09-03"},
		{"8 octobre 2025", true, "2025-10-08"},
		{"le 2 octobre 2024", true, "2024-10-02"},
		{"1er octobre 2024", true, "2024-10-01"},
		{"lundi 30 septembre 2024", true, "2024-09-30"},
		{"5 de marzo de 2024", true, "2024-03-05"},
		{"12 de julho de 2023", true, "2023-07-12"},
		{"25 jen 2024", true, "2024-06-25"},
		{"5. März 2024", true, "2024-03-05"},
		// Numeric: a number above 12 settles the order; otherwise the
		// day comes first unless the page is United States English.
		{"13/05/2025", true, "2025-05-13"},
		{"13/05/2025", false, "2025-05-13"},
		{"05/13/2025", true, "2025-05-13"},
		{"05/06/2025", true, "2025-06-05"},
		{"05/06/2025", false, "2025-05-06"},
		{"13.05.2025", true, "2025-05-13"},
		{"2024-02-29", true, "2024-02-29"},
		// Not a full date: nothing is guessed.
		{"2023-02-29", true, ""},
		{"31/02/2024", true, ""},
		{"March 2024", true, ""},
		{"October 2023", true, ""},
		{"June 25", true, ""},
		{"05/06/25", true, ""},
		{"yesterday", true, ""},
		{"Jane Roe 5 March 2024", true, ""},
		{"5 March 2024 in Nairobi", true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, _ := parseDate(tc.in, tc.dayFirst)
			if got != tc.want {
				t.Fatalf("parseDate(%q, dayFirst=%v) = %q, want %q", tc.in, tc.dayFirst, got, tc.want)
			}
		})
	}
}

func TestStatedDate(t *testing.T) {
	for in, want := range map[string]string{
		"2024-10-01T08:15:00-04:00":       "2024-10-01",
		"2023-10-03T07:45:00Z":            "2023-10-03",
		"2024-10-01":                      "2024-10-01",
		"Tue, 05 Mar 2024 10:00:00 GMT":   "2024-03-05",
		"Tue, 05 Mar 2024 10:00:00 +0300": "2024-03-05",
		"March 5, 2024":                   "2024-03-05",
		"2024-10-01junk":                  "",
		"":                                "",
	} {
		if got := statedDate(in, true); got != want {
			t.Errorf("statedDate(%q) = %q, want %q", in, got, want)
		}
	}
}
