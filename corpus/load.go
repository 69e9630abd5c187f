package corpus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxDocumentBytes is the largest file Load reads; bigger files are
// skipped with a warning.
const MaxDocumentBytes = 32 << 20

// ErrCorpusUnreadable is returned (wrapped) by Load when the corpus root
// itself cannot be read.
var ErrCorpusUnreadable = errors.New("corpus unreadable")

// File is a document file found by Scan, not yet read.
type File struct {
	// Path is the slash path relative to the corpus root: the document's
	// DocID.
	Path string
	// Size and ModTime are the file's, following a symbolic link.
	Size    int64
	ModTime time.Time
	// Entry is the file's manifest entry (zero when it has none), which
	// wins field by field over what the document states about itself.
	Entry Meta
}

// Listing is what Scan finds in a corpus.
type Listing struct {
	// Files are the document files, sorted by Path.
	Files []File
	// Warnings name the files skipped without reading them (unsupported
	// extension, not a regular file, an unreadable folder) and manifest
	// entries whose document is missing; each is also logged at Warn.
	Warnings []string
}

// Scan lists every document file under the root of fsys (subfolders too)
// with its size, modification time and manifest entry, without reading
// any document: a refresh reads only the files that changed. Dot files
// and folders and the root manifest.json are skipped silently. Problems
// with manifest entries come first among the warnings, each with its line
// (see Manifest.Problems). Errors carry no "load corpus" prefix: callers
// name the operation, and a manifest error names manifest.json and the
// line itself. The error is only for a root that cannot be read, a
// manifest that is not valid JSON, or ctx ending (the walk stops at once).
func Scan(ctx context.Context, fsys fs.FS, logger *slog.Logger) (Listing, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// Errors carry no "load corpus" prefix: callers name the operation,
	// and a manifest error names manifest.json and the line itself.
	manifest, err := ReadManifest(fsys)
	if err != nil {
		return Listing{}, err
	}
	var out Listing
	for _, p := range manifest.Problems {
		out.Warnings = append(out.Warnings, p)
		logger.Warn("manifest problem", "problem", p)
	}
	warn := func(name, why string) {
		out.Warnings = append(out.Warnings, fmt.Sprintf("skipped %s: %s", name, why))
		logger.Warn("corpus file skipped", "file", name, "reason", why)
	}
	seen := make(map[string]bool)
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return context.Cause(ctx) // a refresh cancelled while scanning
		}
		if err != nil {
			if p == "." {
				return err
			}
			warn(p, "unreadable: "+errReason(err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		if p != "." && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || p == ManifestName {
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			warn(p, "not a regular file")
			return nil
		}
		if !AllowedExtension(name) {
			warn(p, fmt.Sprintf("unsupported extension %q (want .txt, .md, .html, .htm or .pdf)", path.Ext(name)))
			return nil
		}
		var info fs.FileInfo
		if d.Type()&fs.ModeSymlink != 0 {
			info, err = fs.Stat(fsys, p) // the target's size and time
		} else {
			info, err = d.Info()
		}
		if err != nil {
			warn(p, "unreadable: "+errReason(err))
			return nil
		}
		seen[p] = true
		entry, _ := manifest.Lookup(p)
		out.Files = append(out.Files, File{Path: p, Size: info.Size(), ModTime: info.ModTime(), Entry: entry})
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return Listing{}, fmt.Errorf("scan corpus: %w", err) // cancelled, not unreadable
		}
		return Listing{}, fmt.Errorf("%w: %w", ErrCorpusUnreadable, err)
	}
	for _, e := range manifest.Documents {
		if !seen[e.DocID] {
			if _, err := fs.Stat(fsys, e.DocID); errors.Is(err, fs.ErrNotExist) {
				out.Warnings = append(out.Warnings, fmt.Sprintf("manifest lists %s, which is not in the corpus", e.DocID))
				logger.Warn("manifest entry without document", "file", e.DocID)
			}
		}
	}
	sort.Slice(out.Files, func(i, j int) bool { return out.Files[i].Path < out.Files[j].Path })
	return out, nil
}

// Read returns the bytes of f. The error says, for a person and without
// the path, why the file cannot be used: unreadable, or larger than
// MaxDocumentBytes.
func (f File) Read(fsys fs.FS) ([]byte, error) {
	if f.Size > MaxDocumentBytes {
		return nil, fmt.Errorf("larger than %d MiB", MaxDocumentBytes>>20)
	}
	file, err := fsys.Open(f.Path)
	if err != nil {
		return nil, unreadable{err}
	}
	defer file.Close()
	// Read one byte past the limit: the file may have grown since Scan.
	data, err := io.ReadAll(io.LimitReader(file, MaxDocumentBytes+1))
	if err != nil {
		return nil, unreadable{err}
	}
	if len(data) > MaxDocumentBytes {
		return nil, fmt.Errorf("larger than %d MiB", MaxDocumentBytes>>20)
	}
	return data, nil
}

// unreadable is a file that could not be read: it says why without the
// path (the caller names the file) and unwraps to the cause, so a file
// deleted since the scan matches fs.ErrNotExist.
type unreadable struct{ err error }

