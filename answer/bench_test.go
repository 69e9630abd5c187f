package answer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"missionbot/corpus"
	"missionbot/internal/synth"
	"missionbot/retrieval"
)

// sseTransport is an in-process chat model with zero latency: every
// request gets the same canned SSE stream, without sockets.
type sseTransport struct{ body []byte }

func newSSETransport(reply string) sseTransport {
	var b bytes.Buffer
	b.WriteString(`data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}` + "\n\n")
	for _, w := range strings.SplitAfter(reply, " ") {
		fmt.Fprintf(&b, `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":%q},"finish_reason":null}]}`+"\n\n", w)
	}
	b.WriteString(`data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\n")
	b.WriteString("data: [DONE]\n\n")
	return sseTransport{body: b.Bytes()}
}

func (t sseTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"text/event-stream"}},
		Body:    io.NopCloser(bytes.NewReader(t.body)),
		Request: req,
	}, nil
}

// syntheticDocs builds n documents of about words words each from the
// vocabulary of the default corpus, so the index holds realistic text
// without near-duplicates.
func syntheticDocs(b *testing.B, n, words int) []corpus.Document {
	b.Helper()
	files, err := filepath.Glob("../corpus/*.txt")
	if err != nil || len(files) == 0 {
		b.Fatal("no default corpus to draw vocabulary from")
	}
	var vocab []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		vocab = append(vocab, strings.Fields(string(data))...)
	}
	return synth.FromWords(vocab, n, words)
}

// BenchmarkOverhead measures what an LLM answer costs around the model:
// search, prompt building and citation checking, with a zero-latency model
// streaming a 40-word cited answer. The bar is under 20 ms per answer at
// 10,000 chunks.
func BenchmarkOverhead(b *testing.B) {
	const reply = "The United States first pledged $100 million in September 2023 [1], raised it to $200 million [2] and then to $360 million in May 2024 [2][3]. Kenya sent the first 400 police officers in June 2024 [3]."
	ctx := context.Background()
	run := func(b *testing.B, s Searcher, metrics map[string]float64) {
		l, err := NewLLM(s, LLMOptions{
			BaseURL: "http://model.invalid/v1", APIKey: "sk-bench", Model: "bench", K: 5,
			HTTPClient: &http.Client{Transport: newSSETransport(reply)},
		})
		if err != nil {
			b.Fatal(err)
		}
		req := Request{Question: "How much money has the United States pledged to the Kenya-led mission in Haiti?"}
		// One answer first: the lexicon is read once per process, on first
		// use, and is no part of each answer's overhead.
		if _, err := l.Answer(ctx, req); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			a, err := l.Answer(ctx, req)
			if err != nil {
				b.Fatal(err)
			}
			// Synthetic passages do not state the reply's figures, so the
			// citation check may flag them; a fallback would mean the
			// model's answer was not used at all.
			if a.Fallback != "" {
				b.Fatalf("unexpected fallback %q: %q", a.Fallback, a.Notice)
			}
		}
		for unit, v := range metrics {
			b.ReportMetric(v, unit) // after the loop: b.Loop resets reported metrics
		}
	}
	b.Run("searcher=canned", func(b *testing.B) {
		res := pledgeResults()
		res.Passages = append(res.Passages, passage(4, "d", "Kenyan police", "2024-06-25", strings.Repeat("Kenyan police officers arrived in Haiti. ", 10)),
			passage(5, "e", "Mission budget", "2024-05-23", strings.Repeat("The mission budget was discussed at the UN. ", 10)))
		run(b, &cannedSearcher{res: res}, nil)
	})
	var ix *retrieval.Index
	dir := b.TempDir() // the parent's, so it outlives each sub-benchmark
	index := func(b *testing.B) *retrieval.Index {
		if ix != nil {
			return ix
		}
		var err error
		ix, err := retrieval.OpenIndex(ctx, dir, retrieval.NewLocalEmbedder(384), retrieval.IndexOptions{})
		if err != nil {
			b.Fatal(err)
		}
		stats, err := ix.Refresh(ctx, syntheticDocs(b, 1000, 900), retrieval.RefreshOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if stats.ChunksTotal < 9000 || stats.ChunksTotal > 11000 {
			b.Fatalf("index holds %d chunks, want about 10,000", stats.ChunksTotal)
		}
		return ix
	}
	b.Run("searcher=index/chunks=10000", func(b *testing.B) {
		ix := index(b)
		run(b, ix, map[string]float64{"chunks": float64(ix.Stats().Chunks)})
	})
	// The search alone, to tell the answerer's share from retrieval's.
	b.Run("search-only/chunks=10000", func(b *testing.B) {
		ix := index(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ix.Search(ctx, "How much money has the United States pledged to the Kenya-led mission in Haiti?", 5); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkExtractiveAnswer times the extractive answerer end to end over
// the ferry corpus (search, judging the sentences, composing): the work an
// offline question costs beside the search.
func BenchmarkExtractiveAnswer(b *testing.B) {
	e := answererOver(b, ferryDocs())
	questions := []string{
		"How much had the ferry project cost by the end of 2024?",
		"Who commands the Aurora?",
		"How did the cost of the project change between 2023 and 2025?",
		"As of June 2024, how many passengers had travelled on the first day?",
	}
	b.ResetTimer()
	for range b.N {
		for _, q := range questions {
			if _, err := e.Answer(context.Background(), Request{Question: q}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
