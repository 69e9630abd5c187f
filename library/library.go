// Package library is the service the bot and the command line talk to: a
// corpus (the built-in one or a moderator's folder) and the index built
// from it. It opens the index, builds it when there is none usable,
// refreshes it, adds and removes documents, and lists sources and stats,
// with one writer at a time.
package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"missionbot/corpus"
	"missionbot/retrieval"
)

// ErrBusy is returned by Refresh when another refresh or corpus change is
// in progress, and by Add and Remove when their context ends while they
// wait for one; the caller should tell the user to wait.
var ErrBusy = errors.New("a refresh is already running")

// ErrReadOnly is returned by Add and Remove when the corpus is the
// built-in one, which cannot change.
var ErrReadOnly = errors.New("the corpus is the read-only built-in one")

// Options configures Open.
type Options struct {
	// DataDir holds the index snapshot (under DataDir/index); required.
	DataDir string
	// CorpusDir is a moderator-managed folder of documents; empty means the
	// built-in corpus embedded in the binary, which is read-only.
	CorpusDir string
	// Embedder turns chunks and queries into vectors; required.
	Embedder retrieval.Embedder
	// Logger receives loading warnings and refresh summaries; nil discards.
	Logger *slog.Logger
	// Locker serialises writers of the index (refreshes, adds, removes);
	// nil means a FileLock on DataDir/writer.lock, which also holds across
	// processes sharing the data directory. Manifest writes are also
	// serialised by a FileLock in the corpus folder, whatever Locker is.
	Locker Locker
}

// Library is a corpus and the index built from it. It is safe for
// concurrent use: searches never wait, and writers (Refresh, Add, Remove)
// run one at a time.
type Library struct {
	index  *retrieval.Index
	fsys   fs.FS
	folder *corpus.Dir // nil for the built-in corpus
	log    *slog.Logger
	// indexDir holds the snapshot; emb is the configured embedder.
	indexDir string
	emb      retrieval.Embedder

	// writer is held by Refresh, Add and Remove.
	writer Locker
	// folderLock is held while the corpus folder and its manifest are
	// written; nil for the built-in corpus.
	folderLock Locker
	// program identifies this build (see programID), for file stamps.
	program string
}

// Open opens the corpus and the index stored under opts.DataDir (creating
// the data directory if needed). It does not build the index: see
// NeedsBuild and EnsureBuilt.
func Open(ctx context.Context, opts Options) (*Library, error) {
	if opts.Embedder == nil {
		return nil, errors.New("open library: no embedder")
	}
	if opts.DataDir == "" {
		return nil, errors.New("open library: no data directory")
	}
	l := &Library{log: opts.Logger, writer: opts.Locker, emb: opts.Embedder, indexDir: filepath.Join(opts.DataDir, "index"), program: programID(time.Now())}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if l.writer == nil {
		l.writer = NewFileLock(filepath.Join(opts.DataDir, LockFileName))
	}
	if opts.CorpusDir != "" {
		dir, err := corpus.OpenDir(opts.CorpusDir)
		if err != nil {
			return nil, fmt.Errorf("open corpus folder: %w", err)
		}
		l.folder, l.fsys = dir, dir.FS()
		l.folderLock = NewFileLock(filepath.Join(dir.Path(), FolderLockName))
	} else {
		l.fsys = corpus.Embedded()
	}
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	ix, err := retrieval.OpenIndex(ctx, l.indexDir, opts.Embedder, retrieval.IndexOptions{Logger: l.log})
	if err != nil {
		return nil, fmt.Errorf("open index: %w", err)
	}
	l.index = ix
	return l, nil
}

// Writable reports whether documents can be added and removed: the corpus
// is a folder, not the built-in one.
func (l *Library) Writable() bool { return l.folder != nil }

// Search finds passages for query in the serving index.
func (l *Library) Search(ctx context.Context, query string, k int) (retrieval.Results, error) {
	return l.index.Search(ctx, query, k)
}

// Sources lists the indexed documents.
func (l *Library) Sources() []retrieval.SourceInfo { return l.index.Sources() }

// Folds lists the documents folded into others as copies, by the copy's
// DocID.
func (l *Library) Folds() []retrieval.Fold { return l.index.Folds() }

// Stats describes the serving index.
func (l *Library) Stats() retrieval.Stats { return l.index.Stats() }

// Ready reports whether the index holds anything to answer from.
func (l *Library) Ready() bool { return l.index.Ready() }

// NeedsBuild reports whether the index must be built before it can serve,
// and why.
func (l *Library) NeedsBuild() (bool, string) { return l.index.NeedsBuild() }

