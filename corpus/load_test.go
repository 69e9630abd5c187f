package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"missionbot/internal/golden"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadCorpusGolden runs the default corpus through Load and compares
// each document's metadata and cleaned text with testdata/golden.
func TestLoadCorpusGolden(t *testing.T) {
	docs, warnings, err := Load(Embedded(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("unexpected warnings: %v", warnings)
	}
	if len(docs) != 5 {
		t.Fatalf("loaded %d documents, want 5", len(docs))
	}
	for _, d := range docs {
		t.Run(d.DocID, func(t *testing.T) {
			var b bytes.Buffer
			fmt.Fprintf(&b, "title: %s\npublisher: %s\nauthor: %s\npublished: %s\nurl: %s\n\n%s\n",
				d.Title, d.Publisher, d.Author, d.Published, d.URL, d.Text)
			golden.Check(t, filepath.Join("testdata", "golden", strings.TrimSuffix(d.DocID, ".txt")+".golden"), b.Bytes())
		})
	}
}

// minimalPDF builds a one-page PDF whose text layer holds lines, in
// Helvetica, with a correct cross-reference table.
func minimalPDF(lines ...string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 12 Tf 72 720 Td 14 TL\n")
	for _, l := range lines {
		l = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(l)
		fmt.Fprintf(&content, "(%s) Tj T*\n", l)
	}
	content.WriteString("ET")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	return assemblePDF(objs)
}

func TestLoadFormatsAndWarnings(t *testing.T) {
	article := "The regional police force began patrols in the capital on Tuesday, officials said at a briefing.\n\nA second contingent of 400 officers is due to arrive next month, the ministry said."
	html := `<!doctype html><html><head><title>Force Lands | Daily Ledger</title>
<meta property="og:title" content="Force Lands in Capital">
<meta property="og:site_name" content="Daily Ledger">
<meta name="author" content="Amina Otieno">
<meta property="article:published_time" content="2024-06-25T08:00:00Z">
<link rel="canonical" href="https://ledger.example/force-lands">
<script>var tracking = "do not index";</script></head>
<body><nav><a href="/">Home</a> Politics</nav><header>Breaking banner text</header>
<article><h1>Force Lands in Capital</h1>
<p>The regional police force began <b>patrols</b> in the capital on Tuesday, officials said at a briefing.</p>
<figure><img src="x.jpg"><figcaption>Officers at the airport, a caption to drop.</figcaption></figure>
<ul><li>A second contingent of 400 officers is due next month</li></ul>
<aside>Sidebar promo text to drop entirely</aside></article>
<footer>Copyright footer</footer></body></html>`
	md := "# Force Lands in Capital\n\n![map](map.png)\n\nThe **regional** police force began patrols in the [capital](https://x.example) on Tuesday, officials said at a _briefing_.\n\n```\ncurl https://api.example/v1/deployments --header accept-json --silent --fail --retry 3 --verbose\n```\n\n- A second contingent of 400 officers is due next month\n"
	fsys := fstest.MapFS{
		"manifest.json":    {Data: []byte(`{"documents":[{"file":"a.txt","title":"Manifest Title","publisher":"Wire"}]}`)},
		"a.txt":            {Data: []byte("Text Title From File\n\n" + article)},
		"sub/b.md":         {Data: []byte(md)},
		"sub/c.html":       {Data: []byte(html)},
		"d.pdf":            {Data: minimalPDF("Force Lands in Capital", "", "The regional police force began patrols in the capital on Tuesday, officials said at a briefing.")},
		"latin1.txt":       {Data: []byte("Caf\xe9 Talks Resume In Port\n\nThe minister met officials at the caf\xe9 on Monday to discuss the police deployment plan.")},
		".hidden.txt":      {Data: []byte(article)},
		".git/config":      {Data: []byte(article)},
		"image.png":        {Data: []byte("\x89PNG\r\n\x1a\n\x00\x00")},
		"notes.docx":       {Data: []byte("x")},
		"binary.txt":       {Data: []byte("abc\x00def")},
		"empty.txt":        {Data: []byte("Tags\n\nShare this\n")},
		"broken.pdf":       {Data: []byte("%PDF-1.4\nnot really a pdf")},
		"sub/deeper/z.htm": {Data: []byte("<html><body><main><p>" + strings.ReplaceAll(article, "\n\n", "</p><p>") + "</p></main></body></html>")},
	}
	docs, warnings, err := Load(fsys, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	byID := map[string]Document{}
	for _, d := range docs {
		ids = append(ids, d.DocID)
		byID[d.DocID] = d
	}
	wantIDs := []string{"a.txt", "d.pdf", "latin1.txt", "sub/b.md", "sub/c.html", "sub/deeper/z.htm"}
	if strings.Join(ids, ",") != strings.Join(wantIDs, ",") {
		t.Fatalf("loaded %v, want %v (warnings %v)", ids, wantIDs, warnings)
	}
	wantWarn := map[string]string{
		"image.png":  "unsupported extension",
		"notes.docx": "unsupported extension",
		"binary.txt": "binary",
		"empty.txt":  "empty after cleaning",
		"broken.pdf": "PDF",
	}
	if len(warnings) != len(wantWarn) {
		t.Errorf("got %d warnings, want %d: %q", len(warnings), len(wantWarn), warnings)
	}
	for file, why := range wantWarn {
		found := false
		for _, w := range warnings {
			if strings.Contains(w, file) && strings.Contains(w, why) {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning naming %s with %q in %q", file, why, warnings)
		}
	}

	checks := []struct {
		id                               string
		title, publisher, author, pub, u string
		has, hasNot                      []string
	}{
		{id: "a.txt", title: "Manifest Title", publisher: "Wire", has: []string{"second contingent"}, hasNot: []string{"Text Title From File"}},
		{id: "sub/b.md", title: "Force Lands in Capital", has: []string{"The regional police force began patrols in the capital on Tuesday, officials said at a briefing.", "curl https://api.example/v1/deployments --header", "A second contingent of 400 officers is due next month."}, hasNot: []string{"**", "](", "map.png", "#"}},
		{id: "sub/c.html", title: "Force Lands in Capital", publisher: "Daily Ledger", author: "Amina Otieno", pub: "2024-06-25", u: "https://ledger.example/force-lands",
			has: []string{"began patrols in the capital", "A second contingent of 400 officers is due next month."}, hasNot: []string{"tracking", "Home", "Breaking banner", "caption to drop", "Sidebar", "Copyright"}},
		{id: "d.pdf", title: "Force Lands in Capital", has: []string{"began patrols in the capital on Tuesday"}},
		{id: "latin1.txt", title: "Café Talks Resume In Port", has: []string{"at the café on Monday"}},
		{id: "sub/deeper/z.htm", title: "z", has: []string{"second contingent of 400"}},
	}
	for _, c := range checks {
		t.Run(c.id, func(t *testing.T) {
			d := byID[c.id]
			if d.Title != c.title || d.Publisher != c.publisher || d.Author != c.author || d.Published != c.pub || d.URL != c.u {
				t.Errorf("meta = %+v", d.Meta)
			}
			for _, s := range c.has {
				if !strings.Contains(d.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, d.Text)
				}
			}
			for _, s := range c.hasNot {
				if strings.Contains(d.Text, s) {
					t.Errorf("text has %q:\n%s", s, d.Text)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		fsys fs.FS
		want error
	}{
		{"manifest not JSON", fstest.MapFS{"manifest.json": {Data: []byte(`{"documents":[{"title":"x"}`)}, "a.txt": {Data: []byte("x")}}, ErrInvalidManifest},
		{"missing root", os.DirFS(filepath.Join(t.TempDir(), "nope")), ErrCorpusUnreadable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Load(tc.fsys, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestLoadWarnsAtWarnLevel(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	_, warnings, err := Load(fstest.MapFS{"x.exe": {Data: []byte("MZ")}}, logger)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "x.exe") {
		t.Fatalf("warnings %q, log %q", warnings, logs.String())
	}
}

func TestLoadCorpusWithoutManifestParsesMetadata(t *testing.T) {
	fsys := fstest.MapFS{}
	names, err := fs.Glob(Embedded(), "*.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		data, err := fs.ReadFile(Embedded(), n)
		if err != nil {
			t.Fatal(err)
		}
		fsys[n] = &fstest.MapFile{Data: data}
	}
	docs, _, err := Load(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][3]string{ // title, author, published
		"000_58ba5e55d69f6e30.txt": {"Why Biden Administration Refuses Troop Deployment to Haiti Despite Kenya-Led Mission", "", ""},
		"001_94594469f8d3b41f.txt": {"US Declines to Deploy Troops to Haiti Despite Kenya's Lead in Mission", "Livenow Africa", "2024-03-05"},
		"002_9a7703d7fc767aaa.txt": {"Kenyan President Ruto and US President Biden Discuss Multinational Police Force for Haiti", "Bijay Laxmi", ""},
		"003_b40d312e517e90c3.txt": {"Foreign Powers Decline to Back Kenya’s Haiti Mission, US Scrambles for Support", "", ""},
		"004_de2657677b758c88.txt": {"US to Upgrade Military Ties with Kenya After Nairobi Pledges Troops to Haiti", "Kyle Anzalone", "2023-09-26"},
	}
	if len(docs) != len(want) {
		t.Fatalf("loaded %d documents", len(docs))
	}
	for _, d := range docs {
		t.Run(d.DocID, func(t *testing.T) {
			w := want[d.DocID]
			if d.Title != w[0] || d.Author != w[1] || d.Published != w[2] {
				t.Fatalf("got %q %q %q, want %q", d.Title, d.Author, d.Published, w)
			}
		})
	}
}

// TestCorpusCleaningDropsPromotedHeadline checks that a headline the page
// merely linked to cannot be answered from the cleaned text.
func TestCorpusCleaningDropsPromotedHeadline(t *testing.T) {
	docs, _, err := Load(Embedded(), nil)
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"Supreme Court", "Trump", "Keep Reading", "Informing, Inspiring", "PHOTO", "Tags", "Our Books", "Related", "About Kyle", "news editor", "author-image", "Updated On", "In Summary", "2009j", "Image Source", "IMAGE FILE", "min read"}
	for _, d := range docs {
		for _, f := range forbidden {
			if strings.Contains(d.Text, f) {
				t.Errorf("%s still contains %q", d.DocID, f)
			}
		}
	}
}

// TestReadErrorUnwraps: a file gone since the scan is reported without its
// path (the caller names it) and still matches fs.ErrNotExist.
func TestReadErrorUnwraps(t *testing.T) {
	_, err := File{Path: "gone.txt"}.Read(fstest.MapFS{})
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "unreadable: ") || strings.Contains(err.Error(), "gone.txt") {
		t.Errorf("Read of a missing file: %v; want an \"unreadable: …\" error matching fs.ErrNotExist, without the path", err)
	}
}

// TestScanStopsWhenCancelled: a refresh cancelled during the scan of a
// large folder stops walking it.
func TestScanStopsWhenCancelled(t *testing.T) {
	fsys := fstest.MapFS{"a.txt": {Data: []byte("A story.")}, "b.txt": {Data: []byte("Another story.")}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Scan(ctx, fsys, nil); !errors.Is(err, context.Canceled) || errors.Is(err, ErrCorpusUnreadable) {
		t.Errorf("Scan with a cancelled context: %v, want context.Canceled, not an unreadable corpus", err)
	}
	if l, err := Scan(context.Background(), fsys, nil); err != nil || len(l.Files) != 2 {
		t.Errorf("Scan: %d files, %v; want 2", len(l.Files), err)
	}
}
