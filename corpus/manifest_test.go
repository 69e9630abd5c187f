package corpus

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestParseManifest(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     int
		problems []string
		wantErr  string // a fatal error, with its line and column
	}{
		{name: "empty input", in: "  \n", want: 0},
		{name: "empty list", in: `{"documents": []}`, want: 0},
		{name: "one entry", in: `{"documents":[{"file":"a.txt","title":"A","published":"2024-03-05"}]}`, want: 1},
		{name: "field names in any case", in: `{"documents":[{"File":"a.txt","Title":"A"}]}`, want: 1},
		{name: "bad json", in: "{\"documents\": [\n  {\"file\": \"a.txt\",}\n]}", wantErr: "manifest.json:2:"},
		{name: "truncated", in: "{\"documents\": [\n", wantErr: "manifest.json:2:1: invalid JSON: unexpected end of file"},
		{name: "wrong shape", in: `[1,2]`, wantErr: "manifest.json:1:2: expected a JSON object"},
		{name: "documents not a list", in: `{"documents": {}}`, wantErr: `manifest.json:1:16: expected "documents" to be a list`},
		{name: "trailing data", in: "{\"documents\":[]}\n{}", wantErr: "manifest.json:2:2: trailing data"},
		{name: "unknown field", in: "{\"documents\":[\n{\"file\":\"a.txt\",\n \"titel\":\"A\"}]}", want: 1,
			problems: []string{`manifest.json:3: unknown field "titel" dropped (an entry has file, title, publisher, author, published, url)`}},
		{name: "unknown top-level field", in: `{"version": 2, "documents":[{"file":"a.txt"}]}`, want: 1,
			problems: []string{`manifest.json:1: unknown field "version" ignored (the manifest holds only "documents")`}},
		{name: "missing file name", in: `{"documents":[{"title":"A"}]}`, problems: []string{`manifest.json:1: entry without a "file" name ignored`}},
		{name: "blank file name", in: `{"documents":[{"file":"  "}]}`, problems: []string{`manifest.json:1: entry without a "file" name ignored`}},
		{name: "bad date", in: `{"documents":[{"file":"a.txt","published":"05 Mar 2024"}]}`, want: 1,
			problems: []string{`manifest.json:1: file "a.txt": published date "05 Mar 2024" is not a YYYY-MM-DD date; the date is ignored`}},
		{name: "impossible date", in: `{"documents":[{"file":"a.txt","published":"2024-02-30"}]}`, want: 1,
			problems: []string{`manifest.json:1: file "a.txt": published date "2024-02-30" is not a YYYY-MM-DD date; the date is ignored`}},
		{name: "not a string", in: `{"documents":[{"file":"a.txt","title":42}]}`, want: 1,
			problems: []string{`manifest.json:1: field "title" is not a string; dropped`}},
		{name: "entry not an object", in: `{"documents":["a.txt", [1, [2]], {"file":"b.txt"}]}`, want: 1,
			problems: []string{`manifest.json:1: entry is not an object; ignored`, `manifest.json:1: entry is not an object; ignored`}},
		{name: "duplicate file", in: "{\"documents\":[\n{\"file\":\"a.txt\"},\n{\"file\":\"a.txt\"}]}", want: 1,
			problems: []string{`manifest.json:3: file "a.txt" is listed again (first at line 2); this entry ignored`}},
		{name: "escaping path", in: `{"documents":[{"file":"../a.txt"}]}`, problems: []string{`manifest.json:1: file "../a.txt" is not a clean relative path; entry ignored`}},
		{name: "absolute path", in: `{"documents":[{"file":"/etc/a.txt"}]}`, problems: []string{`manifest.json:1: file "/etc/a.txt" is not a clean relative path; entry ignored`}},
		{name: "no documents list", in: `{}`, problems: []string{`manifest.json:1: no "documents" list; the manifest names no documents`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseManifest([]byte(tc.in))
			if tc.wantErr != "" {
				var me *ManifestError
				if !errors.Is(err, ErrInvalidManifest) || !errors.As(err, &me) || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a ManifestError starting %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if len(m.Documents) != tc.want {
				t.Errorf("got %d documents, want %d", len(m.Documents), tc.want)
			}
			if strings.Join(m.Problems, "\n") != strings.Join(tc.problems, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(m.Problems, "\n"), strings.Join(tc.problems, "\n"))
			}
		})
	}
}

