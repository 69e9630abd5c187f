package bot

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"missionbot/answer"
	"missionbot/corpus"
	"missionbot/internal/golden"
	"missionbot/retrieval"
)

// formatRendered prints a Rendered for golden files, checking Discord's
// limits on the way.
func formatRendered(t *testing.T, r Rendered) string {
	t.Helper()
	var b strings.Builder
	for i, p := range r.Parts {
		n := utf8.RuneCountInString(p)
		if n > MaxContent {
			t.Errorf("part %d has %d characters", i+1, n)
		}
		fmt.Fprintf(&b, "=== part %d/%d (%d chars) ===\n%s\n", i+1, len(r.Parts), n, p)
	}
	for i, e := range r.Embeds {
		checkEmbed(t, e)
		j, err := json.MarshalIndent(e, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "=== embed %d ===\n%s\n", i+1, j)
	}
	return b.String()
}

// checkEmbed fails the test if e breaks one of Discord's embed limits.
func checkEmbed(t *testing.T, e *discordgo.MessageEmbed) {
	t.Helper()
	total := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	if n := utf8.RuneCountInString(e.Title); n > maxEmbedTitle {
		t.Errorf("embed title has %d characters", n)
	}
	if n := utf8.RuneCountInString(e.Description); n > maxEmbedDescription {
		t.Errorf("embed description has %d characters", n)
	}
	if e.Footer != nil {
		total += utf8.RuneCountInString(e.Footer.Text)
	}
	if len(e.Fields) > 25 {
		t.Errorf("embed has %d fields", len(e.Fields))
	}
	if total > 6000 {
		t.Errorf("embed has %d characters in all", total)
	}
}

func citations(n int) []answer.Citation {
	pubs := []string{"Reuters", "Al Jazeera", "The Star (Kenya)", "", "AP News"}
	var out []answer.Citation
	for i := 1; i <= n; i++ {
		c := answer.Citation{N: i, Meta: corpus.Meta{
			DocID:     fmt.Sprintf("%03d_doc.txt", i),
			Title:     fmt.Sprintf("Kenyan police in Haiti, report %d", i),
			Publisher: pubs[i%len(pubs)],
		}}
		if i%3 != 0 {
			c.URL = fmt.Sprintf("https://news.example.com/haiti/%d", i)
		}
		if i%2 == 0 {
			c.Published = fmt.Sprintf("2024-%02d-%02d", i%12+1, i+3)
		}
		if i%4 == 1 {
			c.Corroborating = []corpus.Meta{{Publisher: "The Nation"}, {Publisher: "Reuters"}, {Title: "Haiti Briefing"}}
		}
		out = append(out, c)
	}
	return out
}

