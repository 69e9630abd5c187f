package corpus

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"missionbot/internal/atomicfile"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Errors a caller of Dir branches on; they are returned wrapped with the
// operation and file name.
var (
	// ErrExists means a document with that name is already in the folder;
	// Add never overwrites one.
	ErrExists = errors.New("document already exists")
	// ErrNotFound means there is no document with that name.
	ErrNotFound = errors.New("document not found")
	// ErrInvalidName means a file name is not a plain base name with an
	// allowed extension.
	ErrInvalidName = errors.New("invalid document name")
	// ErrNoCorpusDir means the corpus folder does not exist. OpenDir
	// never creates it: a mistyped path must not become an empty corpus
	// whose refresh removes every indexed document.
	ErrNoCorpusDir = errors.New("corpus folder does not exist")
)

// extensions lists the document file extensions a corpus may hold, lower
// case with the dot.
var extensions = []string{".txt", ".md", ".html", ".htm", ".pdf"}

// AllowedExtension reports whether name has an extension a corpus document
// may have: .txt, .md, .html, .htm or .pdf, in any case.
func AllowedExtension(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, e := range extensions {
		if ext == e {
			return true
		}
	}
	return false
}

// ValidateName reports, wrapping ErrInvalidName, why name cannot be a
// document's file name in a Dir: it must be a plain base name (no path
// separators, not a dot file, no control characters) with an allowed
// extension, and must not be the manifest's name.
func ValidateName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty name", ErrInvalidName)
	case len(name) > 255:
		return fmt.Errorf("%w: name longer than 255 bytes", ErrInvalidName)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("%w: %q contains a path separator", ErrInvalidName, name)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("%w: %q is a dot file", ErrInvalidName, name)
	case strings.EqualFold(name, ManifestName):
		return fmt.Errorf("%w: %q is reserved for the manifest", ErrInvalidName, name)
	case !AllowedExtension(name):
		return fmt.Errorf("%w: %q does not end in one of %s", ErrInvalidName, name, strings.Join(extensions, " "))
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == ':' {
			return fmt.Errorf("%w: %q contains a control character or colon", ErrInvalidName, name)
		}
	}
	return nil
}

// Dir is a corpus folder on disk that moderators manage: documents at its
// root plus manifest.json. Its methods are safe for concurrent use within
// one process; writes are atomic (temporary file, fsync, rename), so a
// reader never sees a half-written document or manifest.
type Dir struct {
	path string

	// mu serialises Add and Remove, which read, change and rewrite the
	// manifest.
	mu sync.Mutex
}

// OpenDir opens the existing corpus folder at path. It never creates
// one: a missing folder is an error wrapping ErrNoCorpusDir (and
// fs.ErrNotExist) that names the path, and a path that is not a
// directory is an error too.
func OpenDir(path string) (*Dir, error) {
	if path == "" {
		return nil, errors.New("open corpus dir: empty path")
	}
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &missingDirError{path: path}
	}
	if err != nil {
		return nil, fmt.Errorf("open corpus dir: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("open corpus dir: %s is not a directory", path)
	}
	return &Dir{path: path}, nil
}

// missingDirError is OpenDir's error for a folder that does not exist.
type missingDirError struct{ path string }

func (e *missingDirError) Error() string {
	return fmt.Sprintf("corpus folder %s does not exist (create it, or correct the path)", e.path)
}

// Is makes the error match ErrNoCorpusDir and fs.ErrNotExist.
func (e *missingDirError) Is(target error) bool {
	return target == ErrNoCorpusDir || target == fs.ErrNotExist
}

// Path returns the folder's path as given to OpenDir.
func (d *Dir) Path() string { return d.path }

// FS returns the folder as a read-only file system, for retrieval.Load.
func (d *Dir) FS() fs.FS { return os.DirFS(d.path) }

