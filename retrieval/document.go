// Package retrieval turns a corpus of news documents into ranked passages:
// it loads and cleans documents, splits them into sentence-aware chunks,
// embeds them, keeps them in a chromem-go vector store beside a BM25 index,
// and answers hybrid searches with an explicit "nothing relevant" signal.
package retrieval

// Meta is what a citation needs to name a document. Every field holds only
// what the document or its manifest entry states; unknown fields are empty.
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

// Document is one corpus document after loading and cleaning.
type Document struct {
	Meta
	// Text is the cleaned main text: paragraphs separated by blank lines,
	// with boilerplate (taglines, promos, tag lists, bios, captions) removed.
	Text string
}

// Chunk is a passage of a document, the unit that is embedded, indexed and
// cited.
type Chunk struct {
	// ID is derived from the document ID and the chunk's content, so an
	// unchanged passage keeps its ID across refreshes.
	ID   string `json:"chunk_id"`
	Meta Meta   `json:"meta"`
	// Seq is the chunk's position within its document, from 0.
	Seq  int    `json:"seq"`
	Text string `json:"text"`
	// Corroborating lists the other documents that carry a near-duplicate
	// of this passage; their copies are not indexed separately.
	Corroborating []Meta `json:"corroborating,omitempty"`
}
