package library

import (
	"io/fs"
	"strings"
	"sync"

	"missionbot/corpus"
)

// loadingFS wraps fsys so that report learns how many documents have been
// read of how many there are, while corpus.Load reads them: loading a
// large folder takes seconds before anything is embedded, and a progress
// bar that only knows about embedding would sit still meanwhile. A nil
// report returns fsys itself.
func loadingFS(fsys fs.FS, report func(read, total int)) fs.FS {
	if report == nil {
		return fsys
	}
	p := &progressFS{inner: fsys, report: report, seen: map[string]bool{}}
	p.total = countDocuments(fsys)
	report(0, p.total)
	return p
}

// countDocuments counts the files corpus.Load will try to read: those
// with a document extension, outside dot files and folders.
func countDocuments(fsys fs.FS) int {
	n := 0
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // corpus.Load reports it
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && isDocument(p) {
			n++
		}
		return nil
	})
	return n
}

// isDocument reports whether the file at slash path p is one corpus.Load
// reads as a document.
func isDocument(p string) bool {
	return p != corpus.ManifestName && corpus.AllowedExtension(p)
}

// progressFS counts the documents read through it. It implements the
// optional fs interfaces by delegating, so walking and reading cost what
// they cost on the wrapped file system.
type progressFS struct {
	inner  fs.FS
	report func(read, total int)
	total  int

	mu   sync.Mutex      // guards seen and serialises report
	seen map[string]bool // documents read so far
}

func (p *progressFS) read(name string) {
	if !isDocument(name) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen[name] {
		return
	}
	p.seen[name] = true
	// A file added after the count still counts as read.
	p.report(len(p.seen), max(p.total, len(p.seen)))
}

// Open implements fs.FS.
func (p *progressFS) Open(name string) (fs.File, error) {
	f, err := p.inner.Open(name)
	if err == nil {
		if st, serr := f.Stat(); serr == nil && !st.IsDir() {
			p.read(name)
		}
	}
	return f, err
}

// ReadFile implements fs.ReadFileFS.
func (p *progressFS) ReadFile(name string) ([]byte, error) {
	data, err := fs.ReadFile(p.inner, name)
	p.read(name)
	return data, err
}

// ReadDir implements fs.ReadDirFS.
func (p *progressFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(p.inner, name) }

// Stat implements fs.StatFS.
func (p *progressFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(p.inner, name) }
