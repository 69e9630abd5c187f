package corpus

import (
	"strings"
	"time"
)

// Meta is what a document states about itself, and where it is in its
// corpus: the one description of a document that the index, the answerers,
// the prompts and the renderers all carry. Every field holds only what the
// document (or its manifest entry) states; unknown fields are empty.
type Meta struct {
	// DocID identifies the document within its corpus: its file name
	// relative to the corpus root, e.g. "001_94594469f8d3b41f.txt".
	DocID     string `json:"doc_id"`
	Title     string `json:"title"`
	Publisher string `json:"publisher,omitempty"`
	Author    string `json:"author,omitempty"`
	// Published is the publication date as YYYY-MM-DD when it could be
	// parsed, otherwise empty.
	Published string `json:"published,omitempty"`
	URL       string `json:"url,omitempty"`
}

// Date returns the publication date, and false when the document states
// none (or Published is not a YYYY-MM-DD date).
func (m Meta) Date() (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, m.Published)
	return t, err == nil
}

// Outlet names who published the document: its publisher, else its
// title, with runs of spaces collapsed; "" when it states neither.
func (m Meta) Outlet() string {
	if p := strings.Join(strings.Fields(m.Publisher), " "); p != "" {
		return p
	}
	return strings.Join(strings.Fields(m.Title), " ")
}

// AlsoReportedBy names the outlets of copies of a document published by
// own (a citation's corroborating copies, a source's folded ones), each
// once, case aside, leaving out own: what "also reported by" lists.
func AlsoReportedBy(own string, copies []Meta) []string {
	seen := map[string]bool{strings.ToLower(strings.Join(strings.Fields(own), " ")): true}
	var out []string
	for _, m := range copies {
		name := m.Outlet()
		if name == "" || seen[strings.ToLower(name)] {
			continue
		}
		seen[strings.ToLower(name)] = true
		out = append(out, name)
	}
	return out
}

// FormatDate renders a YYYY-MM-DD date as "26 Sep 2023", the form answers
// and source lists show; it returns "" for an empty or unparseable date,
// so callers decide how to say that a document is undated.
func FormatDate(published string) string {
	t, err := time.Parse(time.DateOnly, published)
	if err != nil {
		return ""
	}
	return t.Format("2 Jan 2006")
}

// Document is one corpus document after loading and cleaning.
type Document struct {
	Meta
	// Text is the cleaned main text: paragraphs separated by blank lines,
	// with boilerplate (taglines, promos, tag lists, bios, captions) removed.
	Text string
}
