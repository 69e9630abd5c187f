package corpus_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"missionbot/corpus"
	"missionbot/internal/synth"
	"missionbot/retrieval"
	"missionbot/text"
)

// transcript returns about size bytes of text without any sentence
// punctuation, as a speech-to-text transcript comes: lower-case words in
// lines of about a dozen, no blank lines, no full stops.
func transcript(size int) []byte {
	vocab := synth.Vocabulary(3000)
	r := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.Grow(size + 128)
	for b.Len() < size {
		for i := range 12 {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(vocab[r.IntN(len(vocab))])
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// TestTranscriptWithinBounds: an 8 MB transcript loads in linear time
// (the old paragraph joiner took 31 s; the bar is a few seconds, asserted
// here with room for a loaded machine), no sentence exceeds
// text.MaxSentenceWords, and after chunking no chunk exceeds the chunk
// size bound.
func TestTranscriptWithinBounds(t *testing.T) {
	if testing.Short() {
		t.Skip("8 MB document")
	}
	data := transcript(8 << 20)
	start := time.Now()
	doc, err := corpus.Parse("hearing-transcript.txt", data, corpus.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if elapsed > 15*time.Second {
		t.Errorf("parsing 8 MB took %v, want linear time (about a second)", elapsed)
	}
	for p := range strings.SplitSeq(doc.Text, "\n\n") {
		for _, s := range text.SplitSentences(p) {
			if n := text.WordCount(s); n > text.MaxSentenceWords {
				t.Fatalf("a sentence of %d words, more than %d", n, text.MaxSentenceWords)
			}
		}
	}
	chunks := retrieval.ChunkDocuments([]corpus.Document{doc})
	largest := 0
	for _, c := range chunks {
		largest = max(largest, text.WordCount(c.Text))
	}
	const chunkMaxWords = 200 // the chunker's documented bound (README: 60–200 words)
	if largest > chunkMaxWords {
		t.Errorf("largest chunk has %d words, more than %d", largest, chunkMaxWords)
	}
	t.Logf("8 MB: parsed in %v, %d chunks, largest %d words", elapsed, len(chunks), largest)
}

// BenchmarkParseTranscript shows that loading is linear in document size:
// ns/op doubles with the size (MB/s stays flat).
func BenchmarkParseTranscript(b *testing.B) {
	for _, mb := range []int{1, 2, 4, 8} {
		data := transcript(mb << 20)
		b.Run(fmt.Sprintf("MB=%d", mb), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := corpus.Parse("t.txt", data, corpus.Meta{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