func TestRenderAnswerGolden(t *testing.T) {
	var long strings.Builder
	for i := 1; long.Len() < 4500; i++ {
		fmt.Fprintf(&long, "Sentence %d says the Kenyan-led mission expanded its patrols in Port-au-Prince [%d]. ", i, i%12+1)
		if i%7 == 0 {
			long.WriteString("\n\n")
		}
	}
	tests := []struct {
		name string
		a    answer.Answer
	}{
		{name: "long_answer", a: answer.Answer{Text: long.String(), Citations: citations(12), Mode: answer.ModeExtractive}},
		{name: "refusal", a: answer.Answer{Refused: true, Text: answer.RefusalText, Citations: citations(1)}},
		{name: "notice", a: answer.Answer{
			Text:      "Kenya sent the first 400 officers in June 2024 [1].",
			Notice:    "The model was unavailable, so this answer is extractive.",
			Citations: citations(1),
		}},
		{name: "twelve_citations", a: answer.Answer{Text: "Many outlets reported it [1][2][3].", Citations: citations(12)}},
		{name: "markdown_title", a: answer.Answer{
			Text: "A claim @everyone should see [1].",
			Citations: []answer.Citation{{
				N: 1, Meta: corpus.Meta{DocID: "x.txt", Title: "Haiti [update] (live) *breaking* _now_ `code` | pipes",
					Publisher: "Le *Nouvelliste*", Published: "2024-03-05",
					URL: "https://example.org/a (b)/c?q=1"},
			}, {
				N: 2, Meta: corpus.Meta{DocID: "y.txt", Title: "No link: javascript URL", URL: "javascript:alert(1)"},
			}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			golden.Check(t, filepath.Join("testdata", "render", tc.name+".golden"), []byte(formatRendered(t, RenderAnswer(tc.a))))
		})
	}
}

func TestRenderAnswer(t *testing.T) {
	tests := []struct {
		name       string
		a          answer.Answer
		wantParts  int
		wantEmbeds int
		wantIn     string
	}{
		{name: "empty text", a: answer.Answer{}, wantParts: 1, wantIn: "couldn't"},
		{name: "refusal has no embed", a: answer.Answer{Refused: true, Text: answer.RefusalText, Citations: citations(2)}, wantParts: 1, wantIn: answer.RefusalText},
		{name: "embed with citations", a: answer.Answer{Text: "x [1]", Citations: citations(1)}, wantParts: 1, wantEmbeds: 1, wantIn: "x [1]"},
		{name: "notice italic", a: answer.Answer{Text: "x", Notice: "a *b*"}, wantParts: 1, wantIn: "*a \\*b\\**"},
		{name: "mass mention defused", a: answer.Answer{Text: "hi @here"}, wantParts: 1, wantIn: "@\u200bhere"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := RenderAnswer(tc.a)
			if len(r.Parts) != tc.wantParts || len(r.Embeds) != tc.wantEmbeds {
				t.Fatalf("got %d parts, %d embeds; want %d, %d", len(r.Parts), len(r.Embeds), tc.wantParts, tc.wantEmbeds)
			}
			if !strings.Contains(strings.Join(r.Parts, "\n"), tc.wantIn) {
				t.Errorf("parts %q lack %q", r.Parts, tc.wantIn)
			}
		})
	}
}

func TestSourcesEmbedLimits(t *testing.T) {
	cits := citations(300)
	for i := range cits {
		cits[i].Title = strings.Repeat("Very long headline about Haiti ", 20)
	}
	e := SourcesEmbed(cits)
	checkEmbed(t, e)
	if !strings.HasSuffix(e.Description, "more") {
		t.Errorf("description does not say how many were left out: ...%q", e.Description[len(e.Description)-40:])
	}
	if SourcesEmbed(nil) != nil {
		t.Error("SourcesEmbed(nil) is not nil")
	}
}

func TestJoinWithin(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		limit int
		want  string
	}{
		{name: "all fit", lines: []string{"a", "b"}, limit: 10, want: "a\nb"},
		{name: "some left out", lines: []string{"aaaa", "bbbb", "cccc", "dddd"}, limit: 18, want: "aaaa\n…and 3 more"},
		{name: "first too long", lines: []string{"aaaaaaaaaa"}, limit: 5, want: "aaaa…"},
		{name: "none", lines: nil, limit: 5, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := joinWithin(tc.lines, tc.limit)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if utf8.RuneCountInString(got) > tc.limit {
				t.Errorf("%q is over the limit %d", got, tc.limit)
			}
		})
	}
}