// Add writes a new document named fileName with the given content and
// records e (its DocID is ignored and set to fileName) in the
// manifest when e carries any metadata. It returns an error wrapping
// ErrInvalidName for a bad name, ErrExists when the document is already
// there and ErrInvalidManifest for a bad date, or a manifest on disk
// that is not valid JSON or has problems (rewriting it would drop what
// its bad lines say). If the manifest cannot be written the document is removed again.
func (d *Dir) Add(ctx context.Context, fileName string, data []byte, e Meta) error {
	if err := ValidateName(fileName); err != nil {
		return fmt.Errorf("add document: %w", err)
	}
	if len(data) == 0 {
		return fmt.Errorf("add document %q: empty content", fileName)
	}
	e.DocID = fileName
	if err := validateEntry(e); err != nil {
		return fmt.Errorf("add document %q: %w: %v", fileName, ErrInvalidManifest, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("add document %q: %w", fileName, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()

	m, err := ReadManifest(d.FS())
	if err != nil {
		return fmt.Errorf("add document %q: %w", fileName, err)
	}
	rewrite := e.Title != "" || e.Publisher != "" || e.Author != "" || e.Published != "" || e.URL != ""
	if rewrite && len(m.Problems) > 0 {
		return fmt.Errorf("add document %q: %w", fileName, problemsError(m))
	}
	target := filepath.Join(d.path, fileName)
	if err := atomicfile.WriteNew(target, data, 0o644); err != nil {
		if errors.Is(err, fs.ErrExist) {
			err = ErrExists
		}
		return fmt.Errorf("add document %q: %w", fileName, err)
	}
	if !rewrite {
		return nil
	}
	if err := d.writeManifest(m.with(e)); err != nil {
		// Without its manifest entry the document would be cited with
		// guessed metadata; undo so the caller can retry cleanly.
		_ = os.Remove(target)
		return fmt.Errorf("add document %q: %w", fileName, err)
	}
	return nil
}

// Remove deletes the document named fileName and its manifest entry. It
// returns an error wrapping ErrNotFound when there is no such document.
func (d *Dir) Remove(ctx context.Context, fileName string) error {
	if err := ValidateName(fileName); err != nil {
		return fmt.Errorf("remove document: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("remove document %q: %w", fileName, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()

	m, err := ReadManifest(d.FS())
	if err != nil {
		return fmt.Errorf("remove document %q: %w", fileName, err)
	}
	if _, listed := m.Lookup(fileName); listed && len(m.Problems) > 0 {
		return fmt.Errorf("remove document %q: %w", fileName, problemsError(m))
	}
	target := filepath.Join(d.path, fileName)
	info, err := os.Lstat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove document %q: %w", fileName, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("remove document %q: %w", fileName, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("remove document %q: %w", fileName, ErrNotFound)
	}
	if _, ok := m.Lookup(fileName); ok {
		if err := d.writeManifest(m.without(fileName)); err != nil {
			return fmt.Errorf("remove document %q: %w", fileName, err)
		}
	}
	if err := os.Remove(target); err != nil {
		return fmt.Errorf("remove document %q: %w", fileName, err)
	}
	// Best effort: the removal itself has succeeded.
	_ = atomicfile.SyncDir(d.path)
	return nil
}

// Entries lists the documents at the folder's root with an allowed
// extension, sorted by file name, each with its manifest metadata when
// it has an entry.
func (d *Dir) Entries() ([]Meta, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	m, err := ReadManifest(d.FS())
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	des, err := os.ReadDir(d.path)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	var out []Meta
	for _, de := range des {
		name := de.Name()
		if !de.Type().IsRegular() || ValidateName(name) != nil {
			continue
		}
		e, ok := m.Lookup(name)
		if !ok {
			e = Meta{DocID: name}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DocID < out[j].DocID })
	return out, nil
}

// writeManifest replaces manifest.json atomically. The caller holds d.mu.
func (d *Dir) writeManifest(m Manifest) error {
	data, err := m.marshal()
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(d.path, ManifestName), data, 0o644); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}
