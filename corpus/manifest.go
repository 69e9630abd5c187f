package corpus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// ManifestName is the manifest's file name at the root of a corpus.
const ManifestName = "manifest.json"

// ErrInvalidManifest is returned, wrapped, when a manifest cannot be used
// at all (it is not valid JSON, or not an object with a "documents"
// list), and by Dir when a manifest with problems would have to be
// rewritten. Problems with single entries are not errors: see
// Manifest.Problems.
var ErrInvalidManifest = errors.New("invalid manifest")

// ManifestError is a manifest that cannot be read at all, with the line
// and column where reading stopped. It matches ErrInvalidManifest.
type ManifestError struct {
	Line, Column int
	Msg          string
}

func (e *ManifestError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", ManifestName, e.Line, e.Column, e.Msg)
}

// Is makes a ManifestError match ErrInvalidManifest.
func (e *ManifestError) Is(target error) bool { return target == ErrInvalidManifest }

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
	// Problems lists, one per line of text, what was wrong with entries
	// and what was dropped because of it, each starting with the file and
	// line ("manifest.json:12: ..."): an unknown field or a date that is
	// not YYYY-MM-DD drops that field; an entry without a usable file name,
	// or one naming a file again, is dropped. Every problem is reported
	// at once, and the rest of the manifest still applies.
	Problems []string
}

// manifestJSON is the file's top-level object, as written.
type manifestJSON struct {
	Documents []entryJSON `json:"documents"`
}

// manifestFields are the fields an entry may have.
const manifestFields = "file, title, publisher, author, published, url"

