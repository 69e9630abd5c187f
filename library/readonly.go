package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"missionbot/retrieval"
)

// ErrEmbedderMismatch is returned (wrapped, with the index's and the
// configured embedder named) by EnsureReadable when the snapshot on disk
// was built with another embedder: its vectors cannot be compared with
// the configured embedder's, and replacing it is for `missionbot ingest`.
var ErrEmbedderMismatch = errors.New("the embedder settings differ from the index's")

// ReadOptions tunes EnsureReadable. Every field may be nil.
type ReadOptions struct {
	// Building is told, before a build starts, why it is needed and
	// whether the index built is written to the data directory (kept) or
	// held in memory for this run only.
	Building func(reason string, kept bool)
	// OnWait is called once if another writer holds the lock; the build
	// then waits for it and uses what it wrote.
	OnWait func()
	// Progress reports the build as in RefreshOptions.
	Progress func(retrieval.Progress)
}

// EnsureReadable makes the index able to answer for a command that only
// reads (ask, sources, eval, chat), without ever replacing a snapshot on
// disk:
//
//   - a usable snapshot: nothing to do;
//   - no snapshot at all: the index is built and written under the writer
//     lock. Nothing is replaced, the write is atomic, and the next run
//     starts at once instead of rebuilding (the first `ask` on a fresh
//     machine keeps working offline with the built-in corpus);
//   - a snapshot that cannot be read (damaged, cut short): the index is
//     built in memory for this run and the file is left for `ingest` or
//     /refresh to replace;
//   - a snapshot built with another embedder: an error wrapping
//     ErrEmbedderMismatch, naming both embedders.
//
// It must be called before the library serves searches. built reports
// whether a build ran; stats are that build's.
func (l *Library) EnsureReadable(ctx context.Context, opts ReadOptions) (stats retrieval.RefreshStats, built bool, err error) {
	need, reason := l.index.NeedsBuild()
	if !need {
		return stats, false, nil
	}
	if !snapshotPresent(l.indexDir) {
		unlock, err := l.lockWriter(ctx, orNothing(opts.OnWait))
		if err != nil {
			return stats, false, fmt.Errorf("build index: %w", err)
		}
		defer unlock()
		// Another process may have built it while this one waited.
		if need, reason = l.index.NeedsBuild(); !need {
			return stats, false, nil
		}
		if !snapshotPresent(l.indexDir) {
			announce(opts.Building, reason, true)
			stats, err = l.refresh(ctx, RefreshOptions{Progress: opts.Progress})
			if err != nil {
				return stats, true, fmt.Errorf("build index: %w", err)
			}
			return stats, true, nil
		}
	}
	if built, ok := l.index.EmbedderMismatch(); ok {
		return stats, false, fmt.Errorf("%w: the index was built with %s, the configured embedder is %s",
			ErrEmbedderMismatch, built, l.emb.Info())
	}
	announce(opts.Building, reason, false)
	stats, err = l.buildInMemory(ctx, RefreshOptions{Progress: opts.Progress})
	if err != nil {
		return stats, true, fmt.Errorf("build index in memory: %w", err)
	}
	return stats, true, nil
}

// buildInMemory builds an index from the corpus in a temporary directory,
// removed once the index is in memory, and serves from it; the index
// under the data directory is left as it is.
func (l *Library) buildInMemory(ctx context.Context, opts RefreshOptions) (retrieval.RefreshStats, error) {
	tmp, err := os.MkdirTemp("", "missionbot-index-")
	if err != nil {
		return retrieval.RefreshStats{}, err
	}
	defer os.RemoveAll(tmp)
	ix, err := retrieval.OpenIndex(ctx, tmp, l.emb, retrieval.IndexOptions{Logger: l.log})
	if err != nil {
		return retrieval.RefreshStats{}, err
	}
	disk := l.index
	l.index = ix
	stats, err := l.refresh(ctx, opts)
	if err != nil {
		l.index = disk
	}
	return stats, err
}

// snapshotPresent reports whether the index directory holds anything a
// write could replace: any file but the dot-named temporaries of writes in
// progress. When the directory cannot be listed it answers true, so that
// nothing is written over what it could not see.
func snapshotPresent(dir string) bool {
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	for _, de := range des {
		if !strings.HasPrefix(de.Name(), ".") {
			return true
		}
	}
	return false
}

func announce(f func(string, bool), reason string, kept bool) {
	if f != nil {
		f(reason, kept)
	}
}

// orNothing turns a nil callback into one that does nothing, so a read
// waits for a writer instead of failing with ErrBusy.
func orNothing(f func()) func() {
	if f == nil {
		return func() {}
	}
	return f
}
