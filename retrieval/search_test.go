package retrieval

import (
	"context"
	"errors"
	"strings"
	"testing"

	"missionbot/corpus"
)

// corpusIndex indexes the built-in corpus with emb.
func corpusIndex(t *testing.T, emb *ixEmbedder) *Index {
	t.Helper()
	docs, _, err := corpus.Load(corpus.Embedded(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ix, _ := openTestIndex(t, t.TempDir(), emb)
	mustRefresh(t, ix, docs, RefreshOptions{})
	return ix
}

func TestSearchRelevance(t *testing.T) {
	ix := corpusIndex(t, newIxEmbedder())
	tests := []struct {
		name      string
		query     string
		wantTop   string // text the top passage must hold; "" for a refusal
		wantFirst bool
		// absent is a term the search must report the corpus holds in
		// no way, so the answerer can refuse.
		absent string
	}{
		{"figure", "How many troops did Benin pledge?", "2,000", true, ""},
		{"name", "Who is Kenya's defence minister?", "Aden Bare Duale", false, ""},
		{"out of corpus", "Who won the 2022 FIFA World Cup?", "", false, "fifa world cup"},
		{"corpus words, absent fact", "How many Kenyan police officers have been killed in Haiti?", "2", false, "kill"},
		{"only stopwords", "what is it?", "", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tc.query, 5)
			if err != nil {
				t.Fatal(err)
			}
			if tc.absent != "" {
				found := false
				for _, qt := range res.Terms {
					if qt.Term == tc.absent {
						found = true
						if qt.Known || len(qt.Related) > 0 {
							t.Errorf("term %q: known %v, related %q; the corpus never uses it", qt.Term, qt.Known, qt.Related)
						}
					}
				}
				if !found {
					t.Errorf("no query term %q in %+v", tc.absent, res.Terms)
				}
			}
			if tc.wantTop == "" {
				for _, p := range res.Passages {
					if p.Coverage >= 0.4 && p.Support >= 0.4 {
						t.Errorf("passage %d covers %.2f with support %.2f of a question the corpus does not answer: %.80q", p.Rank, p.Coverage, p.Support, p.Text)
					}
				}
				return
			}
			if len(res.Passages) == 0 {
				t.Fatal("no passages found")
			}
			found := false
			for i, p := range res.Passages {
				if p.Rank != i+1 {
					t.Errorf("passage %d has rank %d", i, p.Rank)
				}
				if strings.Contains(p.Text, tc.wantTop) {
					found = true
					if tc.wantFirst && i != 0 {
						t.Errorf("%q is at rank %d, want 1", tc.wantTop, i+1)
					}
				}
			}
			if !found {
				t.Errorf("no passage holds %q", tc.wantTop)
			}
		})
	}
}

// TestSearchWithoutEmbeddings: when the embedder fails, search matches
// keywords alone and says so, rather than failing the question; when the
// caller's context ends, it fails.
func TestSearchWithoutEmbeddings(t *testing.T) {
	emb := newIxEmbedder()
	ix := corpusIndex(t, emb)
	emb.hook = func(context.Context, int64) error { return errors.New("embedding service down") }
	res, err := ix.Search(context.Background(), "How many troops did Benin pledge?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if res.Notice != NoticeKeywordsOnly || len(res.Passages) == 0 || !strings.Contains(res.Passages[0].Text, "2,000") {
		t.Errorf("keyword-only search: notice %q, %d passages", res.Notice, len(res.Passages))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.Search(ctx, "How many troops did Benin pledge?", 5); !errors.Is(err, context.Canceled) {
		t.Errorf("search on a cancelled context = %v, want context.Canceled", err)
	}
}

func TestSearchEmptyIndex(t *testing.T) {
	ix, _ := openTestIndex(t, t.TempDir(), newIxEmbedder())
	res, err := ix.Search(context.Background(), "How many troops did Benin pledge?", 5)
	if err != nil || len(res.Passages) != 0 {
		t.Errorf("empty index: %+v, %v", res, err)
	}
}