// TestManifestReportsEveryProblemAtOnce: a manifest with six problems on
// six lines reports all six in one run, each with its line; the entries
// keep what is usable and the documents all load.
func TestManifestReportsEveryProblemAtOnce(t *testing.T) {
	manifest := `{
  "documents": [
    {"file": "a.txt", "titel": "Typo in a field name"},
    {"file": "b.txt", "title": "B", "published": "5 March 2024"},
    {"title": "An entry without a file"},
    {"file": "c.txt", "title": "C", "publisher": "Wire", "pages": 3},
    {"file": "c.txt", "title": "C again"},
    {"file": "../d.txt"}
  ]
}
`
	article := "Title Line Here\n\nThe regional police force began patrols in the capital on Tuesday, officials said at a briefing."
	fsys := fstest.MapFS{
		ManifestName: {Data: []byte(manifest)},
		"a.txt":      {Data: []byte(article)},
		"b.txt":      {Data: []byte(article)},
		"c.txt":      {Data: []byte(article)},
	}
	docs, warnings, err := Load(fsys, nil)
	if err != nil {
		t.Fatalf("a manifest with entry problems stopped the load: %v", err)
	}
	if len(docs) != 3 {
		t.Fatalf("loaded %d documents, want 3", len(docs))
	}
	want := []string{
		`manifest.json:3: unknown field "titel" dropped`,
		`manifest.json:4: file "b.txt": published date "5 March 2024" is not a YYYY-MM-DD date`,
		`manifest.json:5: entry without a "file" name ignored`,
		`manifest.json:6: unknown field "pages" dropped`,
		`manifest.json:7: file "c.txt" is listed again (first at line 6)`,
		`manifest.json:8: file "../d.txt" is not a clean relative path`,
	}
	if len(warnings) != len(want) {
		t.Errorf("got %d warnings, want %d: %q", len(warnings), len(want), warnings)
	}
	for i, w := range want {
		if i >= len(warnings) || !strings.HasPrefix(warnings[i], w) {
			t.Errorf("warning %d = %q, want one starting %q", i, warnings[min(i, len(warnings)-1)], w)
		}
		if i < len(warnings) && strings.Count(warnings[i], ManifestName) != 1 {
			t.Errorf("warning %q names the manifest more than once", warnings[i])
		}
	}
	byID := map[string]Meta{}
	for _, d := range docs {
		byID[d.DocID] = d.Meta
	}
	if got := byID["b.txt"]; got.Title != "B" || got.Published != "" {
		t.Errorf("b.txt = %+v, want its title kept and the bad date dropped", got)
	}
	if got := byID["c.txt"]; got.Title != "C" || got.Publisher != "Wire" {
		t.Errorf("c.txt = %+v, want the first entry's fields", got)
	}
	if got := byID["a.txt"]; got.Title != "Title Line Here" {
		t.Errorf("a.txt = %+v, want the title its text states", got)
	}
}

// TestDirRefusesToRewriteManifestWithProblems: adding a document with
// metadata would rewrite manifest.json and silently drop its bad lines,
// so Add refuses and says which lines to fix; nothing is written.
func TestDirRefusesToRewriteManifestWithProblems(t *testing.T) {
	root := t.TempDir()
	bad := "{\"documents\": [\n {\"file\": \"a.txt\", \"titel\": \"A\"}\n]}\n"
	if err := os.WriteFile(filepath.Join(root, ManifestName), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	err = d.Add(context.Background(), "b.txt", []byte("text"), Meta{Title: "B"})
	if !errors.Is(err, ErrInvalidManifest) || !strings.Contains(err.Error(), "manifest.json:2:") {
		t.Fatalf("Add = %v, want ErrInvalidManifest naming manifest.json:2", err)
	}
	if _, err := os.Stat(filepath.Join(root, "b.txt")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("the document was written although the manifest could not be")
	}
	if got, _ := os.ReadFile(filepath.Join(root, ManifestName)); string(got) != bad {
		t.Error("the manifest was rewritten")
	}
	// Without metadata the manifest is not rewritten, so the add goes on.
	if err := d.Add(context.Background(), "c.txt", []byte("text"), Meta{}); err != nil {
		t.Fatalf("Add without metadata = %v", err)
	}
}

func TestReadManifest(t *testing.T) {
	tests := []struct {
		name    string
		fsys    fs.FS
		want    int
		wantErr bool
	}{
		{name: "missing manifest is empty", fsys: fstest.MapFS{"a.txt": {Data: []byte("x")}}, want: 0},
		{name: "valid", fsys: fstest.MapFS{ManifestName: {Data: []byte(`{"documents":[{"file":"a.txt"}]}`)}}, want: 1},
		{name: "invalid", fsys: fstest.MapFS{ManifestName: {Data: []byte(`{`)}}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ReadManifest(tc.fsys)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if len(m.Documents) != tc.want {
				t.Fatalf("got %d documents, want %d", len(m.Documents), tc.want)
			}
		})
	}
}

func TestEmbeddedManifestMatchesDocuments(t *testing.T) {
	fsys := Embedded()
	m, err := ReadManifest(fsys)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := fs.Glob(fsys, "*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 5 {
		t.Fatalf("embedded corpus has %d documents, want 5", len(docs))
	}
	for _, name := range docs {
		e, ok := m.Lookup(name)
		if !ok {
			t.Errorf("%s has no manifest entry", name)
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		// Only what the document states: every named value must appear
		// in the document's own text.
		for field, v := range map[string]string{"title": e.Title, "author": e.Author, "publisher": e.Publisher, "url": e.URL} {
			if v != "" && !strings.Contains(text, v) {
				t.Errorf("%s: %s %q does not appear in the document", name, field, v)
			}
		}
	}
	if _, ok := m.Lookup("nope.txt"); ok {
		t.Error("Lookup found an entry for a file that is not listed")
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"documents":[{"file":"a.txt","title":"A","published":"2024-03-05"}]}`))
	f.Add([]byte(`{"documents":[{"file":""}]}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidManifest) {
				t.Fatalf("error does not wrap ErrInvalidManifest: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, e := range m.Documents {
			if e.DocID == "" || seen[e.DocID] {
				t.Fatalf("accepted manifest with empty or duplicate file %q", e.DocID)
			}
			seen[e.DocID] = true
		}
		out, err := m.marshal()
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseManifest(out)
		if err != nil {
			t.Fatalf("re-parse of marshalled manifest failed: %v", err)
		}
		if len(again.Problems) != 0 || len(again.Documents) != len(m.Documents) {
			t.Fatalf("re-parse of marshalled manifest: %d documents, problems %q", len(again.Documents), again.Problems)
		}
	})
}
