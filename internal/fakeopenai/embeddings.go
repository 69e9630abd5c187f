package fakeopenai

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
)

// EmbeddingsOptions configures the fake /v1/embeddings endpoint. The zero
// value answers every request with 16-dimensional vectors in input order.
type EmbeddingsOptions struct {
	// Dim is the vector length; 0 means 16.
	Dim int
	// WrongDim, when positive, makes every vector this long instead of Dim,
	// like a server that was switched to another model.
	WrongDim int
	// Shuffle returns the data items in a random order; each keeps its
	// correct "index", as real servers may do.
	Shuffle bool
	// FailFirst makes the first FailFirst requests fail with FailStatus
	// (429 when zero) and, when RetryAfter is set, a Retry-After header
	// (seconds or an HTTP date, sent verbatim).
	FailFirst  int
	FailStatus int
	RetryAfter string
	// FailAfter, when positive, makes every request after the first
	// FailAfter ones fail with 500, like an endpoint dying mid-refresh.
	FailAfter int
	// MaxInputs, when positive, answers a request with more inputs than
	// this with 413 and an HTML body, as a proxy with a body-size limit
	// (or a server with a batch limit) in front of the endpoint does.
	MaxInputs int
	// RejectKey answers every request with 401 and an error message that
	// quotes the bearer token, as some servers do, so tests can check the
	// key never reaches an error or a log.
	RejectKey bool
}

// embeddingsRequest is the part of the OpenAI request body the fake reads.
type embeddingsRequest struct {
	Input json.RawMessage `json:"input"`
	Model string          `json:"model"`
}

type embeddingItem struct {
	Object    string    `json:"object"`
	Index     int       `json:"index"`
	Embedding []float32 `json:"embedding"`
}

type embeddingsResponse struct {
	Object string          `json:"object"`
	Data   []embeddingItem `json:"data"`
	Model  string          `json:"model"`
	Usage  struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

// Embeddings returns a handler for POST /v1/embeddings that speaks the
// OpenAI JSON format and returns deterministic, unnormalised vectors derived
// from each input text (see Vector). Register it with
// New(t, map[string]http.Handler{"/v1/embeddings": Embeddings(opts)}).
func Embeddings(opts EmbeddingsOptions) http.Handler {
	dim := opts.Dim
	if dim <= 0 {
		dim = 16
	}
	if opts.WrongDim > 0 {
		dim = opts.WrongDim
	}
	var (
		mu sync.Mutex
		n  int // requests seen; guarded by mu
	)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		seq := n
		mu.Unlock()

		if r.Method != http.MethodPost {
			writeEmbeddingsError(w, http.StatusMethodNotAllowed, "invalid_request_error", "only POST is supported")
			return
		}
		if opts.RejectKey {
			key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			writeEmbeddingsError(w, http.StatusUnauthorized, "invalid_request_error",
				"Incorrect API key provided: "+key+". You can find your API key in your account settings.")
			return
		}
		if seq <= opts.FailFirst {
			status := opts.FailStatus
			if status == 0 {
				status = http.StatusTooManyRequests
			}
			if opts.RetryAfter != "" {
				w.Header().Set("Retry-After", opts.RetryAfter)
			}
			writeEmbeddingsError(w, status, "rate_limit_exceeded", fmt.Sprintf("simulated failure %d of %d", seq, opts.FailFirst))
			return
		}
		if opts.FailAfter > 0 && seq > opts.FailAfter {
			writeEmbeddingsError(w, http.StatusInternalServerError, "server_error", "simulated outage")
			return
		}

		var req embeddingsRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeEmbeddingsError(w, http.StatusBadRequest, "invalid_request_error", "malformed JSON body: "+err.Error())
			return
		}
		inputs, err := decodeEmbeddingsInput(req.Input)
		if err != nil {
			writeEmbeddingsError(w, http.StatusBadRequest, "invalid_request_error", err.Error())
			return
		}
		if req.Model == "" {
			writeEmbeddingsError(w, http.StatusBadRequest, "invalid_request_error", "you must provide a model parameter")
			return
		}
		if opts.MaxInputs > 0 && len(inputs) > opts.MaxInputs {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			fmt.Fprint(w, "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n</body>\r\n</html>\r\n")
			return
		}

		resp := embeddingsResponse{Object: "list", Model: req.Model}
		tokens := 0
		for i, text := range inputs {
			resp.Data = append(resp.Data, embeddingItem{Object: "embedding", Index: i, Embedding: Vector(text, dim)})
			tokens += len(strings.Fields(text))
		}
		resp.Usage.PromptTokens, resp.Usage.TotalTokens = tokens, tokens
		if opts.Shuffle {
			rand.Shuffle(len(resp.Data), func(i, j int) { resp.Data[i], resp.Data[j] = resp.Data[j], resp.Data[i] })
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	})
}

// decodeEmbeddingsInput accepts the two input shapes clients send: one string or an
// array of strings.
func decodeEmbeddingsInput(raw json.RawMessage) ([]string, error) {
	var many []string
	if err := json.Unmarshal(raw, &many); err == nil {
		if len(many) == 0 {
			return nil, fmt.Errorf("'input' must not be empty")
		}
		return many, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, fmt.Errorf("'input' must be a string or an array of strings")
	}
	return []string{one}, nil
}

// Vector is the fake's embedding of text: dim deterministic components in
// [-1, 1), deliberately not normalised so clients must normalise.
func Vector(text string, dim int) []float32 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(text))
	r := rand.New(rand.NewPCG(h.Sum64(), 0x9e3779b97f4a7c15))
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(r.Float64()*2 - 1)
	}
	return v
}

// writeEmbeddingsError writes an error in OpenAI's JSON error format.
func writeEmbeddingsError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": nil},
	})
}
