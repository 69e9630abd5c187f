// Package synth makes synthetic corpora for tests and benchmarks, in the
// spirit of net/http/httptest: deterministic (seeded) documents of made-up
// words at whatever size a test needs, so that sizes and timings are
// measured on realistic shapes without shipping large fixtures.
package synth

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"missionbot/corpus"
)

// Vocabulary returns n distinct random lower-case words of 4 to 9 letters,
// the same n words on every call.
func Vocabulary(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		for range 4 + r.IntN(6) {
			b.WriteByte(byte('a' + r.IntN(26)))
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// Paragraph is a paragraph of 80 to 120 words drawn from vocab, in
// capitalised sentences of about 15 words.
func Paragraph(r *rand.Rand, vocab []string) string {
	var b strings.Builder
	writeSentences(&b, r, vocab, 80+r.IntN(41))
	return strings.TrimSpace(b.String())
}

// writeSentences writes n words drawn from vocab in capitalised sentences
// of 15 words, each followed by a space.
func writeSentences(b *strings.Builder, r *rand.Rand, vocab []string, n int) {
	for i := range n {
		w := vocab[r.IntN(len(vocab))]
		if i%15 == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		switch {
		case i == n-1 || i%15 == 14:
			b.WriteString(". ")
		default:
			b.WriteByte(' ')
		}
	}
}

// Documents makes nDocs documents of paras paragraphs each over a
// 5,000-word vocabulary, named "s<seed>_<i>.txt"; the same seed gives the
// same documents.
func Documents(seed uint64, nDocs, paras int) []corpus.Document {
	vocab := Vocabulary(5000)
	r := rand.New(rand.NewPCG(seed, 7))
	docs := make([]corpus.Document, nDocs)
	for i := range docs {
		ps := make([]string, paras)
		for j := range ps {
			ps[j] = Paragraph(r, vocab)
		}
		docs[i] = corpus.Document{
			Meta: corpus.Meta{DocID: fmt.Sprintf("s%d_%03d.txt", seed, i), Title: fmt.Sprintf("Document %d", i), Publisher: "Test Wire"},
			Text: strings.Join(ps, "\n\n"),
		}
	}
	return docs
}

// Sentences builds paras paragraphs of sentsPerPara distinct sentences of
// 8 to 25 syllable words mixed with common news words, each ending in a
// number, so that different seeds never look like copies.
func Sentences(r *rand.Rand, paras, sentsPerPara int) string {
	common := strings.Fields("the of and to in a for on that with by as at from police mission haiti kenya officers said")
	syll := strings.Fields("ka ri to mba ne so lu vi de ra mo ti ha pe zu ko")
	content := make([]string, 0, 4000)
	for i := range 4000 {
		content = append(content, syll[i%16]+syll[(i/16)%16]+syll[(i/256)%16])
	}
	var b strings.Builder
	for p := range paras {
		if p > 0 {
			b.WriteString("\n\n")
		}
		for s := range sentsPerPara {
			if s > 0 {
				b.WriteByte(' ')
			}
			n := 8 + r.IntN(18)
			for w := range n {
				word := content[r.IntN(len(content))]
				if r.IntN(10) < 4 {
					word = common[r.IntN(len(common))]
				}
				if w == 0 {
					word = strings.ToUpper(word[:1]) + word[1:]
				}
				if w > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(word)
			}
			fmt.Fprintf(&b, " %d.", r.IntN(100000))
		}
	}
	return b.String()
}

// FromWords makes n dated reports of about words words each, drawn from
// vocab (for instance the words of a real corpus, so searches over it
// meet real term statistics), in sentences of 18 words and paragraphs of
// five sentences, named "synthetic_<i>.txt".
func FromWords(vocab []string, n, words int) []corpus.Document {
	rng := rand.New(rand.NewPCG(1, 2))
	docs := make([]corpus.Document, n)
	for i := range docs {
		var t strings.Builder
		for w := 0; w < words; w++ {
			if w > 0 && w%18 == 0 {
				t.WriteString(". ")
				if w%90 == 0 {
					t.WriteString("\n\n")
				}
			} else if w > 0 {
				t.WriteByte(' ')
			}
			t.WriteString(strings.Trim(vocab[rng.IntN(len(vocab))], ".!?"))
		}
		t.WriteString(fmt.Sprintf(". Report number %d.", i))
		docs[i] = corpus.Document{
			Meta: corpus.Meta{DocID: fmt.Sprintf("synthetic_%05d.txt", i), Title: fmt.Sprintf("Report %d", i), Published: "2024-05-23"},
			Text: t.String(),
		}
	}
	return docs
}

// Brief is a one-paragraph news brief of about words words drawn from
// vocab, under a title line, as a pasted .txt article looks: the shape of
// a corpus that saves every short item about a story.
func Brief(r *rand.Rand, vocab []string, i, words int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Brief %d: %s %s %s\n\n", i, vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))])
	writeSentences(&b, r, vocab, words)
	fmt.Fprintf(&b, "Item %d.\n", i)
	return b.String()
}

// WriteBriefs writes n briefs of 40 to 70 words (about 400 bytes each)
// into dir as "brief_<i>.txt", spread over subfolders of 1,000 files so
// no directory grows unwieldy; the same seed gives the same files.
func WriteBriefs(dir string, seed uint64, n int) error {
	vocab := Vocabulary(5000)
	r := rand.New(rand.NewPCG(seed, 11))
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("%03d", i/1000))
		if i%1000 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return err
			}
		}
		name := filepath.Join(sub, fmt.Sprintf("brief_%06d.txt", i))
		if err := os.WriteFile(name, []byte(Brief(r, vocab, i, 40+r.IntN(31))), 0o644); err != nil {
			return err
		}
	}
	return nil
}
