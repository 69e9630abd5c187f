package text

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// tokensDigest is the digest of Tokens over the repository's documents at
// TokensVersion. When Tokens changes what it returns, this test fails:
// bump TokensVersion (so stored BM25 indexes are rebuilt) and set this to
// the digest the failure prints.
const tokensDigest = "5ff5ee7aa5c5998dd0447746"

// TestTokensVersion ties TokensVersion to what Tokens returns over the
// documents the repository ships (the seed corpus and the wide set: pages,
// pasted text, French), so a change in tokenising cannot reach stored
// indexes without a new version.
func TestTokensVersion(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../corpus/*.txt", "../eval/wide/corpus/*"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 29 {
		t.Fatalf("found %d documents, want the seed and wide corpora", len(files))
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(strings.Join(Tokens(string(data)), " ")))
		h.Write([]byte{0})
	}
	if got := hex.EncodeToString(h.Sum(nil)[:12]); got != tokensDigest {
		t.Errorf("Tokens over the repository's documents digests to %s, want %s (TokensVersion %s): "+
			"tokenising changed; bump TokensVersion and set tokensDigest to %s", got, tokensDigest, TokensVersion, got)
	}
}