func (u unreadable) Error() string { return "unreadable: " + errReason(u.err) }
func (u unreadable) Unwrap() error { return u.err }

// Load reads every document under the root of fsys (subfolders too),
// cleans it and returns the documents sorted by DocID, the slash path
// relative to the root: Scan, then Read and Parse for each file. Files
// that cannot be used (unreadable, binary, unsupported extension, empty
// after cleaning, a broken PDF) are skipped with one warning each, naming
// the file and why; warnings are also logged at Warn. Metadata comes from
// the manifest entry when there is one (field by field), then from HTML
// metadata, then from the text's own header (title, byline, date); a
// document without a title is named after its file. The error is only for
// a root that cannot be read or an invalid manifest.
func Load(fsys fs.FS, logger *slog.Logger) ([]Document, []string, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	list, err := Scan(context.Background(), fsys, logger)
	if err != nil {
		return nil, nil, err
	}
	warnings := list.Warnings
	var docs []Document
	for _, f := range list.Files {
		doc, err := f.Load(fsys)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("skipped %s: %s", f.Path, err))
			logger.Warn("corpus file skipped", "file", f.Path, "reason", err.Error())
			continue
		}
		docs = append(docs, doc)
	}
	return docs, warnings, nil
}

// Load reads and parses f (see Read and Parse); the error says why it is
// skipped.
func (f File) Load(fsys fs.FS) (Document, error) {
	data, err := f.Read(fsys)
	if err != nil {
		return Document{}, err
	}
	return Parse(f.Path, data, f.Entry)
}

// errReason returns an error's message without the path, which the
// warning already names.
func errReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse extracts and cleans one document from its bytes: name is its path
// in the corpus (its extension says how to read it) and entry what its
// manifest entry states, which wins field by field over what the document
// states itself. The error says, for a person, why the document cannot be
// used (binary, a broken PDF, empty after cleaning).
func Parse(name string, data []byte, entry Meta) (Document, error) {
	var (
		raw      string
		stated   Meta
		modified string // a stated last-modified date, the fallback
		opts     = cleanOptions{DayFirst: true, Masthead: true}
	)
	switch strings.ToLower(path.Ext(name)) {
	case ".pdf":
		text, err := extractPDF(data)
		if err != nil {
			return Document{}, err
		}
		raw = text
	default:
		if isBinary(data) {
			return Document{}, errors.New("binary content, not text")
		}
		raw = decodeText(data)
		switch strings.ToLower(path.Ext(name)) {
		case ".md":
			raw, stated.Title = stripMarkdown(raw)
		case ".html", ".htm":
			page, err := extractHTML([]byte(raw))
			if err != nil {
				return Document{}, err
			}
			raw, stated, modified = page.Text, page.Meta, page.Modified
			// A page's publisher is in its markup; a masthead line in
			// its text would be a kicker or section label.
			opts.DayFirst, opts.Masthead = page.DayFirst, false
		}
	}
	opts.Title = firstNonEmpty(entry.Title, stated.Title)
	c := cleanText(raw, opts)
	if strings.TrimSpace(c.Text) == "" {
		return Document{}, errors.New("empty after cleaning")
	}
	meta := Meta{
		DocID:     name,
		Title:     firstNonEmpty(entry.Title, stated.Title, c.Title, titleFromFileName(name)),
		Publisher: firstNonEmpty(entry.Publisher, stated.Publisher, c.Publisher),
		Author:    firstNonEmpty(entry.Author, stated.Author, c.Author),
		// A modified date stands in only when nothing states the
		// publication date.
		Published: firstNonEmpty(entry.Published, stated.Published, c.Published, modified, c.Updated),
		URL:       firstNonEmpty(entry.URL, stated.URL),
	}
	return Document{Meta: meta, Text: c.Text}, nil
}

// titleFromFileName names a document that states no title after its
// file: the base name without extension, with separators as spaces.
func titleFromFileName(p string) string {
	base := strings.TrimSuffix(path.Base(p), path.Ext(p))
	return strings.Join(strings.FieldsFunc(base, func(r rune) bool { return r == '_' || r == '-' }), " ")
}

// isBinary reports whether data is not text: it holds a NUL byte, or most
// of it is not valid UTF-8.
func isBinary(data []byte) bool {
	if len(data) == 0 {
		return false
	}
	invalid := 0
	for i := 0; i < len(data); {
		if data[i] == 0 {
			return true
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			invalid++
		}
		i += size
	}
	return invalid*2 > len(data)
}

// decodeText turns file bytes into a string: valid UTF-8 stays as it is,
// and stray invalid bytes (a Windows-1252 or Latin-1 file) are read as
// Latin-1 characters rather than dropped. A byte-order mark is removed.
func decodeText(data []byte) string {
	if utf8.Valid(data) {
		return strings.TrimPrefix(string(data), "\ufeff")
	}
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(rune(data[i]))
			i++
			continue
		}
		b.WriteRune(r)
		i += size
	}
	return strings.TrimPrefix(b.String(), "\ufeff")
}
