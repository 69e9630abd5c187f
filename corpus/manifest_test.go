package corpus

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestParseManifest(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr string
	}{
		{name: "empty input", in: "  \n", want: 0},
		{name: "empty list", in: `{"documents": []}`, want: 0},
		{name: "one entry", in: `{"documents":[{"file":"a.txt","title":"A","published":"2024-03-05"}]}`, want: 1},
		{name: "bad json", in: `{"documents": [`, wantErr: "parse JSON"},
		{name: "wrong shape", in: `[1,2]`, wantErr: "parse JSON"},
		{name: "unknown field", in: `{"documents":[{"file":"a.txt","titel":"A"}]}`, wantErr: "parse JSON"},
		{name: "trailing data", in: `{"documents":[]} {}`, wantErr: "trailing data"},
		{name: "missing file name", in: `{"documents":[{"title":"A"}]}`, wantErr: "missing file name"},
		{name: "blank file name", in: `{"documents":[{"file":"  "}]}`, wantErr: "missing file name"},
		{name: "bad date", in: `{"documents":[{"file":"a.txt","published":"05 Mar 2024"}]}`, wantErr: "not YYYY-MM-DD"},
		{name: "impossible date", in: `{"documents":[{"file":"a.txt","published":"2024-02-30"}]}`, wantErr: "not YYYY-MM-DD"},
		{name: "duplicate file", in: `{"documents":[{"file":"a.txt"},{"file":"a.txt"}]}`, wantErr: "listed twice"},
		{name: "escaping path", in: `{"documents":[{"file":"../a.txt"}]}`, wantErr: "clean relative path"},
		{name: "absolute path", in: `{"documents":[{"file":"/etc/a.txt"}]}`, wantErr: "clean relative path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseManifest([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !errors.Is(err, ErrInvalidManifest) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want ErrInvalidManifest containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if len(m.Documents) != tc.want {
				t.Fatalf("got %d documents, want %d", len(m.Documents), tc.want)
			}
		})
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
		if _, err := ParseManifest(out); err != nil {
			t.Fatalf("re-parse of marshalled manifest failed: %v", err)
		}
	})
}
