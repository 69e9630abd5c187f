package bot

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var markerRE = regexp.MustCompile(`\[\d{1,3}\]`)

// checkParts fails the test unless parts is a valid split of text.
func checkParts(t testing.TB, text string, limit int, parts []string) {
	t.Helper()
	for i, p := range parts {
		if n := utf8.RuneCountInString(p); n > limit {
			t.Fatalf("part %d has %d runes, limit %d: %q", i, n, limit, p)
		}
		if strings.TrimSpace(p) != p || p == "" {
			t.Fatalf("part %d is empty or has surrounding space: %q", i, p)
		}
	}
	if limit < minProtectedLimit {
		return
	}
	in := len(markerRE.FindAllString(text, -1))
	out := 0
	for _, p := range parts {
		out += len(markerRE.FindAllString(p, -1))
	}
	if out < in {
		t.Fatalf("markers cut: %d in input, %d in parts %q", in, out, parts)
	}
	a, b := nonSpace(text), nonSpace(strings.Join(parts, ""))
	if strings.Contains(text, "```") {
		if !isSubsequence(a, b) {
			t.Fatalf("text lost:\n in: %q\nout: %q", a, b)
		}
	} else if a != b {
		t.Fatalf("text changed:\n in: %q\nout: %q", a, b)
	}
}

func nonSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func isSubsequence(a, b string) bool {
	rb := []rune(b)
	j := 0
	for _, r := range a {
		for j < len(rb) && rb[j] != r {
			j++
		}
		if j == len(rb) {
			return false
		}
		j++
	}
	return true
}

func TestSplitMessage(t *testing.T) {
	long := strings.Repeat("The mission deployed more officers to Port-au-Prince [1]. ", 60)
	fence := "Intro.\n\n```go\n" + strings.Repeat("fmt.Println(\"x\")\n", 20) + "```\nOutro."
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string // nil: only check the invariants
		check func(t *testing.T, parts []string)
	}{
		{name: "empty", text: "", limit: 10, want: []string{}},
		{name: "whitespace only", text: " \n\t ", limit: 10, want: []string{}},
		{name: "fits", text: "  Hello [1].  ", limit: 20, want: []string{"Hello [1]."}},
		{name: "paragraphs", text: "First para here.\n\nSecond para here.", limit: 20,
			want: []string{"First para here.", "Second para here."}},
		{name: "sentences", text: "One two three. Four five six. Seven.", limit: 30,
			want: []string{"One two three. Four five six.", "Seven."}},
		{name: "marker stays with sentence", text: "Aaaa bbbb cccc. [12] Dddd eeee.", limit: 22,
			want: []string{"Aaaa bbbb cccc. [12]", "Dddd eeee."}},
		{name: "marker never cut", text: "xxxxxxxxx[123]yyyy", limit: 12,
			want: []string{"xxxxxxxxx", "[123]yyyy"}},
		{name: "code span kept whole", text: "use the `go test ./...` command now", limit: 20,
			want: []string{"use the", "`go test ./...`", "command now"}},
		{name: "no spaces hard cut", text: strings.Repeat("a", 25), limit: 10,
			want: []string{strings.Repeat("a", 10), strings.Repeat("a", 10), strings.Repeat("a", 5)}},
		{name: "code points not bytes", text: strings.Repeat("é", 15), limit: 10,
			want: []string{strings.Repeat("é", 10), strings.Repeat("é", 5)}},
		{name: "long answer", text: long, limit: MaxContent, check: func(t *testing.T, parts []string) {
			if len(parts) != 2 {
				t.Fatalf("got %d parts, want 2", len(parts))
			}
			for _, p := range parts {
				if !strings.HasSuffix(p, "[1].") {
					t.Errorf("part does not end at a sentence: ...%q", p[len(p)-20:])
				}
			}
		}},
		{name: "fence reopened", text: fence, limit: 120, check: func(t *testing.T, parts []string) {
			if len(parts) < 3 {
				t.Fatalf("got %d parts, want at least 3: %q", len(parts), parts)
			}
			if parts[0] != "Intro." {
				t.Errorf("first part %q, want the intro alone", parts[0])
			}
			for _, p := range parts[1 : len(parts)-1] {
				if !strings.HasPrefix(p, "```go\n") || !strings.HasSuffix(p, "```") {
					t.Errorf("middle part not a closed code block: %q", p)
				}
			}
		}},
		{name: "fence fits in next part", text: "Some words here.\n```\ncode\n```", limit: 20,
			want: []string{"Some words here.", "```\ncode\n```"}},
		{name: "unclosed fence is text", text: "``` a b c d e f g h", limit: 10, want: nil},
		{name: "limit zero means default", text: "hi", limit: 0, want: []string{"hi"}},
		{name: "tiny limit", text: "abc [1] def", limit: 3, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parts := SplitMessage(tc.text, tc.limit)
			limit := tc.limit
			if limit < 1 {
				limit = MaxContent
			}
			checkParts(t, tc.text, limit, parts)
			if tc.want != nil && fmt.Sprintf("%q", parts) != fmt.Sprintf("%q", tc.want) {
				if !(len(parts) == 0 && len(tc.want) == 0) {
					t.Errorf("got  %q\nwant %q", parts, tc.want)
				}
			}
			if tc.check != nil {
				tc.check(t, parts)
			}
		})
	}
}

func FuzzSplitMessage(f *testing.F) {
	f.Add("Haiti's police [1] and Kenya's officers [2]. More text here.\n\nA paragraph.", uint16(20))
	f.Add("```go\nfunc main() {}\nfmt.Println(1)\n```", uint16(12))
	f.Add("`code span` [1][2] ``two`` ```", uint16(9))
	f.Fuzz(func(t *testing.T, text string, l uint16) {
		if !utf8.ValidString(text) {
			t.Skip()
		}
		limit := minProtectedLimit + int(l%400)
		checkParts(t, text, limit, SplitMessage(text, limit))
	})
}

func ExampleSplitMessage() {
	text := "The MSS mission arrived in June 2024 [1]. Kenyan police led it [2].\n\nFunding came from a UN trust fund [3]."
	for _, part := range SplitMessage(text, 70) {
		fmt.Printf("%q\n", part)
	}
	// Output:
	// "The MSS mission arrived in June 2024 [1]. Kenyan police led it [2]."
	// "Funding came from a UN trust fund [3]."
}

func BenchmarkSplitMessage(b *testing.B) {
	text := strings.Repeat("The mission deployed more officers to Port-au-Prince [1]. ", 500)
	b.ReportAllocs()
	for b.Loop() {
		SplitMessage(text, MaxContent)
	}
}
