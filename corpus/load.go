package corpus

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxDocumentBytes is the largest file Load reads; bigger files are
// skipped with a warning.
const MaxDocumentBytes = 32 << 20

// ErrCorpusUnreadable is returned (wrapped) by Load when the corpus root
// itself cannot be read.
var ErrCorpusUnreadable = errors.New("corpus unreadable")

// Load reads every document under the root of fsys (subfolders too),
// cleans it and returns the documents sorted by DocID, the slash path
// relative to the root. Dot files and folders and the root manifest.json
// are skipped silently. Files that cannot be used (unreadable, binary,
// unsupported extension, empty after cleaning, a broken PDF) are skipped
// with one warning each, naming the file and why; warnings are also
// logged at Warn. Metadata comes from the manifest entry when there is
// one (field by field), then from HTML metadata, then from the text's own
// header (title, byline, date); a document without a title is named
// after its file. Problems with manifest entries come first among the
// warnings, each with its line (see Manifest.Problems). The error is only
// for a root that cannot be read or a manifest that is not valid JSON.
func Load(fsys fs.FS, logger *slog.Logger) ([]Document, []string, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// Errors carry no "load corpus" prefix: callers name the operation,
	// and a manifest error names manifest.json and the line itself.
	manifest, err := ReadManifest(fsys)
	if err != nil {
		return nil, nil, err
	}
	var (
		docs     []Document
		warnings []string
	)
	for _, p := range manifest.Problems {
		warnings = append(warnings, p)
		logger.Warn("manifest problem", "problem", p)
	}
	warn := func(name, why string) {
		msg := fmt.Sprintf("skipped %s: %s", name, why)
		warnings = append(warnings, msg)
		logger.Warn("corpus file skipped", "file", name, "reason", why)
	}
	seen := make(map[string]bool)
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
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
		entry, _ := manifest.Lookup(p)
		doc, why := loadDocument(fsys, p, entry)
		if why != "" {
			warn(p, why)
			return nil
		}
		seen[p] = true
		docs = append(docs, doc)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrCorpusUnreadable, err)
	}
	for _, e := range manifest.Documents {
		if !seen[e.DocID] {
			if _, err := fs.Stat(fsys, e.DocID); errors.Is(err, fs.ErrNotExist) {
				msg := fmt.Sprintf("manifest lists %s, which is not in the corpus", e.DocID)
				warnings = append(warnings, msg)
				logger.Warn("manifest entry without document", "file", e.DocID)
			}
		}
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].DocID < docs[j].DocID })
	return docs, warnings, nil
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

// loadDocument reads, extracts and cleans one file. It returns a reason
// instead of an error when the file must be skipped.
func loadDocument(fsys fs.FS, p string, entry Meta) (Document, string) {
	info, err := fs.Stat(fsys, p)
	if err != nil {
		return Document{}, "unreadable: " + errReason(err)
	}
	if info.Size() > MaxDocumentBytes {
		return Document{}, fmt.Sprintf("larger than %d MiB", MaxDocumentBytes>>20)
	}
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return Document{}, "unreadable: " + errReason(err)
	}
	doc, err := Parse(p, data, entry)
	if err != nil {
		return Document{}, err.Error()
	}
	return doc, ""
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