func TestNoMentionsJSON(t *testing.T) {
	b, err := json.Marshal(NoMentions())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	parse, ok := got["parse"].([]any)
	if !ok || len(parse) != 0 {
		t.Errorf("NoMentions serialises as %s; want an explicit empty parse list", b)
	}
	if !strings.Contains(string(b), `"parse":[]`) {
		t.Errorf("NoMentions serialises as %s; want \"parse\":[]", b)
	}
	msg, err := json.Marshal(discordgo.MessageSend{Content: "x", AllowedMentions: NoMentions()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(msg), `"allowed_mentions":{"parse":[]`) {
		t.Errorf("message serialises as %s", msg)
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"everyone", "hi @everyone!", "hi @\u200beveryone!"},
		{"here", "@here now", "@\u200bhere now"},
		{"case", "@EveryOne", "@\u200bEveryOne"},
		{"plain", "mail me at a@b.c", "mail me at a@b.c"},
		{"user mention untouched", "<@123>", "<@123>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sanitize(tc.in); got != tc.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFeedbackIDs(t *testing.T) {
	rows := FeedbackButtons(42)
	row, ok := rows[0].(discordgo.ActionsRow)
	if !ok || len(row.Components) != 2 {
		t.Fatalf("FeedbackButtons = %#v", rows)
	}
	for i, wantUp := range []bool{true, false} {
		id := row.Components[i].(discordgo.Button).CustomID
		got, up, ok := ParseFeedbackID(id)
		if !ok || got != 42 || up != wantUp {
			t.Errorf("ParseFeedbackID(%q) = %d, %v, %v", id, got, up, ok)
		}
	}
	tests := []struct {
		id     string
		wantID int64
		wantUp bool
		wantOK bool
	}{
		{"fb:up:7", 7, true, true},
		{"fb:down:9", 9, false, true},
		{"fb:side:9", 0, false, false},
		{"fb:up:-1", 0, false, false},
		{"fb:up:0", 0, false, false},
		{"fb:up:+5", 0, false, false},
		{"fb:up:", 0, false, false},
		{"fb:up:99999999999999999999", 0, false, false},
		{"page:sources:1", 0, false, false},
		{"", 0, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			id, up, ok := ParseFeedbackID(tc.id)
			if id != tc.wantID || up != tc.wantUp || ok != tc.wantOK {
				t.Errorf("got %d, %v, %v", id, up, ok)
			}
		})
	}
}

func TestPageButtons(t *testing.T) {
	tests := []struct {
		name                  string
		page, pages           int
		wantPrev, wantNext    string
		prevDisabled, nextDis bool
		wantNil               bool
	}{
		{name: "single page", page: 0, pages: 1, wantNil: true},
		{name: "first", page: 0, pages: 3, wantPrev: "page:src:0", wantNext: "page:src:1", prevDisabled: true},
		{name: "middle", page: 1, pages: 3, wantPrev: "page:src:0", wantNext: "page:src:2"},
		{name: "last", page: 2, pages: 3, wantPrev: "page:src:1", wantNext: "page:src:2", nextDis: true},
		{name: "clamped", page: 9, pages: 3, wantPrev: "page:src:1", wantNext: "page:src:2", nextDis: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows := PageButtons("src", tc.page, tc.pages)
			if tc.wantNil {
				if rows != nil {
					t.Fatalf("got %#v, want nil", rows)
				}
				return
			}
			row := rows[0].(discordgo.ActionsRow)
			prev, next := row.Components[0].(discordgo.Button), row.Components[1].(discordgo.Button)
			if prev.CustomID != tc.wantPrev || next.CustomID != tc.wantNext {
				t.Errorf("ids %q, %q; want %q, %q", prev.CustomID, next.CustomID, tc.wantPrev, tc.wantNext)
			}
			if prev.Disabled != tc.prevDisabled || next.Disabled != tc.nextDis {
				t.Errorf("disabled %v, %v", prev.Disabled, next.Disabled)
			}
			if prev.CustomID == next.CustomID {
				t.Error("custom ids repeat within a message")
			}
			kind, page, ok := ParsePageID(next.CustomID)
			if !ok || kind != "src" || fmt.Sprintf("page:src:%d", page) != tc.wantNext {
				t.Errorf("ParsePageID(%q) = %q, %d, %v", next.CustomID, kind, page, ok)
			}
		})
	}
	for _, bad := range []string{"page:src:-1", "page::1", "page:src:x", "fb:up:1"} {
		if _, _, ok := ParsePageID(bad); ok {
			t.Errorf("ParsePageID(%q) accepted", bad)
		}
	}
}

func TestSourcesPage(t *testing.T) {
	var srcs []retrieval.SourceInfo
	for i := 1; i <= 23; i++ {
		srcs = append(srcs, retrieval.SourceInfo{Meta: corpus.Meta{
			DocID: fmt.Sprintf("%03d.txt", i), Title: fmt.Sprintf("Doc %d", i), Publisher: "Reuters", Published: "2024-06-25",
		}, Chunks: i})
	}
	tests := []struct {
		name              string
		srcs              []retrieval.SourceInfo
		page, perPage     int
		wantPages         int
		wantFirst, footer string
	}{
		{name: "first page", srcs: srcs, page: 0, perPage: 10, wantPages: 3, wantFirst: "1. Doc 1 — Reuters, 25 Jun 2024 · 1 passage", footer: "Page 1 of 3"},
		{name: "last page", srcs: srcs, page: 2, perPage: 10, wantPages: 3, wantFirst: "21. Doc 21", footer: "Page 3 of 3"},
		{name: "clamped", srcs: srcs, page: 7, perPage: 10, wantPages: 3, wantFirst: "21. Doc 21", footer: "Page 3 of 3"},
		{name: "default per page", srcs: srcs, page: -1, perPage: 0, wantPages: 3, wantFirst: "1. Doc 1", footer: "Page 1 of 3"},
		{name: "empty", srcs: nil, page: 0, perPage: 10, wantPages: 1, wantFirst: "No documents", footer: "Page 1 of 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, pages := SourcesPage(tc.srcs, tc.page, tc.perPage)
			checkEmbed(t, e)
			if pages != tc.wantPages {
				t.Errorf("pages = %d, want %d", pages, tc.wantPages)
			}
			if !strings.HasPrefix(e.Description, tc.wantFirst) {
				t.Errorf("description starts %q, want %q", e.Description, tc.wantFirst)
			}
			if e.Footer.Text != tc.footer {
				t.Errorf("footer %q, want %q", e.Footer.Text, tc.footer)
			}
		})
	}
}

