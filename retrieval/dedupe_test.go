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
	undated := func(id string) corpus.Meta { return corpus.Meta{DocID: id, Title: strings.ToUpper(id[:1])} }
	dated := func(id string) corpus.Meta {
		return corpus.Meta{DocID: id, Title: "Kenyan police land", Author: "Wire Staff", Published: "2024-06-25"}
	}
	tests := []struct {
		name       string
		a, b       corpus.Meta
		aText      string
		bText      string
		wantCited  string // the document left holding the story; "" when both stay
		wantFolded string // the document folded away, if any
		mustKeep   string
	}{
		{name: "exact copy", a: undated("a.txt"), b: undated("b.txt"), aText: wireStory, bText: wireStory,
			wantCited: "a.txt", wantFolded: "b.txt"},
		{
			name: "copy with edited quotes, case and punctuation", a: undated("a.txt"), b: undated("b.txt"), aText: wireStory,
			bText:     strings.NewReplacer("Tuesday", "TUESDAY", ",", "", "neighbourhoods", "neighborhoods").Replace(wireStory),
			wantCited: "a.txt", wantFolded: "b.txt",
		},
		{
			// The copy that adds a fact is the more complete one: it is
			// cited, and the shorter one, all of which it holds, folds.
			name: "copy with an extra fact is kept and cited", a: undated("a.txt"), b: undated("b.txt"), aText: wireStory,
			bText:     wireStory + " Benin also pledged to send 2,000 troops to the mission last week.",
			wantCited: "b.txt", wantFolded: "a.txt", mustKeep: "Benin also pledged",
		},
		{
			name: "dated copy with a byline wins over an undated one", a: undated("a.txt"), b: dated("b.txt"),
			aText: wireStory, bText: wireStory, wantCited: "b.txt", wantFolded: "a.txt",
		},
		{
			name: "undated copy adding a fact stays beside the dated one", a: undated("a.txt"), b: dated("b.txt"),
			aText: wireStory + " Benin also pledged to send 2,000 troops to the mission last week.", bText: wireStory,
			mustKeep: "Benin also pledged",
		},
		{
			name: "copy with a different figure stays", a: undated("a.txt"), b: undated("b.txt"), aText: wireStory,
			bText:    strings.Replace(wireStory, "$300 million", "$360 million", 1),
			mustKeep: "$360 million",
		},
		{
			name: "paraphrase of the same event stays", a: undated("a.txt"), b: undated("b.txt"), aText: wireStory,
			bText: "Kenya's police finally arrived in Haiti's capital on Tuesday following repeated setbacks. " +
				"According to officials, their first task is guarding the airport and port, after which they will enter gang-controlled districts. " +
				"Washington is paying for most of the operation with a $300 million pledge; other nations offered staff. " +
				"Crowds watched the convoy depart from the airport, with reactions ranging from cheers to scepticism.",
			mustKeep: "Crowds watched the convoy",
		},
		{
			name: "rewritten wire copy folds into the dated original", a: undated("coastal-daily.html"), b: dated("harbor-wire.txt"),
			aText: floodRewrite, bText: floodStory, wantCited: "harbor-wire.txt", wantFolded: "coastal-daily.html",
		},
		{
			name: "rewritten copy adding a sentence with a new fact stays", a: undated("coastal-daily.html"), b: dated("harbor-wire.txt"),
			aText:    floodRewrite + "\n\nThe mayor said three people had drowned in the Raboteau district on Friday night.",
			bText:    floodStory,
			mustKeep: "three people had drowned",
		},
		{
			name: "independent report of the same event stays", a: undated("coastal-daily.html"), b: dated("harbor-wire.txt"),
			aText: floodReport, bText: floodStory, mustKeep: "Marie Joseph",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs := []corpus.Document{{Meta: tc.b, Text: tc.bText}, {Meta: tc.a, Text: tc.aText}}
			res := dedupe(chunkEach(docs))
			perDoc := map[string]int{}
			joined := ""
			for i, c := range res.kept {
				perDoc[c.Meta.DocID]++
				joined += c.Text + "\n"
				if i > 0 && c.Meta.DocID < res.kept[i-1].Meta.DocID {
					t.Fatalf("kept chunks out of DocID order: %s after %s", c.Meta.DocID, res.kept[i-1].Meta.DocID)
				}
			}
			if tc.mustKeep != "" && !strings.Contains(joined, tc.mustKeep) {
				t.Fatalf("lost %q", tc.mustKeep)
			}
			if tc.wantFolded == "" {
				if len(res.folds) != 0 || perDoc[tc.a.DocID] == 0 || perDoc[tc.b.DocID] == 0 {
					t.Fatalf("folds %+v, chunks per document %v; want both documents kept", res.folds, perDoc)
				}
				return
			}
			if perDoc[tc.wantFolded] != 0 || perDoc[tc.wantCited] == 0 {
				t.Fatalf("chunks per document %v; want %s folded into %s", perDoc, tc.wantFolded, tc.wantCited)
			}
			if len(res.folds) != 1 || res.folds[0].Copy.DocID != tc.wantFolded || res.folds[0].Into.DocID != tc.wantCited {
				t.Fatalf("folds = %+v, want %s into %s", res.folds, tc.wantFolded, tc.wantCited)
			}
			if res.folds[0].Copy.Title == "" {
				t.Error("the fold does not carry the copy's metadata")
			}
			cites := false
			for _, c := range res.kept {
				for _, m := range c.Corroborating {
					cites = cites || m.DocID == tc.wantFolded
				}
			}
			if !cites {
				t.Error("no kept passage names the folded copy as corroborating")
			}
			if len(res.dropped) == 0 {
				t.Error("the folded copy's chunks were not kept aside for the next refresh")
			}
		})
	}
}

