package corpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStatedMetadataFixtures loads pages and pasted articles of layouts
// other than the development corpus's (testdata/meta, invented text) and
// checks the metadata each states and that its page chrome is gone.
func TestStatedMetadataFixtures(t *testing.T) {
	tests := []struct {
		file                                string
		title, published, author, publisher string
		// absent must not survive cleaning: menus, notices, promoted
		// stories, mastheads.
		absent []string
	}{
		{"graph-jsonld.html", "Ferry operators agree new winter timetable", "2023-11-02", "Lena Varga, Tomas Ek", "Harbour Gazette",
			[]string{"privacy", "Home", "You might like", "quiet beaches"}},
		{"modified-only.html", "Water board approves new reservoir", "2022-07-14", "Ines Moreau", "Valley Courier", nil},
		{"div-soup-visible-date.html", "Library reopens after flood repairs", "2024-09-05", "Priya Raman", "",
			[]string{"Most viewed", "rowing final", "road repairs", "©", "Obituaries", "Riverside Tribune"}},
		{"us-locale-numeric.html", "County fair draws record crowd", "2024-04-05", "", "Prairie Daily", nil},
		{"publie-le.html", "La mairie rouvre le marché couvert", "2025-10-08", "", "Journal du Nord", []string{"Publié"}},
		{"teaser-articles.html", "Port strike ends after pay deal", "2021-03-09", "Ruth Okoro", "Coast Mail",
			[]string{"Weekend weather", "harbour master"}},
		{"wire-dateline.txt", "Rail link to the airport opens two years late", "2024-03-05", "", "THE MORNING POST",
			[]string{"Serving the lakeside"}},
		{"yearless-dateline.txt", "Storm closes schools across the north coast", "", "", "Island Wire Digest", nil},
		{"month-year-only.txt", "Dredging season begins at the old port", "", "", "Quarterly Harbour Review", []string{"October 2023 |"}},
		{"setext-posted.md", "Grain prices steady after good harvest", "2024-03-05", "Ana Lucia Pereira", "Valley Farmers Weekly", []string{"Posted"}},
		{"spanish-date.txt", "El puerto reabre tras la tormenta", "2024-03-05", "Carmen Ruiz", "Diario del Sur", []string{"Por Carmen"}},
		{"ambiguous-numeric.txt", "Bridge repairs finish ahead of schedule", "2025-06-05", "Sam Whitfield", "Town Crier Online", nil},
		{"standalone-dateline.html", "Harbour dredging resumes after winter storms", "2024-03-15", "Jana Holt", "The Coastal Observer",
			[]string{"PORT ELLEN, March", "Most read", "cookies"}},
		{"readability-dateline.html", "Second dredger due as harbour work resumes", "2024-03-15", "Aurelio Campos", "The Island Observer",
			[]string{"KIRKWALL, March", "Most read"}},
		{"readability-byline-noise.html", "Second dredger due as harbour work resumes", "", "", "The Island Observer",
			[]string{"north isles office", "Most read"}},
		{"headline-then-section.txt", "Hospital opens new maternity wing", "2023-02-14", "", "Lakeshore Herald", []string{"Lakeshore Herald"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "meta", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(tc.file, data, Meta{})
			if err != nil {
				t.Fatal(err)
			}
			got := [4]string{d.Title, d.Published, d.Author, d.Publisher}
			if want := [4]string{tc.title, tc.published, tc.author, tc.publisher}; got != want {
				t.Errorf("title, published, author, publisher = %q\nwant %q", got, want)
			}
			for _, a := range tc.absent {
				if strings.Contains(d.Text, a) {
					t.Errorf("text still has %q:\n%s", a, d.Text)
				}
			}
			if strings.Contains(d.Text, tc.title) {
				t.Errorf("text repeats the title:\n%s", d.Text)
			}
		})
	}
}

// TestManifestBeatsStatedMetadata: a manifest entry wins field by field
// over what the page states, and fields it leaves empty still come from
// the page.
func TestManifestBeatsStatedMetadata(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "meta", "graph-jsonld.html"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse("graph-jsonld.html", data, Meta{Title: "Corrected Title", Published: "2023-11-03"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Corrected Title" || d.Published != "2023-11-03" || d.Publisher != "Harbour Gazette" {
		t.Fatalf("meta = %+v", d.Meta)
	}
}
