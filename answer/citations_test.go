package answer

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"missionbot/retrieval"
)

func threePassages() []retrieval.Passage { return pledgeResults().Passages }

const pledgeQuestion = "How much has the US pledged?"

func verify(in string) verifiedText {
	return verifyCitations(in, pledgeQuestion, true, sourcesOf(threePassages()))
}

func TestVerifyCitations(t *testing.T) {
	cases := []struct {
		name        string
		in          string
		want        string
		wantIDs     string // cited chunk IDs in new numbering
		wantNotices []string
	}{
		{"plain", "A [1]. B [2].", "A [1]. B [2].", "a,b", nil},
		{"renumber first use", "C [3]. A [1]. C again [3].", "C [1]. A [2]. C again [1].", "c,a", nil},
		{"out of range removed", "A [0]. B [99]. C [2].", "A. B. C [1].", "b", []string{NoticeBadMarker}},
		{"comma list", "A [1,2].", "A [1][2].", "a,b", nil},
		{"comma space list", "A [2, 1].", "A [1][2].", "b,a", nil},
		{"range", "A [1-3].", "A [1][2][3].", "a,b,c", nil},
		{"en dash range", "A [1–2].", "A [1][2].", "a,b", nil},
		{"source word", "A [source 3]. B [Source 1].", "A [1]. B [2].", "c,a", nil},
		{"sources and", "A [Sources 1 and 2].", "A [1][2].", "a,b", nil},
		{"fullwidth brackets", "A 【2】. B 【1†source】.", "A [1]. B [2].", "b,a", nil},
		{"adjacent duplicates", "A [1][1] [1]. B [2] [2].", "A [1]. B [2].", "a,b", nil},
		{"partly valid list", "A [1, 7, 1].", "A [1].", "a", nil},
		{"inline code untouched", "Use `arr[1]` like this [2].", "Use `arr[1]` like this [1].", "b", nil},
		{"fence untouched", "See [1].\n```\nx[2] = [99]\n```\nDone [3].", "See [1].\n```\nx[2] = [99]\n```\nDone [2].", "a,c", nil},
		{"unclosed fence", "A [2].\n```\n[5]", "A [1].\n```\n[5]", "b", nil},
		{"unmatched backtick is prose", "It`s [2].", "It`s [1].", "b", nil},
		{"huge number", "A [99999999999999999999999].", "A.", "", []string{NoticeUncited, NoticeBadMarker}},
		{"marker formed by removal", "A [[99]1].", "A.", "", []string{NoticeUncited, NoticeBadMarker}},
		{"huge range keeps its valid end", "A [1-1000000000].", "A [1].", "a", nil},
		{"no citations", "The US pledged money.", "The US pledged money.", "", []string{NoticeUncited}},
		{"empty", "", "", "", nil},
		{"year in brackets dropped", "In [2024] police came [3].", "In police came [1].", "c", nil},
		// Formats models write besides brackets (issue 10).
		{"parenthesised number", "Police arrived (3). Money came (1, 2).", "Police arrived [1]. Money came [2][3].", "c,a,b", nil},
		{"parenthesised year stays", "Police arrived in (2024) [3].", "Police arrived in (2024) [1].", "c", nil},
		{"list item number stays", "(1) police arrived [3].", "(1) police arrived [1].", "c", nil},
		{"footnotes", "Police arrived [^3].\n\n[^3]: Kenyan police land in Haiti", "Police arrived [1].", "c", nil},
		{"source in parentheses", "Police arrived (Source 3).", "Police arrived [1].", "c", nil},
		{"source with colon", "Police arrived [Source: 3].", "Police arrived [1].", "c", nil},
		{"S and doc labels", "Police arrived [S3]. Money came [doc 2].", "Police arrived [1]. Money came [2].", "c,b", nil},
		{"superscripts", "Police arrived³. Money came¹,².", "Police arrived[1]. Money came[2][3].", "c,a,b", nil},
		{"prose source keeps step", "According to Source 3, police arrived. Money came [1].", "According to Source [1], police arrived. Money came [2].", "c,a", nil},
		{"marker as link", "Police arrived [[3]](https://example.com/a).", "Police arrived [1].", "c", nil},
		{"masked link loses its URL", "Police arrived [3]. See [the report](https://evil.example/x).", "Police arrived [1]. See the report.", "c", nil},
		// Claims checked against the text they cite.
		{"wrong figure dropped", "The US pledged $500 million [1]. Police arrived in June 2024 [3].", "Police arrived in June 2024 [1].", "c", []string{NoticeDropped}},
		{"right figure kept", "The United States pledged $100 million [1].", "The United States pledged $100 million [1].", "a", nil},
		{"figure formats agree", "Biden said $360.0 million [2]; first 400 officers [3].", "Biden said $360.0 million [1]; first 400 officers [2].", "b,c", nil},
		{"date from the source's metadata", "Blinken announced $100 million in September 2023 [1].", "Blinken announced $100 million in September 2023 [1].", "a", nil},
		{"only claim wrong is flagged not dropped", "The US pledged $500 million [1].", "The US pledged $500 million [1].", "a", []string{NoticeUnsupported}},
		{"figure a source lacks, uncited", "Police arrived [3]. The UN also pledged $5 billion.", "Police arrived [1]. The UN also pledged $5 billion.", "c", []string{NoticeUnsupported}},
		{"claim whose only marker points nowhere", "Police arrived [3]. The UN also pledged $5 billion [9].", "Police arrived [1]. The UN also pledged $5 billion.", "c", []string{NoticeUnsupported, NoticeBadMarker}},
		{"name missing from the cited source", "Police from Rwanda arrived in June 2024 [3].", "Police from Rwanda arrived in June 2024 [1].", "c", []string{NoticeUnsupported}},
		{"acronym of the source's words", "The US pledged $100 million [1].", "The US pledged $100 million [1].", "a", nil},
		{"name cited to the wrong source", "Blinken announced it [3].", "Blinken announced it [1].", "c", []string{NoticeUnsupported}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := verify(tc.in)
			var ids []string
			for i, c := range v.Citations {
				ids = append(ids, c.ChunkID)
				if c.N != i+1 {
					t.Errorf("citation %d numbered %d", i, c.N)
				}
			}
			if v.Text != tc.want || strings.Join(ids, ",") != tc.wantIDs || fmt.Sprint(v.Notices) != fmt.Sprint(tc.wantNotices) {
				t.Errorf("verify(%q) = %q ids %v notices %q\nwant %q ids %q notices %q",
					tc.in, v.Text, ids, v.Notices, tc.want, tc.wantIDs, tc.wantNotices)
			}
		})
	}
}

