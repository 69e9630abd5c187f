package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"missionbot/library"
	"missionbot/retrieval"
)

func (e *environment) ingest(ctx context.Context, args []string) error {
	fs := newFlagSet("ingest")
	rebuild := fs.Bool("rebuild", false, "re-embed every chunk instead of refreshing incrementally")
	rest, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("ingest", rest); err != nil {
		return err
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
	rep := e.newReporter(nil)
	if need, reason := lib.NeedsBuild(); need && !*rebuild {
		rep.note(fmt.Sprintf("Building the index from scratch (%s).", reason))
	}
	stats, err := lib.Refresh(ctx, library.RefreshOptions{
		Rebuild: *rebuild, Progress: rep.update,
		OnWait: func() { rep.note(msgWaiting) },
	})
	rep.done()
	rep.warnings(stats.Warnings)
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
