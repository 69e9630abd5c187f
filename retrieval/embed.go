package retrieval

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// EmbedderInfo identifies the vector space an embedder produces. The index
// records it; vectors from different spaces are never mixed.
type EmbedderInfo struct {
	// Name is the implementation: "local" or "openai".
	Name string `json:"name"`
	// Model is the model name (for "local", a version of the hashing scheme).
	Model string `json:"model"`
	// Dim is the vector length; 0 means not known until the first call.
	Dim int `json:"dim"`
}

// String names the vector space for messages: "local/hash-ngram-v4 (384
// dims)".
func (e EmbedderInfo) String() string {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.Model != "" {
		b.WriteString("/" + e.Model)
	}
	if e.Dim > 0 {
		fmt.Fprintf(&b, " (%d dims)", e.Dim)
	}
	return b.String()
}

// Embedder turns texts into vectors. Implementations must return exactly
// one L2-normalised vector per input, in input order, all of the same
// length, and must be safe for concurrent use.
type Embedder interface {
	Info() EmbedderInfo
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// ErrDimensionMismatch is returned (wrapped, naming both lengths) when an
// embedder's vectors do not match the dimension of the index or of each
// other: mixing vector spaces would silently break every later query.
var ErrDimensionMismatch = errors.New("embedding dimension mismatch")
