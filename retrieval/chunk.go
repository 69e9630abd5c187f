package retrieval

import (
	"crypto/sha256"
	"encoding/hex"
	"missionbot/corpus"
	"missionbot/text"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// Chunk is a passage of a document, the unit that is embedded, indexed and
// cited.
type Chunk struct {
	// ID is derived from the document ID and the chunk's content, so an
	// unchanged passage keeps its ID across refreshes.
	ID   string      `json:"chunk_id"`
	Meta corpus.Meta `json:"meta"`
	// Seq is the chunk's position within its document, from 0.
	Seq  int    `json:"seq"`
	Text string `json:"text"`
	// Corroborating lists the other documents that carry a near-duplicate
	// of this passage; their copies are not indexed separately.
	Corroborating []corpus.Meta `json:"corroborating,omitempty"`
}

// Chunk sizes, in words. Chunks pack whole sentences: they close at a
// paragraph break once they hold chunkAimWords, inside a paragraph once
// the next sentence would take them past chunkTargetWords (if they hold
// chunkMinWords), and always before chunkMaxWords, so that a fact and its
// context land in one passage of roughly 80–140 words. A single sentence
// longer than chunkMaxWords stays whole.
const (
	chunkMinWords    = 60
	chunkAimWords    = 80
	chunkTargetWords = 140
	chunkMaxWords    = 200
	// chunkTailWords: a last chunk adding fewer new words than this is
	// folded into the one before it when that fits under chunkMaxWords.
	chunkTailWords = 30
	// overlapMaxWords: the sentence repeated at the start of the next
	// chunk is skipped when longer than this, so overlap stays small.
	overlapMaxWords = 50
)

// ChunkDocuments splits every document into sentence-aware chunks and
// folds copies of documents and near-duplicate passages across documents
// into the preferred copy's chunks, which list the other documents as
// Corroborating (see dedupe). Chunks come out ordered by DocID, then Seq.
// Each chunk repeats the previous chunk's last sentence (same document) so
// a fact split across a boundary keeps its context. Chunk.ID is the hex of
// the first 16 bytes of sha256(DocID, NUL, whitespace-normalised text),
// stable while the passage is unchanged; Seq counts from 0 within a
// document and keeps its value when a duplicate chunk is dropped, so Seq
// may have gaps.
func ChunkDocuments(docs []corpus.Document) []Chunk {
	return dedupe(chunkEach(docs)).kept
}

// chunkEach splits each document into chunks, in parallel across the
// cores; the result is in docs' order.
func chunkEach(docs []corpus.Document) []docChunks {
	out := make([]docChunks, len(docs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(docs)/64, 1)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(docs) {
					return
				}
				out[i] = docChunks{meta: docs[i].Meta, chunks: documentChunks(docs[i])}
			}
		})
	}
	wg.Wait()
	return out
}

// chunkSentence is one sentence of a document and its paragraph.
type chunkSentence struct {
	text  string
	words int
	para  int
}

// documentChunks returns the chunks of one document.
func documentChunks(d corpus.Document) []Chunk {
	var out []Chunk
	var sents []chunkSentence
	para := 0
	for p := range strings.SplitSeq(d.Text, "\n\n") {
		ss := text.SplitSentences(p)
		if len(ss) == 0 {
			continue
		}
		for _, s := range ss {
			sents = append(sents, chunkSentence{text: s, words: text.WordCount(s), para: para})
		}
		para++
	}
	if len(sents) == 0 {
		return out
	}

	var groups [][]chunkSentence
	var cur []chunkSentence
	curWords, newWords := 0, 0
	// overlapN counts the sentences cur repeats from the end of the
	// previous chunk: its last one, and those before it that it leans on.
	overlapN := 0
	for i, s := range sents {
		if newWords > 0 {
			paraBreak := s.para != sents[i-1].para
			if curWords+s.words > chunkMaxWords ||
				(paraBreak && curWords >= chunkAimWords) ||
				(curWords >= chunkMinWords && curWords+s.words > chunkTargetWords) {
				groups = append(groups, cur)
				prev := cur
				cur, curWords, newWords, overlapN = nil, 0, 0, 0
				for j := len(prev) - 1; j >= 0 && curWords+prev[j].words <= overlapMaxWords; j-- {
					cur = append([]chunkSentence{prev[j]}, cur...)
					curWords += prev[j].words
					overlapN++
					if !text.LeansBack(prev[j].text) {
						break
					}
				}
				if overlapN > 0 && text.LeansBack(cur[0].text) {
					// Its antecedent did not fit: better no overlap than
					// one that points at nothing.
					cur, curWords, overlapN = nil, 0, 0
				}
			}
		}
		if newWords == 0 && overlapN > 0 && curWords+s.words > chunkMaxWords {
			// The overlap would push a long sentence over the maximum.
			cur, curWords, overlapN = nil, 0, 0
		}
		cur = append(cur, s)
		curWords += s.words
		newWords += s.words
	}
	if newWords > 0 {
		if n := len(groups); n > 0 && newWords < chunkTailWords && groupWords(groups[n-1])+newWords <= chunkMaxWords {
			// A short tail adds its new sentences to the previous chunk
			// rather than standing as a fragment.
			groups[n-1] = append(groups[n-1], cur[overlapN:]...)
		} else {
			groups = append(groups, cur)
		}
	}

	seen := make(map[string]bool, len(groups))
	for seq, g := range groups {
		text := joinSentences(g)
		id := chunkID(d.DocID, text)
		if seen[id] {
			// The same passage twice in one document adds nothing and
			// would collide on its ID.
			continue
		}
		seen[id] = true
		out = append(out, Chunk{ID: id, Meta: d.Meta, Seq: seq, Text: text})
	}
	return out
}

// groupWords counts the words of a group of sentences.
func groupWords(g []chunkSentence) int {
	n := 0
	for _, s := range g {
		n += s.words
	}
	return n
}

// joinSentences renders a chunk: sentences of one paragraph joined by a
// space, paragraphs by a blank line.
func joinSentences(g []chunkSentence) string {
	var b strings.Builder
	for i, s := range g {
		if i > 0 {
			if s.para != g[i-1].para {
				b.WriteString("\n\n")
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(s.text)
	}
	return b.String()
}

// chunkID derives a chunk's ID from its document and whitespace-
// normalised text.
func chunkID(docID, text string) string {
	// strings.Join(strings.Fields(text), " ") built in one buffer: the
	// same bytes, so IDs do not change, without the slice of fields.
	buf := make([]byte, 0, len(docID)+1+len(text))
	buf = append(append(buf, docID...), 0)
	first := true
	for f := range strings.FieldsSeq(text) {
		if !first {
			buf = append(buf, ' ')
		}
		first = false
		buf = append(buf, f...)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:16])
}
