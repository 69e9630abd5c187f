package corpus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// ManifestName is the manifest's file name at the root of a corpus.
const ManifestName = "manifest.json"

// ErrInvalidManifest is returned, wrapped with the reason, when a manifest
// cannot be used: bad JSON, an entry without a file name, a duplicate file
// name or a date that is not YYYY-MM-DD.
var ErrInvalidManifest = errors.New("invalid manifest")

// Entry describes one document. Every field holds only what the document
// itself states; unknown fields are empty.
type Entry struct {
	// File is the document's path relative to the corpus root, with
	// forward slashes, e.g. "001_94594469f8d3b41f.txt".
	File      string `json:"file"`
	Title     string `json:"title,omitempty"`
	Publisher string `json:"publisher,omitempty"`
	Author    string `json:"author,omitempty"`
	// Published is the publication date as YYYY-MM-DD.
	Published string `json:"published,omitempty"`
	URL       string `json:"url,omitempty"`
}

// Manifest names the metadata of a corpus's documents. Its JSON form is
//
//	{
//	  "documents": [
//	    {"file": "001.txt", "title": "...", "publisher": "...",
//	     "author": "...", "published": "2024-03-05", "url": "https://..."}
//	  ]
//	}
//
// where only "file" is required and file names are unique. Documents that
// are not listed get their metadata from their own text.
type Manifest struct {
	Documents []Entry `json:"documents"`
}

// ParseManifest parses and validates a manifest's JSON. Empty input (or
// only whitespace) is an empty manifest. Errors wrap ErrInvalidManifest.
func ParseManifest(data []byte) (Manifest, error) {
	var m Manifest
	if len(bytes.TrimSpace(data)) == 0 {
		return m, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("%w: parse JSON: %v", ErrInvalidManifest, err)
	}
	if dec.More() {
		return Manifest{}, fmt.Errorf("%w: trailing data after the JSON object", ErrInvalidManifest)
	}
	seen := make(map[string]bool, len(m.Documents))
	for i := range m.Documents {
		e := &m.Documents[i]
		e.File = strings.TrimSpace(e.File)
		if err := e.validate(); err != nil {
			return Manifest{}, fmt.Errorf("%w: document %d: %v", ErrInvalidManifest, i+1, err)
		}
		if seen[e.File] {
			return Manifest{}, fmt.Errorf("%w: document %d: file %q is listed twice", ErrInvalidManifest, i+1, e.File)
		}
		seen[e.File] = true
	}
	return m, nil
}

// validate reports what is wrong with one entry, if anything.
func (e Entry) validate() error {
	switch {
	case e.File == "":
		return errors.New("missing file name")
	case strings.Contains(e.File, "\\") || path.IsAbs(e.File) || path.Clean(e.File) != e.File || strings.HasPrefix(e.File, "../"):
		return fmt.Errorf("file %q is not a clean relative path", e.File)
	}
	if e.Published != "" {
		if _, err := time.Parse(time.DateOnly, e.Published); err != nil {
			return fmt.Errorf("file %q: published date %q is not YYYY-MM-DD", e.File, e.Published)
		}
	}
	return nil
}

// ReadManifest reads and parses manifest.json at the root of fsys. A
// missing manifest is not an error: the result is an empty manifest.
func ReadManifest(fsys fs.FS) (Manifest, error) {
	data, err := fs.ReadFile(fsys, ManifestName)
	if errors.Is(err, fs.ErrNotExist) {
		return Manifest{}, nil
	}
	if err != nil {
		return Manifest{}, fmt.Errorf("read manifest: %w", err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return Manifest{}, fmt.Errorf("read manifest: %w", err)
	}
	return m, nil
}

// Lookup returns the entry for a file (a path relative to the corpus
// root) and whether there is one.
func (m Manifest) Lookup(file string) (Entry, bool) {
	for _, e := range m.Documents {
		if e.File == file {
			return e, true
		}
	}
	return Entry{}, false
}

// with returns a copy of m in which e replaces any entry for the same file,
// sorted by file name.
func (m Manifest) with(e Entry) Manifest {
	out := m.without(e.File)
	out.Documents = append(out.Documents, e)
	sort.Slice(out.Documents, func(i, j int) bool { return out.Documents[i].File < out.Documents[j].File })
	return out
}

// without returns a copy of m with no entry for file.
func (m Manifest) without(file string) Manifest {
	out := Manifest{Documents: make([]Entry, 0, len(m.Documents)+1)}
	for _, e := range m.Documents {
		if e.File != file {
			out.Documents = append(out.Documents, e)
		}
	}
	return out
}

// marshal renders m as indented JSON ending in a newline.
func (m Manifest) marshal() ([]byte, error) {
	if m.Documents == nil {
		m.Documents = []Entry{}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return append(data, '\n'), nil
}
