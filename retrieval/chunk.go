package retrieval

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// ChunkDocuments splits every document into chunks and folds near-duplicate
// passages across documents into one chunk that lists the other documents
// as corroborating sources.
//
// PLACEHOLDER: paragraph split only; replaced by the sentence-aware chunker
// and deduper (owned by the ingest work).
func ChunkDocuments(docs []Document) []Chunk {
	var out []Chunk
	for _, d := range docs {
		for i, p := range strings.Split(d.Text, "\n\n") {
			if strings.TrimSpace(p) == "" {
				continue
			}
			h := sha256.Sum256([]byte(d.DocID + "\x00" + p))
			out = append(out, Chunk{ID: hex.EncodeToString(h[:8]), Meta: d.Meta, Seq: i, Text: p})
		}
	}
	return out
}
