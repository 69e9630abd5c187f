package fakeopenai

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func postEmbeddings(t *testing.T, s *Server, body string) (*http.Response, embeddingsResponse) {
	t.Helper()
	resp, err := http.Post(s.BaseURL()+"/embeddings", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	var out embeddingsResponse
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("decode: %v", err)
		}
	}
	return resp, out
}

func TestEmbeddings(t *testing.T) {
	const body = `{"model":"m","input":["alpha","beta","gamma","delta","epsilon","zeta","eta","theta"]}`
	tests := []struct {
		name       string
		opts       EmbeddingsOptions
		body       string
		wantStatus []int // per request
		wantDim    int
		wantRetry  string
	}{
		{name: "default", body: body, wantStatus: []int{200}, wantDim: 16},
		{name: "dim", opts: EmbeddingsOptions{Dim: 3}, body: body, wantStatus: []int{200}, wantDim: 3},
		{name: "wrong dim", opts: EmbeddingsOptions{Dim: 3, WrongDim: 5}, body: body, wantStatus: []int{200}, wantDim: 5},
		{name: "single string input", body: `{"model":"m","input":"alpha"}`, wantStatus: []int{200}, wantDim: 16},
		{name: "fail first with retry-after", opts: EmbeddingsOptions{FailFirst: 2, RetryAfter: "3"}, body: body,
			wantStatus: []int{429, 429, 200}, wantDim: 16, wantRetry: "3"},
		{name: "fail first 503", opts: EmbeddingsOptions{FailFirst: 1, FailStatus: 503}, body: body, wantStatus: []int{503, 200}, wantDim: 16},
		{name: "fail after", opts: EmbeddingsOptions{FailAfter: 1}, body: body, wantStatus: []int{200, 500, 500}, wantDim: 16},
		{name: "reject key", opts: EmbeddingsOptions{RejectKey: true}, body: body, wantStatus: []int{401}},
		{name: "missing model", body: `{"input":["a"]}`, wantStatus: []int{400}},
		{name: "batch over a proxy's limit", opts: EmbeddingsOptions{MaxInputs: 4}, body: body, wantStatus: []int{413}},
		{name: "batch within the limit", opts: EmbeddingsOptions{MaxInputs: 8}, body: body, wantStatus: []int{200}, wantDim: 16},
		{name: "bad input", body: `{"model":"m","input":42}`, wantStatus: []int{400}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New(t, map[string]http.Handler{"/v1/embeddings": Embeddings(tc.opts)})
			for i, want := range tc.wantStatus {
				resp, out := postEmbeddings(t, s, tc.body)
				if resp.StatusCode != want {
					t.Fatalf("request %d: status %d, want %d", i+1, resp.StatusCode, want)
				}
				if want == 429 && resp.Header.Get("Retry-After") != tc.wantRetry {
					t.Errorf("Retry-After = %q, want %q", resp.Header.Get("Retry-After"), tc.wantRetry)
				}
				if want != 200 {
					continue
				}
				if out.Object != "list" || out.Model != "m" || len(out.Data) == 0 {
					t.Fatalf("bad response: %+v", out)
				}
				for j, d := range out.Data {
					if d.Index != j || d.Object != "embedding" || len(d.Embedding) != tc.wantDim {
						t.Errorf("item %d: index %d object %q dim %d", j, d.Index, d.Object, len(d.Embedding))
					}
				}
			}
			if got := s.Count("/v1/embeddings"); got != len(tc.wantStatus) {
				t.Errorf("Count = %d, want %d", got, len(tc.wantStatus))
			}
		})
	}
}

func TestEmbeddingsShuffleKeepsIndexes(t *testing.T) {
	s := New(t, map[string]http.Handler{"/v1/embeddings": Embeddings(EmbeddingsOptions{Shuffle: true, Dim: 4})})
	inputs := make([]string, 50)
	for i := range inputs {
		inputs[i] = strings.Repeat("x", i+1)
	}
	b, _ := json.Marshal(map[string]any{"model": "m", "input": inputs})
	_, out := postEmbeddings(t, s, string(b))
	var order []int
	for _, d := range out.Data {
		order = append(order, d.Index)
		if !slices.Equal(d.Embedding, Vector(inputs[d.Index], 4)) {
			t.Fatalf("item with index %d does not carry the vector of input %d", d.Index, d.Index)
		}
	}
	if slices.IsSorted(order) {
		t.Errorf("50 items came back in input order; Shuffle had no effect")
	}
}

func TestVectorDeterministic(t *testing.T) {
	a, b, c := Vector("haiti", 8), Vector("haiti", 8), Vector("kenya", 8)
	if !slices.Equal(a, b) {
		t.Error("same text gave different vectors")
	}
	if slices.Equal(a, c) {
		t.Error("different texts gave the same vector")
	}
}
