package corpus

import (
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"
)

// fuzzLoad loads data as a one-file corpus named name and checks the
// loader's promises: no panic, either a document or a warning naming the
// file, and a document's text and metadata are valid UTF-8 that chunks.
func fuzzLoad(t *testing.T, name string, data []byte) {
	docs, warnings, err := Load(fstest.MapFS{name: {Data: data}}, nil)
	if err != nil {
		t.Fatalf("Load failed on one file: %v", err)
	}
	switch {
	case len(docs) == 1:
		d := docs[0]
		for _, s := range []string{d.Text, d.Title, d.Author, d.Publisher, d.Published} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in document: %q", s)
			}
		}
		if strings.TrimSpace(d.Text) == "" {
			t.Fatal("an empty document was returned instead of a warning")
		}
	case len(docs) == 0:
		if len(warnings) != 1 || !strings.Contains(warnings[0], name) {
			t.Fatalf("a skipped file must get one warning naming it, got %q", warnings)
		}
	default:
		t.Fatalf("one file gave %d documents", len(docs))
	}
}

// FuzzLoadHTML feeds arbitrary bytes to the HTML loader.
func FuzzLoadHTML(f *testing.F) {
	for _, s := range []string{
		`<html><head><title>Police land</title><meta property="article:published_time" content="2024-06-25T10:00:00Z"></head><body><nav>Home</nav><article><h1>Police land</h1><p>The first contingent arrived in Port-au-Prince on Tuesday.</p><aside>Related: other news</aside></article></body></html>`,
		`<p>unclosed <b>tags <script>alert(1)</script><style>p{}</style>`,
		"<html>\x00\xff</html>", "", "<<<>>>", strings.Repeat("<div>", 5000),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLoad(t, "page.html", data) })
}

// FuzzLoadMarkdown feeds arbitrary bytes to the Markdown loader.
func FuzzLoadMarkdown(f *testing.F) {
	for _, s := range []string{
		"# Police land\n\nThe **first** contingent [arrived](https://example.com) in *Port-au-Prince*.\n\n![photo](x.png)\n\n```\ncode block\n```\n",
		"[", "```", "* * *", "#\n##\n###", "\xff\xfe", strings.Repeat("[a](", 2000),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLoad(t, "note.md", data) })
}

// FuzzLoadPDF feeds arbitrary bytes to the PDF loader, whose library may
// panic on malformed files: the panic must become a skip warning.
func FuzzLoadPDF(f *testing.F) {
	f.Add(minimalPDF("Force Lands in Capital", "", "The regional police force began patrols in the capital on Tuesday."))
	f.Add([]byte("%PDF-1.4\nnot really a pdf"))
	f.Add([]byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLoad(t, "report.pdf", data) })
}