func ExampleSourcesEmbed() {
	e := SourcesEmbed([]answer.Citation{
		{N: 1, Meta: corpus.Meta{Title: "Kenyan police land in Haiti", Publisher: "Reuters", Published: "2024-06-25",
			URL: "https://example.com/kenya-haiti"}, Corroborating: []corpus.Meta{{Publisher: "AP News"}}},
		{N: 2, Meta: corpus.Meta{Title: "UN renews mission [analysis]", Publisher: "Al Jazeera"}},
	})
	fmt.Println(e.Description)
	// Output:
	// 1. [Kenyan police land in Haiti](https://example.com/kenya-haiti) — Reuters, 25 Jun 2024
	//    *also reported by AP News*
	// 2. UN renews mission \[analysis\] — Al Jazeera
}

func BenchmarkRenderAnswer(b *testing.B) {
	a := answer.Answer{Text: strings.Repeat("The mission expanded patrols in Port-au-Prince [1]. ", 80), Citations: citations(12)}
	b.ReportAllocs()
	for b.Loop() {
		RenderAnswer(a)
	}
}

// TestMaskedLinksAreNeutralised: links whose text hides where they go,
// from a model's answer or a document's text, are never posted as masked
// links; the URL shows as written. The bot's own source links still work.
func TestMaskedLinksAreNeutralised(t *testing.T) {
	const evil = "https://evil.example/phish"
	tests := []struct {
		name string
		text string
	}{
		{"plain", "See [click me](" + evil + ") for details [1]."},
		{"citation marker", "Benin pledged 2,000 troops [[1]](" + evil + ")."},
		{"angle brackets", "Read [the report](<" + evil + ">)."},
		{"with a title", `Read [the report](` + evil + ` "official") now.`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := answer.Answer{Text: tc.text, Notice: "Also [here](" + evil + ")", Citations: citations(1)}
			outputs := append(RenderAnswer(a).Parts, streamingText(tc.text))
			for _, out := range outputs {
				if strings.Contains(out, "](") {
					t.Errorf("a masked link survives: %q", out)
				}
				if !strings.Contains(out, "evil.example/phish") {
					t.Errorf("the URL is hidden instead of shown: %q", out)
				}
			}
		})
	}
	m := corpus.Meta{DocID: "a.txt", Title: "[click me](" + evil + ")", URL: "https://example.com/real"}
	line := sourceLine(1, m)
	if !strings.Contains(line, "](https://example.com/real)") {
		t.Errorf("the source's own link is broken: %q", line)
	}
	if strings.Contains(line, "]("+evil) {
		t.Errorf("a title made a masked link: %q", line)
	}
}

func TestSourcesPageNamesFoldedCopies(t *testing.T) {
	srcs := []retrieval.SourceInfo{{
		Meta:           corpus.Meta{DocID: "kept.txt", Title: "Second group lands", Publisher: "Wire"},
		Chunks:         2,
		AlsoReportedBy: []corpus.Meta{{DocID: "copy.html", Title: "Kenya sends second group", Publisher: "Weekly *Review*"}},
	}}
	e, _ := SourcesPage(srcs, 0, 10)
	if !strings.Contains(e.Description, "also reported by Weekly \\*Review\\*") {
		t.Errorf("source line does not name the folded copy's outlet: %q", e.Description)
	}
}
