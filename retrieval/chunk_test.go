package retrieval

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"missionbot/corpus"
	"missionbot/internal/synth"
	"missionbot/text"
)

func TestChunkDocumentsShape(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	longSentence := strings.TrimSuffix(strings.Repeat("word ", 260), " ") + "."
	tests := []struct {
		name      string
		text      string
		minChunks int
		maxChunks int
	}{
		{"short document one chunk", "Kenya sent officers. They landed.", 1, 1},
		{"long document", synth.Sentences(r, 20, 5), 8, 40},
		{"single huge sentence stays whole", "Intro sentence here.\n\n" + longSentence + "\n\nOutro sentence here.", 1, 3},
		{"bullets", "• Kenya leads.\n\n• US pays.\n\n• Benin sends 2,000 troops.", 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := corpus.Document{Meta: corpus.Meta{DocID: "d.txt", Title: "T"}, Text: tc.text}
			chunks := ChunkDocuments([]corpus.Document{doc})
			if len(chunks) < tc.minChunks || len(chunks) > tc.maxChunks {
				t.Fatalf("%d chunks, want %d..%d", len(chunks), tc.minChunks, tc.maxChunks)
			}
			sentences := map[string]bool{}
			for _, s := range text.SplitSentences(tc.text) {
				sentences[s] = true
			}
			covered := map[string]bool{}
			for i, c := range chunks {
				if c.Seq != i {
					t.Errorf("chunk %d has Seq %d", i, c.Seq)
				}
				if c.Meta != doc.Meta {
					t.Errorf("meta not copied: %+v", c.Meta)
				}
				if len(c.ID) != 32 {
					t.Errorf("ID %q is not 16 bytes of hex", c.ID)
				}
				n := text.WordCount(c.Text)
				if n > chunkMaxWords && len(text.SplitSentences(c.Text)) > 1 {
					t.Errorf("chunk %d has %d words over the max with several sentences", i, n)
				}
				// Never split inside a sentence: every chunk sentence is
				// a sentence of the document.
				for _, s := range text.SplitSentences(c.Text) {
					if !sentences[s] {
						t.Errorf("chunk %d holds a sentence fragment %q", i, s)
					}
					covered[s] = true
				}
				if i > 0 {
					checkOverlap(t, i, text.SplitSentences(chunks[i-1].Text), text.SplitSentences(c.Text))
				}
			}
			if len(covered) != len(sentences) {
				t.Errorf("chunks cover %d of %d sentences", len(covered), len(sentences))
			}
		})
	}
}

func TestChunkDocumentsSizesOnCorpus(t *testing.T) {
	docs, _, err := corpus.Load(corpus.Embedded(), nil)
	if err != nil {
		t.Fatal(err)
	}
	chunks := ChunkDocuments(docs)
	total := 0
	for _, c := range chunks {
		n := text.WordCount(c.Text)
		total += n
		if n > chunkMaxWords {
			t.Errorf("%s#%d has %d words", c.Meta.DocID, c.Seq, n)
		}
	}
	avg := total / len(chunks)
	if avg < 80 || avg > 140 {
		t.Errorf("average chunk is %d words, want 80..140", avg)
	}
	t.Logf("%d chunks, average %d words", len(chunks), avg)
}

func TestChunkIDsStable(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	text := synth.Sentences(r, 6, 4)
	a := ChunkDocuments([]corpus.Document{{Meta: corpus.Meta{DocID: "a.txt"}, Text: text}})
	b := ChunkDocuments([]corpus.Document{{Meta: corpus.Meta{DocID: "a.txt"}, Text: strings.ReplaceAll(text, ". ", ".  ")}})
	if len(a) != len(b) {
		t.Fatalf("%d vs %d chunks", len(a), len(b))
	}
	for i := range a {
		if a[i].ID != b[i].ID {
			t.Errorf("chunk %d ID changed with whitespace only", i)
		}
	}
	// Editing the last paragraph keeps the IDs of the chunks before it.
	edited := text + " An added closing sentence about convoys."
	c := ChunkDocuments([]corpus.Document{{Meta: corpus.Meta{DocID: "a.txt"}, Text: edited}})
	if c[0].ID != a[0].ID {
		t.Error("first chunk ID changed after an edit at the end")
	}
	if c[len(c)-1].ID == a[len(a)-1].ID {
		t.Error("last chunk ID unchanged after its text changed")
	}
	other := ChunkDocuments([]corpus.Document{{Meta: corpus.Meta{DocID: "b.txt"}, Text: text}})
	if other[0].ID == a[0].ID {
		t.Error("same text in another document has the same ID")
	}
}

func BenchmarkChunkDocuments(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	// About 10k chunks: 1,000 documents of ~10 chunks each.
	docs := make([]corpus.Document, 1000)
	for i := range docs {
		docs[i] = corpus.Document{Meta: corpus.Meta{DocID: fmt.Sprintf("doc%04d.txt", i)}, Text: synth.Sentences(r, 12, 5)}
	}
	// A share of syndicated copies, as in real news corpora.
	for i := 0; i < len(docs); i += 10 {
		docs[i+1].Text = docs[i].Text
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		n = len(ChunkDocuments(docs))
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
	b.ReportMetric(float64(n), "chunks")
}

// checkOverlap checks that chunk i opens with the tail of the previous
// chunk (its last sentence, and those before it that it leans on) and that
// the overlap never opens with a sentence pointing back at nothing.
func checkOverlap(t *testing.T, i int, prev, cur []string) {
	t.Helper()
	last := prev[len(prev)-1]
	k := slices.Index(cur, last)
	switch {
	case k >= 0:
		if k+1 > len(prev) || !slices.Equal(cur[:k+1], prev[len(prev)-k-1:]) {
			t.Errorf("chunk %d opens with %q, not the tail of the previous chunk", i, cur[:k+1])
		}
		if text.LeansBack(cur[0]) {
			t.Errorf("chunk %d opens with %q, which points back at a sentence it lacks", i, cur[0])
		}
	case !text.LeansBack(last) && text.WordCount(last) <= overlapMaxWords && text.WordCount(last)+text.WordCount(cur[0]) <= chunkMaxWords:
		t.Errorf("chunk %d does not start with the previous chunk's last sentence", i)
	}
}

func TestChunkOverlapKeepsAntecedents(t *testing.T) {
	var paras []string
	for p := range 12 {
		paras = append(paras, fmt.Sprintf("Washington named Kenya a major ally in round %d of talks between the two governments. "+
			"This designation lets Nairobi buy more advanced equipment and train with American units. "+
			"It also signals support for the police mission that Kenya leads in Haiti this year. "+
			"Officials in both capitals described the meeting as productive and long overdue.", p))
	}
	doc := corpus.Document{Meta: corpus.Meta{DocID: "d.txt"}, Text: strings.Join(paras, "\n\n")}
	chunks := ChunkDocuments([]corpus.Document{doc})
	if len(chunks) < 3 {
		t.Fatalf("only %d chunks", len(chunks))
	}
	for i := 1; i < len(chunks); i++ {
		checkOverlap(t, i, text.SplitSentences(chunks[i-1].Text), text.SplitSentences(chunks[i].Text))
	}
}
