package retrieval

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"missionbot/corpus"
	"missionbot/internal/synth"
	"missionbot/text"
)

// wireStory is a passage two outlets might both carry.
const wireStory = "The first contingent of Kenyan police officers landed in Port-au-Prince on Tuesday after months of delays. " +
	"Officials said the officers would secure the main airport and the seaport before moving into neighbourhoods held by armed gangs. " +
	"The mission is funded mostly by the United States, which has pledged $300 million, while other countries have promised personnel. " +
	"Residents gathered near the airport to watch the convoy leave, some cheering and others voicing doubts about foreign forces."

func TestDedupeChunks(t *testing.T) {
	tests := []struct {
		name      string
		copyText  string
		wantDrop  bool
		mustKeep  string
		corrobDoc string
	}{
		{name: "exact copy", copyText: wireStory, wantDrop: true},
		{
			name:     "copy with edited quotes, case and punctuation",
			copyText: strings.NewReplacer("Tuesday", "TUESDAY", ",", "", "neighbourhoods", "neighborhoods").Replace(wireStory),
			wantDrop: true,
		},
		{
			name:     "copy with an extra fact stays",
			copyText: wireStory + " Benin also pledged to send 2,000 troops to the mission last week.",
			mustKeep: "Benin also pledged",
		},
		{
			name:     "copy with a different figure stays",
			copyText: strings.Replace(wireStory, "$300 million", "$360 million", 1),
			mustKeep: "$360 million",
		},
		{
			name: "paraphrase of the same event stays",
			copyText: "Kenya's police finally arrived in Haiti's capital on Tuesday following repeated setbacks. " +
				"According to officials, their first task is guarding the airport and port, after which they will enter gang-controlled districts. " +
				"Washington is paying for most of the operation with a $300 million pledge; other nations offered staff. " +
				"Crowds watched the convoy depart from the airport, with reactions ranging from cheers to scepticism.",
			mustKeep: "Crowds watched the convoy",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := corpus.Meta{DocID: "a.txt", Title: "A"}
			b := corpus.Meta{DocID: "b.txt", Title: "B"}
			chunks := ChunkDocuments([]corpus.Document{{Meta: b, Text: tc.copyText}, {Meta: a, Text: wireStory}})
			if chunks[0].Meta.DocID != "a.txt" {
				t.Fatalf("first chunk from %s, want the earliest document a.txt", chunks[0].Meta.DocID)
			}
			var fromB []Chunk
			for _, c := range chunks {
				if c.Meta.DocID == "b.txt" {
					fromB = append(fromB, c)
				}
			}
			if tc.wantDrop {
				if len(fromB) != 0 {
					t.Fatalf("copy kept: %q", fromB[0].Text)
				}
				if len(chunks[0].Corroborating) != 1 || chunks[0].Corroborating[0].DocID != "b.txt" {
					t.Fatalf("Corroborating = %+v, want b.txt", chunks[0].Corroborating)
				}
				return
			}
			if len(fromB) == 0 {
				t.Fatal("distinct passage dropped as a duplicate")
			}
			joined := ""
			for _, c := range chunks {
				joined += c.Text
			}
			if !strings.Contains(joined, tc.mustKeep) {
				t.Fatalf("lost %q", tc.mustKeep)
			}
			if len(chunks[0].Corroborating) != 0 {
				t.Fatalf("Corroborating set for a non-duplicate: %+v", chunks[0].Corroborating)
			}
		})
	}
}

func TestDedupeCorroboratingHasNoRepeats(t *testing.T) {
	docs := []corpus.Document{
		{Meta: corpus.Meta{DocID: "a.txt"}, Text: wireStory},
		{Meta: corpus.Meta{DocID: "b.txt"}, Text: wireStory + "\n\n" + wireStory},
		{Meta: corpus.Meta{DocID: "c.txt"}, Text: wireStory},
	}
	chunks := ChunkDocuments(docs)
	if len(chunks) != 1 {
		t.Fatalf("%d chunks, want 1", len(chunks))
	}
	var ids []string
	for _, m := range chunks[0].Corroborating {
		ids = append(ids, m.DocID)
	}
	if strings.Join(ids, ",") != "b.txt,c.txt" {
		t.Fatalf("Corroborating = %v, want b.txt,c.txt", ids)
	}
}

func TestDedupeKeepsCorpusFacts(t *testing.T) {
	docs, _, err := corpus.Load(corpus.Embedded(), nil)
	if err != nil {
		t.Fatal(err)
	}
	chunks := ChunkDocuments(docs)
	all := ""
	for _, c := range chunks {
		all += c.Text + "\n"
	}
	for _, d := range docs {
		for _, s := range text.SplitSentences(d.Text) {
			if !strings.Contains(all, s) {
				t.Errorf("%s: sentence lost after chunking and dedupe: %q", d.DocID, s)
			}
		}
	}
	if !strings.Contains(all, "Benin also pledged to send 2,000 troops") {
		t.Fatal("the Benin pledge from 001 was lost")
	}
}

func TestDedupeScales(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 100k chunks")
	}
	r := rand.New(rand.NewPCG(7, 8))
	const n = 100_000
	chunks := make([]Chunk, 0, n)
	for i := range n / 10 {
		id := fmt.Sprintf("doc%06d.txt", i)
		text := synth.Sentences(r, 10, 5)
		for j, p := range strings.Split(text, "\n\n") {
			chunks = append(chunks, Chunk{Meta: corpus.Meta{DocID: id}, Seq: j, Text: p})
		}
	}
	// Every tenth document is a syndicated copy of the one before.
	for i := 10; i < len(chunks); i += 100 {
		for j := range 10 {
			chunks[i+j].Text = chunks[i-10+j].Text
		}
	}
	start := time.Now()
	out := dedupeChunks(chunks)
	elapsed := time.Since(start)
	if want := n - n/10; len(out) != want {
		t.Errorf("kept %d chunks, want %d", len(out), want)
	}
	t.Logf("deduped %d chunks in %v", n, elapsed)
	// A loose bound that still catches quadratic behaviour (which takes
	// minutes here) on a loaded machine or under -race; the speed itself
	// is measured by BenchmarkDedupeChunks.
	if elapsed > 60*time.Second {
		t.Errorf("dedupe of %d chunks took %v", n, elapsed)
	}
}

func BenchmarkDedupeChunks(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	const n = 100_000
	base := make([]Chunk, 0, n)
	for i := range n / 10 {
		id := fmt.Sprintf("doc%06d.txt", i)
		for j, p := range strings.Split(synth.Sentences(r, 10, 5), "\n\n") {
			base = append(base, Chunk{Meta: corpus.Meta{DocID: id}, Seq: j, Text: p})
		}
	}
	b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		work := make([]Chunk, len(base))
		for b.Loop() {
			copy(work, base)
			dedupeChunks(work)
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
	})
}
