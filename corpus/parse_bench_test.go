package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParseWide parses the wide set's 29 documents (saved pages,
// pasted text, Markdown): the per-document cost of cleaning and reading
// metadata, which a first ingest pays for every file.
func BenchmarkParseWide(b *testing.B) {
	files, err := filepath.Glob("../eval/wide/corpus/*")
	if err != nil || len(files) == 0 {
		b.Fatalf("wide corpus: %v", err)
	}
	data := make([][]byte, len(files))
	for i, f := range files {
		if data[i], err = os.ReadFile(f); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		for i, f := range files {
			if _, err := Parse(filepath.Base(f), data[i], Meta{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