// ParseManifest parses and checks a manifest's JSON. Empty input (or only
// whitespace) is an empty manifest. Input that is not valid JSON, or not
// an object holding a "documents" list, is a *ManifestError (matching
// ErrInvalidManifest) naming the line; every problem with single entries
// is collected in Manifest.Problems instead, with its line.
func ParseManifest(data []byte) (Manifest, error) {
	var m Manifest
	if len(bytes.TrimSpace(data)) == 0 {
		return m, nil
	}
	p := manifestParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	if err := p.parse(&m); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// manifestParser reads a manifest token by token, so that every entry and
// field is known with its line.
type manifestParser struct {
	data []byte
	dec  *json.Decoder
}

// position returns the line and column (both from 1) of a byte offset.
func (p *manifestParser) position(off int64) (line, col int) {
	off = min(max(off, 0), int64(len(p.data)))
	before := p.data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// line returns the line of the last token read.
func (p *manifestParser) line() int {
	l, _ := p.position(p.dec.InputOffset())
	return l
}

// fail returns a *ManifestError at the decoder's position, or at the
// offset a JSON error names.
func (p *manifestParser) fail(err error, msg string) error {
	off := p.dec.InputOffset()
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off, msg = syn.Offset, "invalid JSON: "+syn.Error()
	case errors.As(err, &typ):
		off = typ.Offset
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		off, msg = int64(len(p.data)), "invalid JSON: unexpected end of file"
	case err != nil:
		msg = "invalid JSON: " + err.Error()
	}
	line, col := p.position(off)
	return &ManifestError{Line: line, Column: col, Msg: msg}
}

// delim reads the next token and fails unless it is d.
func (p *manifestParser) delim(d json.Delim, what string) error {
	tok, err := p.dec.Token()
	if err != nil {
		return p.fail(err, "")
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return p.fail(nil, "expected "+what)
	}
	return nil
}

// skip reads and discards the next value.
func (p *manifestParser) skip() error {
	var raw json.RawMessage
	if err := p.dec.Decode(&raw); err != nil {
		return p.fail(err, "")
	}
	return nil
}

func (p *manifestParser) parse(m *Manifest) error {
	problem := func(line int, format string, args ...any) {
		m.Problems = append(m.Problems, fmt.Sprintf("%s:%d: ", ManifestName, line)+fmt.Sprintf(format, args...))
	}
	if err := p.delim('{', `a JSON object: {"documents": [...]}`); err != nil {
		return err
	}
	seen := map[string]int{} // file → line of its entry
	found := false
	for p.dec.More() {
		tok, err := p.dec.Token()
		if err != nil {
			return p.fail(err, "")
		}
		key, _ := tok.(string)
		if key != "documents" {
			problem(p.line(), "unknown field %q ignored (the manifest holds only \"documents\")", key)
			if err := p.skip(); err != nil {
				return err
			}
			continue
		}
		found = true
		if err := p.delim('[', `"documents" to be a list of entries`); err != nil {
			return err
		}
		for p.dec.More() {
			e, line, ok, err := p.entry(problem)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			e.DocID = strings.TrimSpace(e.DocID)
			switch {
			case e.DocID == "":
				problem(line, `entry without a "file" name ignored`)
				continue
			case !cleanRelative(e.DocID):
				problem(line, "file %q is not a clean relative path; entry ignored", e.DocID)
				continue
			}
			if first, dup := seen[e.DocID]; dup {
				problem(line, "file %q is listed again (first at line %d); this entry ignored", e.DocID, first)
				continue
			}
			seen[e.DocID] = line
			if e.Published != "" && !validDate(e.Published) {
				problem(line, "file %q: published date %q is not a YYYY-MM-DD date; the date is ignored", e.DocID, e.Published)
				e.Published = ""
			}
			m.Documents = append(m.Documents, e)
		}
		if err := p.delim(']', "the end of the documents list"); err != nil {
			return err
		}
	}
	if err := p.delim('}', "the end of the manifest object"); err != nil {
		return err
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return p.fail(nil, "trailing data after the JSON object")
	}
	if !found {
		problem(1, `no "documents" list; the manifest names no documents`)
	}
	return nil
}

// entry reads one entry of the documents list. ok is false when it is not
// an object (reported as a problem and skipped).
func (p *manifestParser) entry(problem func(int, string, ...any)) (e Meta, line int, ok bool, err error) {
	tok, err := p.dec.Token()
	if err != nil {
		return Meta{}, 0, false, p.fail(err, "")
	}
	line = p.line()
	if d, isDelim := tok.(json.Delim); !isDelim || d != '{' {
		problem(line, "entry is not an object; ignored")
		if isDelim && (d == '[' || d == '{') {
			// Skip the rest of the nested value.
			for depth := 1; depth > 0; {
				t, err := p.dec.Token()
				if err != nil {
					return Meta{}, line, false, p.fail(err, "")
				}
				if d, ok := t.(json.Delim); ok {
					if d == '[' || d == '{' {
						depth++
					} else {
						depth--
					}
				}
			}
		}
		return Meta{}, line, false, nil
	}
	for p.dec.More() {
		tok, err := p.dec.Token()
		if err != nil {
			return Meta{}, line, false, p.fail(err, "")
		}
		key, _ := tok.(string)
		var v any
		if err := p.dec.Decode(&v); err != nil {
			return Meta{}, line, false, p.fail(err, "")
		}
		fieldLine := p.line()
		s, isString := v.(string)
		field := map[string]*string{"file": &e.DocID, "title": &e.Title, "publisher": &e.Publisher,
			"author": &e.Author, "published": &e.Published, "url": &e.URL}[strings.ToLower(key)]
		switch {
		case field == nil:
			problem(fieldLine, "unknown field %q dropped (an entry has %s)", key, manifestFields)
		case !isString:
			problem(fieldLine, "field %q is not a string; dropped", key)
		default:
			*field = s
		}
	}
	if err := p.delim('}', "the end of the entry"); err != nil {
		return Meta{}, line, false, err
	}
	return e, line, true, nil
}

// cleanRelative reports whether p is a clean slash path inside the corpus.
func cleanRelative(p string) bool {
	return !strings.Contains(p, "\\") && !path.IsAbs(p) && path.Clean(p) == p && p != ".." && !strings.HasPrefix(p, "../")
}

// validateEntry reports what is wrong with one entry a caller wants to
// write (Dir.Add), if anything.
func validateEntry(e Meta) error {
	switch {
	case e.DocID == "":
		return errors.New("missing file name")
	case !cleanRelative(e.DocID):
		return fmt.Errorf("file %q is not a clean relative path", e.DocID)
	}
	if e.Published != "" && !validDate(e.Published) {
		return fmt.Errorf("file %q: published date %q is not YYYY-MM-DD", e.DocID, e.Published)
	}
	return nil
}

// ReadManifest reads and parses manifest.json at the root of fsys. A
// missing manifest is not an error: the result is an empty manifest.
// Problems with entries are in the result's Problems, not an error.
func ReadManifest(fsys fs.FS) (Manifest, error) {
	data, err := fs.ReadFile(fsys, ManifestName)
	if errors.Is(err, fs.ErrNotExist) {
		return Manifest{}, nil
	}
	if err != nil {
		return Manifest{}, fmt.Errorf("read %s: %w", ManifestName, err)
	}
	// A parse error names the file and line itself.
	return ParseManifest(data)
}

// problemsError is the error Dir returns instead of rewriting a manifest
// with problems, which would drop what the moderator wrote.
func problemsError(m Manifest) error {
	return fmt.Errorf("%w: fix %s first (rewriting it would drop what these lines say): %s",
		ErrInvalidManifest, ManifestName, strings.Join(m.Problems, "; "))
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
