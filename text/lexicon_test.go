package text

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestLexiconRelatesWordsAPassageMayUse: narrower words and synonyms are
// related, broader words and siblings are not (an allowance is not money,
// Japan is not Canada).
func TestLexiconRelatesWordsAPassageMayUse(t *testing.T) {
	related := func(w string) []string { return Related(strings.Join(Tokens(w), " ")) }
	for _, tc := range []struct{ word, want string }{
		{"beverage", "tea"},
		{"promise", "pledg"},
		{"marooned", "strand"},
		{"head of state", "president"},
		{"sum", "amount"},
	} {
		if !slices.Contains(related(tc.word), tc.want) {
			t.Errorf("Related(%q) = %q, want it to hold %q", tc.word, related(tc.word), tc.want)
		}
	}
	for _, tc := range []struct{ word, not string }{
		{"allowance", "money"},
		{"japan", "canada"},
		{"tea", "beverag"},
	} {
		if slices.Contains(related(tc.word), tc.not) {
			t.Errorf("Related(%q) holds %q: a broader word or a sibling", tc.word, tc.not)
		}
	}
}

func TestLexiconWordClasses(t *testing.T) {
	if !IsProperName("austin") || IsProperName("appeal") || !IsProperName("kabiru") {
		t.Error("proper names: austin and kabiru are names, appeal is a common word")
	}
	if NounCategory(Terms("officer")[0]) != CategoryPerson {
		t.Error("an officer is a person")
	}
	if !IsNoun("tea") || !IsVerb(Terms("pledge")[0]) {
		t.Error("tea is a noun, pledge a verb")
	}
	if n, key := Collocation(Tokens("head of state visited")); n != 3 || key != "head of stat" {
		t.Errorf("Collocation = %d %q, want 3 %q", n, key, "head of stat")
	}
}

func TestMarkedTokens(t *testing.T) {
	toks, marks := MarkedTokens("How much did Japan give to Kenya's Court of Appeal and the US-Kenya fund?")
	names := map[string]bool{}
	for i, tok := range toks {
		if marks[i]&MarkName != 0 {
			names[tok] = true
		}
	}
	for _, want := range []string{"japan", "kenya", "court", "appeal", "usa"} {
		if !names[want] {
			t.Errorf("%q is not marked as a name: %v", want, names)
		}
	}
	if names["how"] || names["much"] {
		t.Error("the first word of a question is not a name")
	}
	for i, tok := range toks {
		if tok == "kenya" && i+1 < len(toks) && toks[i+1] == "court" && marks[i]&MarkBreak == 0 {
			t.Error("a possessive ends a name: Kenya's | Court of Appeal")
		}
	}
}

func TestLexiconDerivedForms(t *testing.T) {
	if d := Derived(Terms("death")[0]); !slices.Contains(d, Terms("die")[0]) {
		t.Errorf("Derived(death) = %q, want die", d)
	}
	if d := Derived(Terms("announce")[0]); !slices.Contains(d, Terms("announcement")[0]) {
		t.Errorf("Derived(announce) = %q, want announcement", d)
	}
}

// TestCompiledLexiconIsCurrent: the embedded lexicon.bin.gz is lexicon.gz
// compiled with today's Tokens. When Tokens changes, this fails until the
// compiled file is regenerated (go run ./internal/lexicongen -compile).
func TestCompiledLexiconIsCurrent(t *testing.T) {
	src, err := os.ReadFile("lexicon.gz")
	if err != nil {
		t.Fatal(err)
	}
	want, err := parseLexicon(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeLexicon(lexiconBin)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.keys, want.keys) || !bytes.Equal(got.pos, want.pos) || !bytes.Equal(got.cat, want.cat) ||
		!slices.Equal(got.start, want.start) || !slices.Equal(got.rel, want.rel) {
		t.Fatal("lexicon.bin.gz is not lexicon.gz compiled with the current Tokens: run go run ./internal/lexicongen -compile")
	}
}

func TestDecodeLexiconRefusesDamage(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty":      nil,
		"not gzip":   []byte("MBLEX\x01"),
		"cut short":  lexiconBin[:len(lexiconBin)/2],
		"other file": mustGzip(t, []byte("# text lexicon\n")),
	} {
		if _, err := decodeLexicon(data); !errors.Is(err, errLexicon) {
			t.Errorf("%s: err = %v, want errLexicon", name, err)
		}
	}
}

func mustGzip(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func BenchmarkOpenLexicon(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeLexicon(lexiconBin); err != nil {
			b.Fatal(err)
		}
	}
}
