package answer

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"missionbot/retrieval"
)

func threePassages() []retrieval.Passage { return pledgeResults().Passages }

func TestVerifyCitations(t *testing.T) {
	cases := []struct {
		name        string
		in          string
		want        string
		wantIDs     string // cited chunk IDs in new numbering
		wantRefused bool
		wantNotice  string
	}{
		{"plain", "A [1]. B [2].", "A [1]. B [2].", "a,b", false, ""},
		{"renumber first use", "C [3]. A [1]. C again [3].", "C [1]. A [2]. C again [1].", "c,a", false, ""},
		{"out of range removed", "A [0]. B [99]. C [2].", "A. B. C [1].", "b", false, ""},
		{"comma list", "A [1,2].", "A [1][2].", "a,b", false, ""},
		{"comma space list", "A [2, 1].", "A [1][2].", "b,a", false, ""},
		{"range", "A [1-3].", "A [1][2][3].", "a,b,c", false, ""},
		{"en dash range", "A [1–2].", "A [1][2].", "a,b", false, ""},
		{"source word", "A [source 3]. B [Source 1].", "A [1]. B [2].", "c,a", false, ""},
		{"sources and", "A [Sources 1 and 2].", "A [1][2].", "a,b", false, ""},
		{"fullwidth brackets", "A 【2】. B 【1†source】.", "A [1]. B [2].", "b,a", false, ""},
		{"adjacent duplicates", "A [1][1] [1]. B [2] [2].", "A [1]. B [2].", "a,b", false, ""},
		{"partly valid list", "A [1, 7, 1].", "A [1].", "a", false, ""},
		{"inline code untouched", "Use `arr[1]` like this [2].", "Use `arr[1]` like this [1].", "b", false, ""},
		{"fence untouched", "See [1].\n```\nx[2] = [99]\n```\nDone [3].", "See [1].\n```\nx[2] = [99]\n```\nDone [2].", "a,c", false, ""},
		{"unclosed fence", "A [2].\n```\n[5]", "A [1].\n```\n[5]", "b", false, ""},
		{"unmatched backtick is prose", "It`s [2].", "It`s [1].", "b", false, ""},
		{"huge number", "A [99999999999999999999999].", "A.", "", false, NoticeUncited},
		{"marker formed by removal", "A [[99]1].", "A.", "", false, NoticeUncited},
		{"huge range keeps its valid end", "A [1-1000000000].", "A [1].", "a", false, ""},
		{"no citations", "The US pledged money.", "The US pledged money.", "", false, NoticeUncited},
		{"refusal", "I don't know; the sources do not say.", "I don't know; the sources do not say.", "", true, ""},
		{"french refusal", "Je ne sais pas.", "Je ne sais pas.", "", true, ""},
		{"refusal with bad marker", "The sources do not mention Benin [9].", "The sources do not mention Benin.", "", true, ""},
		{"hedge with citation is not a refusal", "I don't know the exact date, but police arrived in June 2024 [3].", "I don't know the exact date, but police arrived in June 2024 [1].", "c", false, ""},
		{"empty", "", "", "", false, ""},
		{"year in brackets dropped", "In [2024] police came [3].", "In police came [1].", "c", false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := verifyCitations(tc.in, threePassages())
			var ids []string
			for i, c := range v.Citations {
				ids = append(ids, c.ChunkID)
				if c.N != i+1 {
					t.Errorf("citation %d numbered %d", i, c.N)
				}
			}
			if v.Text != tc.want || strings.Join(ids, ",") != tc.wantIDs || v.Refused != tc.wantRefused || v.Notice != tc.wantNotice {
				t.Errorf("verify(%q) = %q ids %v refused %v notice %q\nwant %q ids %q refused %v notice %q",
					tc.in, v.Text, ids, v.Refused, v.Notice, tc.want, tc.wantIDs, tc.wantRefused, tc.wantNotice)
			}
		})
	}
}

func TestBestQuote(t *testing.T) {
	p := threePassages()[1].Text
	cases := []struct {
		claim, want string
	}{
		{"Biden raised the pledge to $360 million", "President Biden said the United States would provide $360 million for the mission."},
		{"The earlier pledge was $200 million", "The earlier pledge was $200 million."},
		{"zzz", ""},
	}
	for _, tc := range cases {
		t.Run(tc.claim, func(t *testing.T) {
			if got := bestQuote(tc.claim, p); got != tc.want {
				t.Errorf("bestQuote(%q) = %q, want %q", tc.claim, got, tc.want)
			}
		})
	}
}

var canonicalMarker = regexp.MustCompile(`^\[(\d+)\]$`)

// checkVerified asserts the invariants of verified output: every marker
// outside code is canonical [k] with a citation, numbered 1..m in order of
// first use, each citation used.
func checkVerified(in string, v verifiedText, n int) error {
	used := map[int]bool{}
	next := 1
	for _, sp := range splitCode(v.Text) {
		if sp.code {
			continue
		}
		for _, m := range citeMarker.FindAllString(sp.text, -1) {
			sub := canonicalMarker.FindStringSubmatch(m)
			if sub == nil {
				return fmt.Errorf("non-canonical marker %q in %q", m, v.Text)
			}
			k := atoiOrZero(sub[1])
			if k < 1 || k > len(v.Citations) {
				return fmt.Errorf("marker [%d] has no citation (%d citations) in %q", k, len(v.Citations), v.Text)
			}
			if !used[k] {
				if k != next {
					return fmt.Errorf("marker [%d] used before [%d] in %q", k, next, v.Text)
				}
				used[k] = true
				next++
			}
		}
	}
	if len(used) != len(v.Citations) {
		return fmt.Errorf("%d citations but %d used in %q", len(v.Citations), len(used), v.Text)
	}
	if len(v.Citations) > n {
		return fmt.Errorf("%d citations for %d passages", len(v.Citations), n)
	}
	seen := map[string]bool{}
	for _, c := range v.Citations {
		if seen[c.ChunkID] {
			return fmt.Errorf("passage %s cited twice", c.ChunkID)
		}
		seen[c.ChunkID] = true
	}
	return nil
}

func FuzzVerify(f *testing.F) {
	for _, s := range []string{
		"A [1]. B [2][2] [3].", "[1,2] [1-3] [source 2] 【3】", "`[1]` ```\n[2]\n``` [3]",
		"[[99]1]", "[0] [99] [-1]", "``[1]`` `", "[1-99999999999]", "[1][[2]3]]",
	} {
		f.Add(s)
	}
	passages := threePassages()
	f.Fuzz(func(t *testing.T, in string) {
		v := verifyCitations(in, passages)
		if err := checkVerified(in, v, len(passages)); err != nil {
			t.Fatal(err)
		}
		// Verifying verified text changes nothing.
		again := verifyCitations(v.Text, citedPassages(v, passages))
		if again.Text != v.Text || len(again.Citations) != len(v.Citations) {
			t.Fatalf("not idempotent: %q → %q", v.Text, again.Text)
		}
	})
}

// citedPassages returns the passages v cites, in its numbering.
func citedPassages(v verifiedText, all []retrieval.Passage) []retrieval.Passage {
	var out []retrieval.Passage
	for _, c := range v.Citations {
		for _, p := range all {
			if p.ID == c.ChunkID {
				out = append(out, p)
			}
		}
	}
	return out
}

func BenchmarkVerifyCitations(b *testing.B) {
	text := strings.Repeat("The US pledged $100 million in September 2023 [1], later $360 million [2, 3]. ", 8)
	passages := threePassages()
	b.ReportAllocs()
	for b.Loop() {
		verifyCitations(text, passages)
	}
}