// ReloadIfNewer swaps in a snapshot another process wrote, if there is a
// newer one; it reports whether it did.
func (l *Library) ReloadIfNewer(ctx context.Context) (bool, error) { return l.index.ReloadIfNewer(ctx) }

// RefreshOptions tunes one refresh.
type RefreshOptions struct {
	// Rebuild re-embeds every chunk instead of refreshing incrementally.
	Rebuild bool
	// Progress, when set, is called as the refresh moves on: scanning,
	// loading files, embedding chunks, writing the index.
	Progress func(retrieval.Progress)
	// OnWait, when set, makes Refresh wait while another writer (in this
	// process or another) holds the lock instead of returning ErrBusy; it
	// is called once, as the wait begins, so the caller can say so.
	OnWait func()
}

// Refresh loads the corpus and refreshes the index incrementally: files
// unchanged since the index was built are not read, the others are read
// in parallel. Loading warnings (files skipped and why) come back in the
// stats, whose Duration is the whole refresh, loading included, and are
// not logged again: the caller shows or logs them once. It returns ErrBusy
// when another writer is running, unless opts.OnWait asks it to wait.
func (l *Library) Refresh(ctx context.Context, opts RefreshOptions) (retrieval.RefreshStats, error) {
	unlock, err := l.lockWriter(ctx, opts.OnWait)
	if err != nil {
		return retrieval.RefreshStats{}, err
	}
	defer unlock()
	return l.refresh(ctx, opts)
}

// refresh is Refresh with the writer lock held. A file whose size,
// modification time and manifest entry are those the index recorded is
// not read; the others are read, hashed, and parsed when their bytes
// changed, in parallel across the cores.
func (l *Library) refresh(ctx context.Context, opts RefreshOptions) (retrieval.RefreshStats, error) {
	start := time.Now()
	// The writer lock is held, so no other writer is midway through a
	// snapshot: whatever temporary snapshot is there was left by a kill.
	l.index.RemoveTemps()
	var (
		stats retrieval.RefreshStats
		err   error
	)
	for attempt := 0; ; attempt++ {
		stats, err = l.refreshOnce(ctx, start, opts)
		if !errors.Is(err, retrieval.ErrIndexChanged) || attempt > 0 {
			break
		}
		// Another process's snapshot was loaded while the corpus was
		// being compared with the index: compare again.
		l.log.Info("the index changed during the refresh; scanning again")
	}
	if errors.Is(err, retrieval.ErrRefreshRunning) {
		err = ErrBusy
	}
	stats.Duration = time.Since(start)
	if err == nil {
		l.log.Info("refresh done", "files", stats.FilesTotal, "files_read", stats.FilesRead,
			"docs_added", stats.DocsAdded, "docs_updated", stats.DocsUpdated, "docs_removed", stats.DocsRemoved,
			"folded", len(stats.Folded), "chunks_embedded", stats.ChunksEmbedded, "chunks", stats.ChunksTotal,
			"rebuilt", stats.Rebuilt, "reason", stats.RebuildReason, "took", stats.Duration.Round(time.Millisecond).String())
	}
	return stats, err
}

// refreshOnce scans the corpus, loads what changed and updates the index.
func (l *Library) refreshOnce(ctx context.Context, start time.Time, opts RefreshOptions) (retrieval.RefreshStats, error) {
	report := func(p retrieval.Progress) {
		if opts.Progress != nil {
			p.Elapsed = time.Since(start)
			opts.Progress(p)
		}
	}
	report(retrieval.Progress{Stage: retrieval.StageScanning})
	// Warnings come back in the stats and are not logged here: the caller
	// shows or logs each one once.
	list, err := corpus.Scan(ctx, l.fsys, nil)
	if err != nil {
		return retrieval.RefreshStats{}, err // names the operation already
	}
	held := l.index.Files()
	files := make([]retrieval.SourceFile, len(list.Files))
	var toRead []int
	keys := map[corpus.Meta]string{} // most files share an entry: none
	for i, f := range list.Files {
		key, ok := keys[f.Entry]
		if !ok {
			key = l.keyOf(f.Entry)
			keys[f.Entry] = key
		}
		stamp := retrieval.SourceStamp{Size: f.Size, ModTime: f.ModTime, Key: key}
		files[i] = retrieval.SourceFile{DocID: f.Path, Stamp: stamp}
		if rec, ok := held.Lookup(f.Path); ok && rec.Stamp.Unchanged(stamp) {
			files[i].Stamp.Sum, files[i].Skip = rec.Stamp.Sum, rec.Skip
			continue
		}
		toRead = append(toRead, i)
	}
	loadWarnings, err := l.load(ctx, list.Files, files, toRead, held, report)
	if err != nil {
		return retrieval.RefreshStats{}, err
	}
	// Files that failed to load (unreadable now) are left out: the index
	// drops what it held for them, as it would for a removed file.
	kept := files[:0]
	for _, f := range files {
		if f.DocID != "" {
			kept = append(kept, f)
		}
	}
	stats, err := l.index.Update(ctx, kept, retrieval.RefreshOptions{Rebuild: opts.Rebuild, Progress: opts.Progress, Started: start})
	stats.FilesRead, stats.FilesTotal = len(toRead), len(list.Files)
	warnings := list.Warnings
	for _, f := range kept {
		if f.Skip != "" {
			warnings = append(warnings, fmt.Sprintf("skipped %s: %s", f.DocID, f.Skip))
		}
	}
	stats.Warnings = slices.Concat(warnings, loadWarnings, stats.Warnings)
	return stats, err
}