// floodStory, floodRewrite and floodReport are invented: a wire story, an
// outlet's edit of it (sentences reworded and reordered, a figure spelled
// out) and an independent report of the same event.
const (
	floodStory = "GONAIVES (Harbor Wire) — A convoy of 40 trucks carrying food and medicine reached the flooded city of Gonaives on Saturday, 3 May 2025, after three days on damaged roads. " +
		"The World Food Programme said the trucks carried 600 tonnes of rice, beans and cooking oil, enough to feed 25,000 families for a month.\n\n" +
		"Local officials said the water had begun to recede in the northern districts but that 12 neighbourhoods were still cut off. " +
		"A second convoy is due to leave Port-au-Prince on Tuesday with water purification tablets and tarpaulins.\n\n" +
		"Aid groups warned that cholera cases could rise if clean water did not arrive within a week. " +
		"The government has asked donors for $18 million to repair the main bridge on National Route 1."
	floodRewrite = "GONAIVES (Harbor Wire) — Forty trucks loaded with food and medicine arrived in flooded Gonaives on Saturday, 3 May 2025, having spent three days on damaged roads. " +
		"According to the World Food Programme, the convoy carried 600 tonnes of rice, beans and cooking oil, which it said would feed 25,000 families for a month.\n\n" +
		"The water has started to recede in northern districts, local officials said, though 12 neighbourhoods remain cut off. " +
		"Another convoy, with water purification tablets and tarpaulins, is to leave Port-au-Prince on Tuesday. " +
		"Cholera cases could rise unless clean water arrives within a week, aid groups warned.\n\n" +
		"Donors have been asked by the government for $18 million to repair the main bridge on National Route 1."
	floodReport = "Residents of Gonaives lined the streets on Saturday as the first relief trucks rolled in after the floods. " +
		"Marie Joseph, who sells charcoal near the market, said her house had been under water for four days and her children were sleeping at a church. " +
		"The World Food Programme said the food would reach 25,000 families, and officials promised that a second convoy would follow next week. " +
		"Doctors at the city hospital said they had treated dozens of people for diarrhoea and feared an outbreak of cholera."
)

func TestDedupeCorroboratingHasNoRepeats(t *testing.T) {
	docs := []corpus.Document{
		{Meta: corpus.Meta{DocID: "a.txt"}, Text: wireStory},
		{Meta: corpus.Meta{DocID: "b.txt", Published: "2024-06-25"}, Text: wireStory + "\n\n" + wireStory},
		{Meta: corpus.Meta{DocID: "c.txt"}, Text: wireStory},
	}
	res := dedupe(chunkEach(docs))
	seen := map[string]int{}
	for _, c := range res.kept {
		if c.Meta.DocID != "b.txt" {
			t.Errorf("kept a chunk of %s; want only the dated b.txt", c.Meta.DocID)
		}
		ids := map[string]bool{}
		for _, m := range c.Corroborating {
			if ids[m.DocID] {
				t.Errorf("chunk %s lists %s twice", c.ID, m.DocID)
			}
			ids[m.DocID] = true
			seen[m.DocID]++
		}
	}
	if seen["a.txt"] == 0 || seen["c.txt"] == 0 || seen["b.txt"] != 0 {
		t.Fatalf("corroborating documents %v, want a.txt and c.txt", seen)
	}
	if len(res.folds) != 2 || res.folds[0].Copy.DocID != "a.txt" || res.folds[1].Copy.DocID != "c.txt" {
		t.Fatalf("folds %+v, want a.txt and c.txt into b.txt", res.folds)
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

// dedupeChunks drops near-duplicate chunks across documents and returns the
// kept ones (see dedupe); chunks must be grouped by document, in Seq order
// within each.
func dedupeChunks(chunks []Chunk) []Chunk {
	var docs []docChunks
	for i, c := range chunks {
		if i == 0 || c.Meta.DocID != chunks[i-1].Meta.DocID {
			docs = append(docs, docChunks{meta: c.Meta})
		}
		docs[len(docs)-1].chunks = append(docs[len(docs)-1].chunks, c)
	}
	return dedupe(docs).kept
}