// TestOneSourcePerDocument: passages of one document share a number, and
// the citation names the passage its quote comes from.
func TestOneSourcePerDocument(t *testing.T) {
	p := threePassages()
	p[2].Meta = p[0].Meta
	src := []source{{meta: p[0].Meta, text: p[0].Text + " … " + p[2].Text, passages: []retrieval.Passage{p[0], p[2]}}, sourcesOf(p[1:2])[0]}
	v := verifyCitations("Police arrived in June 2024 [1]. Biden raised it to $360 million [2]. Blinken announced $100 million [1].", pledgeQuestion, true, src)
	if len(v.Citations) != 2 || v.Citations[0].ChunkID != "c" || v.Citations[1].ChunkID != "b" {
		t.Fatalf("citations %+v", v.Citations)
	}
	if v.Text != "Police arrived in June 2024 [1]. Biden raised it to $360 million [2]. Blinken announced $100 million [1]." || len(v.Notices) != 0 {
		t.Errorf("text %q notices %q", v.Text, v.Notices)
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
		"A (1). B (Source 2). (3) C", "A [^1].\n[^1]: x", "A¹²³ B¹,²", "According to Source 3, A.",
		"[[1]](https://x.example) [t](https://evil.example)", "The US pledged $500 million [1]. B [2].",
	} {
		f.Add(s)
	}
	passages := threePassages()
	f.Fuzz(func(t *testing.T, in string) {
		v := verifyCitations(in, pledgeQuestion, true, sourcesOf(passages))
		if err := checkVerified(in, v, len(passages)); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(v.Text, "](") && mdLink.MatchString(v.Text) && !strings.Contains(v.Text, "`") {
			t.Fatalf("a masked link survived: %q", v.Text)
		}
		// Verifying verified text changes nothing.
		again := verifyCitations(v.Text, pledgeQuestion, true, sourcesOf(citedPassages(v, passages)))
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
		verifyCitations(text, pledgeQuestion, true, sourcesOf(passages))
	}
}