// load reads files[toRead] in parallel across the cores, bounded: each is
// hashed, and parsed only when its bytes differ from what the index
// recorded (held). A file that cannot be read gets an empty DocID and a
// warning; one that cannot be parsed keeps its stamp with the reason in
// Skip, so it is not read again while unchanged.
func (l *Library) load(ctx context.Context, scanned []corpus.File, files []retrieval.SourceFile, toRead []int,
	held retrieval.Files, report func(retrieval.Progress)) ([]string, error) {
	if len(toRead) == 0 {
		return nil, nil
	}
	var (
		mu       sync.Mutex // guards done, warnings and report calls
		done     int
		warnings = make([]string, len(toRead))
	)
	step := max(len(toRead)/100, 64)
	report(retrieval.Progress{Stage: retrieval.StageLoading, ToLoad: len(toRead)})
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for k, i := range toRead {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			f := &files[i]
			data, err := scanned[i].Read(l.fsys)
			if err != nil {
				warnings[k] = fmt.Sprintf("skipped %s: %s", f.DocID, err)
				f.DocID = ""
			} else {
				f.Stamp.Sum = sha256.Sum256(data)
				if rec, ok := held.Lookup(f.DocID); ok && rec.Stamp.SameContent(f.Stamp) {
					f.Skip = rec.Skip // touched, not changed: reuse what the index holds
				} else if doc, err := corpus.Parse(f.DocID, data, scanned[i].Entry); err != nil {
					f.Skip = err.Error()
				} else {
					f.Doc = &doc
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if done++; done%step == 0 || done == len(toRead) {
				report(retrieval.Progress{Stage: retrieval.StageLoading, Loaded: done, ToLoad: len(toRead)})
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("load corpus: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("load corpus: %w", context.Cause(ctx))
	}
	return slices.DeleteFunc(warnings, func(w string) bool { return w == "" }), nil
}

// keyOf is the stamp key of a file with manifest entry e: what besides its
// bytes shapes the document it yields. A new build of the program may
// parse the same bytes differently, so it reads every file once more.
func (l *Library) keyOf(e corpus.Meta) string {
	b, _ := json.Marshal(e)
	h := sha256.New()
	h.Write([]byte(l.program))
	h.Write([]byte{0})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// programID identifies the build of this program: its VCS revision when
// it was built from a clean checkout, otherwise its executable's size and
// modification time; failing both, the time it started, so that nothing
// is wrongly taken as unchanged.
func programID(now time.Time) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" && modified == "false" {
			return bi.GoVersion + " " + bi.Main.Path + " " + rev
		}
	}
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			return fmt.Sprintf("executable %d bytes, modified %d", fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return fmt.Sprintf("started %d", now.UnixNano())
}

// EnsureBuilt builds the index when there is none usable (first run, an
// embedder change, an unreadable snapshot). announce, when set, is told
// why before the build starts. built reports whether a build ran.
func (l *Library) EnsureBuilt(ctx context.Context, announce func(reason string)) (stats retrieval.RefreshStats, built bool, err error) {
	need, reason := l.index.NeedsBuild()
	if !need {
		return stats, false, nil
	}
	if announce != nil {
		announce(reason)
	}
	stats, err = l.Refresh(ctx, RefreshOptions{})
	if errors.Is(err, ErrBusy) {
		// Another process is writing, most likely a replica that started
		// at the same moment and is building this very index: wait for
		// it and use what it wrote.
		return l.buildAfterOtherWriter(ctx)
	}
	if err != nil {
		return stats, true, fmt.Errorf("build index: %w", err)
	}
	return stats, true, nil
}

// buildAfterOtherWriter waits for the writer lock, loads the snapshot the
// other writer left, and builds only if that did not make the index
// usable.
func (l *Library) buildAfterOtherWriter(ctx context.Context) (retrieval.RefreshStats, bool, error) {
	unlock, err := l.writer.Lock(ctx)
	if err != nil {
		return retrieval.RefreshStats{}, false, fmt.Errorf("build index: wait for the other writer: %w", err)
	}
	defer unlock()
	if _, err := l.index.ReloadIfNewer(ctx); err != nil {
		l.log.Warn("cannot use the index another process built; building it here", "err", err)
	}
	if need, _ := l.index.NeedsBuild(); !need {
		return retrieval.RefreshStats{}, false, nil
	}
	stats, err := l.refresh(ctx, RefreshOptions{})
	if err != nil {
		return stats, true, fmt.Errorf("build index: %w", err)
	}
	return stats, true, nil
}

// NewDocument is a document to add to the corpus folder.
type NewDocument struct {
	// Data is the file's content.
	Data []byte
	// Ext is its file extension, with the dot: ".txt", ".md", ".html",
	// ".htm" or ".pdf".
	Ext string
	// Name is a fallback for the file name when the document states no
	// title (an attachment's or URL's base name).
	Name string
	// Meta is what the moderator states about it (title, publisher, date,
	// URL); empty fields are taken from the document itself.
	Meta corpus.Meta
}

// Added is the outcome of Add.
type Added struct {
	// Meta is the saved document's metadata; DocID is its file name.
	Meta  corpus.Meta
	Stats retrieval.RefreshStats
}

// Add saves a new document in the corpus folder with its manifest entry,
// then refreshes the index. The document is loaded first, so one that
// cannot be read is refused before anything is written. Without a title
// in doc.Meta, the document's own title names it. While another writer
// runs (in this process or, with a shared Locker, in another replica) it
// waits its turn rather than refuse a moderator's document; it returns
// ErrBusy only when ctx ends first, having written nothing. It returns
// ErrReadOnly for the built-in corpus.
func (l *Library) Add(ctx context.Context, doc NewDocument, progress func(retrieval.Progress)) (Added, error) {
	if l.folder == nil {
		return Added{}, ErrReadOnly
	}
	// Corpus changes wait their turn: a moderator's /add-source on one
	// replica must not be refused because another replica is refreshing.
	unlock, err := l.lockWriter(ctx, orNothing(nil))
	if err != nil {
		return Added{}, err
	}
	defer unlock()
	provisional := corpus.FileNameFor(doc.Name, doc.Ext)
	parsed, err := corpus.Parse(provisional, doc.Data, doc.Meta)
	if err != nil {
		return Added{}, fmt.Errorf("add document: %w", err)
	}
	meta := doc.Meta
	if meta.Title == "" {
		meta.Title = parsed.Title
	}
	name := corpus.FileNameFor(meta.Title, doc.Ext)
	if err := l.inFolder(ctx, func() error { return l.folder.Add(ctx, name, doc.Data, meta) }); err != nil {
		return Added{}, fmt.Errorf("add document: %w", err)
	}
	meta.DocID = name
	stats, err := l.refresh(ctx, RefreshOptions{Progress: progress})
	return Added{Meta: meta, Stats: stats}, err
}

// Remove deletes a document and its manifest entry from the corpus folder,
// then refreshes the index. Like Add, it waits while another writer runs,
// returning ErrBusy only when ctx ends first. It returns ErrReadOnly for
// the built-in corpus and an error wrapping corpus.ErrNotFound for a
// document that is not there.
func (l *Library) Remove(ctx context.Context, docID string, progress func(retrieval.Progress)) (retrieval.RefreshStats, error) {
	if l.folder == nil {
		return retrieval.RefreshStats{}, ErrReadOnly
	}
	// Corpus changes wait their turn: a moderator's /add-source on one
	// replica must not be refused because another replica is refreshing.
	unlock, err := l.lockWriter(ctx, orNothing(nil))
	if err != nil {
		return retrieval.RefreshStats{}, err
	}
	defer unlock()
	if err := l.inFolder(ctx, func() error { return l.folder.Remove(ctx, docID) }); err != nil {
		return retrieval.RefreshStats{}, fmt.Errorf("remove document: %w", err)
	}
	return l.refresh(ctx, RefreshOptions{Progress: progress})
}
