package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"missionbot/library"
	"missionbot/retrieval"
)

func (e *environment) ingest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	rebuild := fs.Bool("rebuild", false, "re-embed every chunk instead of refreshing incrementally")
	if err := fs.Parse(args); err != nil {
		return usagef("ingest: %v", err)
	}
	if fs.NArg() > 0 {
		return usagef("ingest: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := e.config()
	if err != nil {
		return usagef("%v", err)
	}
	start := time.Now()
	lib, err := openLibrary(ctx, cfg, e.logger(cfg))
	if err != nil {
		return err
	}
	var bar *progressBar
	if isTerminal(e.stderr) {
		bar = &progressBar{w: e.stderr}
	}
	if need, reason := lib.NeedsBuild(); need && !*rebuild {
		fmt.Fprintf(e.stderr, "Building the index from scratch (%s).\n", reason)
	}
	stats, err := lib.Refresh(ctx, library.RefreshOptions{Rebuild: *rebuild, Progress: bar.update})
	bar.done()
	printWarnings(e.stderr, stats.Warnings)
	if err != nil {
		return fmt.Errorf("ingest: %w (the previous index is unchanged)", err)
	}
	// The whole command's time, opening the index included, not only the
	// refresh's.
	stats.Duration = time.Since(start)
	fmt.Fprintln(e.stdout, summary(stats))
	printFolds(e.stdout, stats.Folded)
	return nil
}

// maxFoldLines bounds the folds ingest prints; sources lists them all.
const maxFoldLines = 20

// printFolds says which documents were folded into which, so that no
// document leaves the index unsaid.
func printFolds(w io.Writer, folds []retrieval.Fold) {
	if len(folds) == 0 {
		return
	}
	fmt.Fprintf(w, "%d document(s) folded into another as copies of the same story (cited as the kept copy, \"also reported by\" the folded one):\n", len(folds))
	for i, f := range folds {
		if i == maxFoldLines {
			fmt.Fprintf(w, "  … and %d more (missionbot sources lists them all)\n", len(folds)-maxFoldLines)
			break
		}
		fmt.Fprintf(w, "  %s → %s\n", f.Copy.DocID, f.Into.DocID)
	}
}

// progressBar draws "[#####.....] 120/480 chunks" on a terminal. A nil bar
// draws nothing.
type progressBar struct {
	w     io.Writer
	mu    sync.Mutex // guards drawn
	drawn bool
}

func (b *progressBar) update(p retrieval.Progress) {
	if b == nil {
		return
	}
	done, total, what := p.Embedded, p.Total, "chunks embedded"
	switch p.Stage {
	case retrieval.StageLoading:
		done, total, what = p.Loaded, p.ToLoad, "files loaded"
	case retrieval.StageEmbedding:
	default:
		return
	}
	if total == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	const width = 30
	filled := width * done / total
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d %s %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, what,
		p.Elapsed.Round(100*time.Millisecond))
	b.drawn = true
}

func (b *progressBar) done() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}
