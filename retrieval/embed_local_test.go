package retrieval

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io/fs"
	"math"
	"strings"
	"testing"

	"missionbot/corpus"
)

// TestLocalEmbedderStable pins the local embedder's vectors for the
// built-in corpus: a speed-up must not change them, since indexes built
// with localModel are reused as they are. Change localModel (and this
// digest) only when the features change on purpose.
func TestLocalEmbedderStable(t *testing.T) {
	// The built-in corpus's raw paragraphs, so that changes to parsing or
	// chunking do not move the digest; changes to text.Tokens do, and
	// rightly (see its doc comment).
	var texts []string
	err := fs.WalkDir(corpus.Embedded(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".txt") {
			return err
		}
		b, err := fs.ReadFile(corpus.Embedded(), p)
		texts = append(texts, strings.Split(string(b), "\n\n")...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	texts = append(texts, "", "!!!", "2,000 troops and 9223372036854775807 or 9223372036854775808 items", "Ünïcödé wörds — ça va? 東京 ١٢٣",
		"a supercalifragilisticexpialidociousandmuchlongerthansixtyfourbyteswordthatgoesonandon word")
	vecs, err := NewLocalEmbedder(DefaultLocalDim).Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, v := range vecs {
		for _, x := range v {
			h.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(x)))
		}
	}
	const want = "be63e4eec33be502135f848cedd5f708"
	if got := hex.EncodeToString(h.Sum(nil)[:16]); got != want {
		t.Errorf("local embedder vectors digest %s, want %s: the vectors changed; if on purpose, bump localModel", got, want)
	}
}
