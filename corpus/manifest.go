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

// entryJSON is one manifest entry as written in manifest.json, where the
// document's ID is called "file".
type entryJSON struct {
	File      string `json:"file"`
	Title     string `json:"title,omitempty"`
	Publisher string `json:"publisher,omitempty"`
	Author    string `json:"author,omitempty"`
	Published string `json:"published,omitempty"`
	URL       string `json:"url,omitempty"`
}

func (e entryJSON) meta() Meta {
	return Meta{DocID: e.File, Title: e.Title, Publisher: e.Publisher, Author: e.Author, Published: e.Published, URL: e.URL}
}

func entryOf(m Meta) entryJSON {
	return entryJSON{File: m.DocID, Title: m.Title, Publisher: m.Publisher, Author: m.Author, Published: m.Published, URL: m.URL}
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
// are not listed get their metadata from their own text. In memory each
// entry is the Meta it states, with the file as DocID.
type Manifest struct {
	Documents []Meta
}

// manifestJSON is the file's top-level object.
type manifestJSON struct {
	Documents []entryJSON `json:"documents"`
}

// ParseManifest parses and validates a manifest's JSON. Empty input (or
// only whitespace) is an empty manifest. Errors wrap ErrInvalidManifest.
func ParseManifest(data []byte) (Manifest, error) {
	var m Manifest
	if len(bytes.TrimSpace(data)) == 0 {
		return m, nil
	}
	var raw manifestJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return Manifest{}, fmt.Errorf("%w: parse JSON: %v", ErrInvalidManifest, err)
	}
	if dec.More() {
		return Manifest{}, fmt.Errorf("%w: trailing data after the JSON object", ErrInvalidManifest)
	}
	seen := make(map[string]bool, len(raw.Documents))
	for i, e := range raw.Documents {
		e.File = strings.TrimSpace(e.File)
		meta := e.meta()
		if err := validateEntry(meta); err != nil {
			return Manifest{}, fmt.Errorf("%w: document %d: %v", ErrInvalidManifest, i+1, err)
		}
		if seen[e.File] {
			return Manifest{}, fmt.Errorf("%w: document %d: file %q is listed twice", ErrInvalidManifest, i+1, e.File)
		}
		seen[e.File] = true
		m.Documents = append(m.Documents, meta)
	}
	return m, nil
}

// validateEntry reports what is wrong with one entry, if anything.
func validateEntry(e Meta) error {
	switch {
	case e.DocID == "":
		return errors.New("missing file name")
	case strings.Contains(e.DocID, "\\") || path.IsAbs(e.DocID) || path.Clean(e.DocID) != e.DocID || strings.HasPrefix(e.DocID, "../"):
		return fmt.Errorf("file %q is not a clean relative path", e.DocID)
	}
	if e.Published != "" {
		if _, err := time.Parse(time.DateOnly, e.Published); err != nil {
			return fmt.Errorf("file %q: published date %q is not YYYY-MM-DD", e.DocID, e.Published)
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
func (m Manifest) Lookup(file string) (Meta, bool) {
	for _, e := range m.Documents {
		if e.DocID == file {
			return e, true
		}
	}
	return Meta{}, false
}

// with returns a copy of m in which e replaces any entry for the same file,
// sorted by file name.
func (m Manifest) with(e Meta) Manifest {
	out := m.without(e.DocID)
	out.Documents = append(out.Documents, e)
	sort.Slice(out.Documents, func(i, j int) bool { return out.Documents[i].DocID < out.Documents[j].DocID })
	return out
}

// without returns a copy of m with no entry for file.
func (m Manifest) without(file string) Manifest {
	out := Manifest{Documents: make([]Meta, 0, len(m.Documents)+1)}
	for _, e := range m.Documents {
		if e.DocID != file {
			out.Documents = append(out.Documents, e)
		}
	}
	return out
}

// marshal renders m as indented JSON ending in a newline.
func (m Manifest) marshal() ([]byte, error) {
	raw := manifestJSON{Documents: []entryJSON{}}
	for _, e := range m.Documents {
		raw.Documents = append(raw.Documents, entryOf(e))
	}
	data, err := json.MarshalIndent(raw, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return append(data, '\n'), nil
}
