package retrieval

import (
	"context"
	"fmt"
	"math"
	"missionbot/text"
)

// DefaultLocalDim is the local embedder's default vector length.
const DefaultLocalDim = 384

// localModel names the feature scheme; change it whenever the features
// change so that indexes built with the old scheme are rebuilt.
const localModel = "hash-ngram-v7"

// LocalEmbedder makes deterministic vectors without a model or network: it
// hashes word unigrams, word bigrams and character n-grams of each word into
// a fixed number of signed buckets, weights them TF-IDF style, and
// L2-normalises the result. Similar wording gives similar vectors, which
// with BM25 beside it is enough for a corpus of news passages.
//
// Weighting: term frequency is dampened (a signed square root per bucket,
// the hashed counterpart of sublinear TF); inverse document frequency cannot
// come from the corpus, because vectors must not change when other documents
// do (that would defeat incremental refresh), so a static proxy stands in:
// stopwords weigh little, numbers and long words weigh more.
type LocalEmbedder struct {
	dim int
}

// NewLocalEmbedder returns a local embedder producing dim-length vectors
// (DefaultLocalDim when dim ≤ 0).
func NewLocalEmbedder(dim int) *LocalEmbedder {
	if dim <= 0 {
		dim = DefaultLocalDim
	}
	return &LocalEmbedder{dim: dim}
}

// Info identifies the local embedder's vector space.
func (e *LocalEmbedder) Info() EmbedderInfo {
	return EmbedderInfo{Name: "local", Model: localModel, Dim: e.dim}
}

// Embed returns one normalised vector per text. It does no I/O and never
// fails except when ctx is done.
func (e *LocalEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("local embed: %w", err)
			}
		}
		out[i] = e.vector(t)
	}
	return out, nil
}

// Feature weights, relative to a content word.
const (
	weightWord     = 1.0
	weightStopword = 0.1
	weightBigram   = 0.6
	weightCharGram = 0.35
)

func (e *LocalEmbedder) vector(s string) []float32 {
	v := make([]float32, e.dim)
	toks := text.Tokens(s)
	prev := ""
	for _, t := range toks {
		if text.IsStopword(t) {
			e.add(v, 'w', t, "", weightStopword)
			continue
		}
		w := termWeight(t)
		e.add(v, 'w', t, "", weightWord*w)
		if prev != "" {
			e.add(v, 'b', prev, t, weightBigram*w)
		}
		prev = t
		e.addCharGrams(v, t, weightCharGram*w)
	}
	var norm float64
	for i, x := range v {
		// Signed square root: sublinear term frequency for hashed counts.
		s := float32(math.Sqrt(math.Abs(float64(x))))
		if x < 0 {
			s = -s
		}
		v[i] = s
		norm += float64(s) * float64(s)
	}
	if norm == 0 {
		// No features at all (empty or symbol-only text): a fixed unit
		// vector keeps the contract that every vector is normalised.
		v[0] = 1
		return v
	}
	inv := float32(1 / math.Sqrt(norm))
	for i := range v {
		v[i] *= inv
	}
	return v
}

// termWeight is the static IDF proxy: numbers and long words are rarer and
// more telling than short ones.
func termWeight(t string) float32 {
	if isInt(t) {
		return 1.3
	}
	switch n := len(t); {
	case n <= 3:
		return 0.8
	case n >= 8:
		return 1.2
	}
	return 1
}

// isInt reports whether strconv.Atoi would accept t, as a token (no sign):
// ASCII digits whose value fits an int64. Atoi itself allocates an error
// for every word that is not a number, which showed in ingest profiles.
func isInt(t string) bool {
	if t == "" || len(t) > 19 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return len(t) < 19 || t <= "9223372036854775807"
}

// addCharGrams adds the 3- and 4-grams of "^word$", so inflections and
// spelling variants ("Jovenal"/"Jovenel") still share most features.
func (e *LocalEmbedder) addCharGrams(v []float32, tok string, w float32) {
	// "^word$" in a stack buffer, not a new string per word.
	var buf [64]byte
	s := append(append(append(buf[:0], '^'), tok...), '$')
	if len(s) <= 4 {
		return
	}
	grams := 0
	for n := 3; n <= 4; n++ {
		grams += len(s) - n + 1
	}
	each := w / float32(math.Sqrt(float64(grams)))
	for n := 3; n <= 4; n++ {
		for i := 0; i+n <= len(s); i++ {
			e.bucket(v, fnvAddBytes(fnvOffset^uint64('c'), s[i:i+n]), each)
		}
	}
}

// add hashes a feature into a signed bucket.
func (e *LocalEmbedder) add(v []float32, kind byte, a, b string, w float32) {
	sum := fnvAdd(fnvOffset^uint64(kind), a)
	if b != "" {
		sum = fnvAdd(sum*fnvPrime, b)
	}
	e.bucket(v, sum, w)
}

// bucket adds w to the bucket of a feature hash. The sign, taken from the
// hash, makes collisions cancel out on average instead of piling up.
func (e *LocalEmbedder) bucket(v []float32, sum uint64, w float32) {
	i := int(sum % uint64(len(v)))
	if sum>>63 == 1 {
		w = -w
	}
	v[i] += w
}

// FNV-1a, inlined: hash/fnv's interface would allocate for every feature,
// and embedding speed bounds ingest speed.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func fnvAddBytes(h uint64, s []byte) uint64 {
	for _, c := range s {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}
