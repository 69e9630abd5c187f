package corpus

import "testing"

func TestParseJSONLD(t *testing.T) {
	tests := []struct {
		name   string
		blocks []string
		want   ldArticle
	}{
		{"plain NewsArticle", []string{`{"@context":"https://schema.org","@type":"NewsArticle","headline":"H","datePublished":"2024-01-26T16:20:00+03:00","author":{"@type":"Person","name":"Jane Roe"},"publisher":{"@type":"Organization","name":"The Daily"}}`},
			ldArticle{Headline: "H", Author: "Jane Roe", Publisher: "The Daily", Published: "2024-01-26T16:20:00+03:00"}},
		{"graph, type list, author list of strings and objects", []string{`{"@graph":[{"@type":"WebSite","name":"Site"},{"@type":"WebPage","datePublished":"2019-01-01"},{"@type":["NewsArticle","Article"],"headline":"Story","datePublished":"2023-11-02","author":["A One",{"name":"B Two"},{"url":"https://x.example/c"}],"publisher":"Pub"}]}`},
			ldArticle{Headline: "Story", Author: "A One, B Two", Publisher: "Pub", Published: "2023-11-02"}},
		{"top-level list", []string{`[{"@type":"BreadcrumbList"},{"@type":"ReportageNews","headline":"R","dateModified":"2022-07-14"}]`},
			ldArticle{Headline: "R", Modified: "2022-07-14"}},
		{"nested mainEntity", []string{`{"@type":"WebPage","name":"Page","mainEntity":{"@type":"NewsArticle","headline":"Inner","datePublished":"2020-05-01"}}`},
			ldArticle{Headline: "Inner", Published: "2020-05-01"}},
		{"schema prefix", []string{`{"@type":"schema:NewsArticle","headline":"P"}`}, ldArticle{Headline: "P"}},
		{"comment-wrapped", []string{"<!--\n{\"@type\":\"Article\",\"headline\":\"C\"}\n-->"}, ldArticle{Headline: "C"}},
		{"invalid JSON skipped", []string{`{"@type":"NewsArticle",`, `{"@type":"Article","headline":"Good"}`}, ldArticle{Headline: "Good"}},
		{"no article", []string{`{"@type":"Organization","name":"Org"}`}, ldArticle{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseJSONLD(tc.blocks); got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestParseJSONLDDeepNesting: a hostile page nesting objects without end
// is read without unbounded recursion.
func TestParseJSONLDDeepNesting(t *testing.T) {
	deep := ""
	for range 5000 {
		deep += `{"x":`
	}
	deep += `{"@type":"NewsArticle","headline":"Deep"}`
	for range 5000 {
		deep += `}`
	}
	_ = parseJSONLD([]string{deep}) // must return
}
