package retrieval

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"missionbot/internal/fakeopenai"
)

// TestOpenAIEmbedderHalvesBatchOn413: a 413 (a proxy's body limit, a
// server's batch limit) halves the batch and retries, instead of failing
// the ingest with no hint (issue 10).
func TestOpenAIEmbedderHalvesBatchOn413(t *testing.T) {
	srv := fakeopenai.New(t, map[string]http.Handler{
		"/v1/embeddings": fakeopenai.Embeddings(fakeopenai.EmbeddingsOptions{Dim: 8, MaxInputs: 10}),
	})
	e, _, logs := newTestOpenAIEmbedder(t, srv, OpenAIEmbedderOptions{BatchSize: 64})
	in := sampleTexts(37)
	vecs, err := e.Embed(context.Background(), in)
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	for i, v := range vecs {
		want, _ := unitVector(fakeopenai.Vector(in[i], 8))
		if !vecsClose(v, want) {
			t.Fatalf("vector %d is not the embedding of text %d", i, i)
		}
	}
	// 37 → 413; 18 → 413, 9, 9; 19 → 413, 9, 10.
	if got := srv.Count("/v1/embeddings"); got != 7 {
		t.Errorf("%d requests, want 7", got)
	}
	if !strings.Contains(logs.String(), "halving") {
		t.Errorf("halving not logged: %s", logs)
	}
}

// TestOpenAIEmbedderWrongBaseURL: a base URL without /v1 gets the plain
// "404 page not found" of a server's root, which the error explains.
func TestOpenAIEmbedderWrongBaseURL(t *testing.T) {
	srv := fakeopenai.New(t, map[string]http.Handler{"/v1/embeddings": fakeopenai.Embeddings(fakeopenai.EmbeddingsOptions{})})
	e, err := NewOpenAIEmbedder(OpenAIEmbedderOptions{BaseURL: srv.URL, Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Embed(context.Background(), []string{"x"})
	if err == nil || !strings.Contains(err.Error(), "/v1") || !strings.Contains(err.Error(), "404") {
		t.Errorf("err = %v, want a hint that the base URL usually ends in /v1", err)
	}
}

// TestSearchDimensionMismatchSaysRebuild: a query vector of the wrong size
// (the embedding model was changed) still answers from keywords, with a
// notice that says to rebuild rather than "service unavailable".
func TestSearchDimensionMismatchSaysRebuild(t *testing.T) {
	emb := newIxEmbedder()
	ix := corpusIndex(t, emb)
	emb.hook = func(context.Context, int64) error {
		return fmt.Errorf("%w: model returned 768-dimensional vectors, expected 384", ErrDimensionMismatch)
	}
	res, err := ix.Search(context.Background(), "How many troops did Benin pledge?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if res.Notice != NoticeDimensionMismatch || !strings.Contains(res.Notice, "missionbot ingest") || len(res.Passages) == 0 {
		t.Errorf("notice %q with %d passages", res.Notice, len(res.Passages))
	}
	if !errors.Is(fmt.Errorf("x: %w", ErrDimensionMismatch), ErrDimensionMismatch) {
		t.Fatal("sentinel does not unwrap")
	}
}
