package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"

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
	fmt.Fprintln(e.stdout, summary(stats))
	return nil
}

// progressBar draws "[#####.....] 120/480 chunks" on a terminal. A nil bar
// draws nothing.
type progressBar struct {
	w     io.Writer
	mu    sync.Mutex // guards drawn
	drawn bool
}

func (b *progressBar) update(p retrieval.Progress) {
	if b == nil || p.Total == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	const width = 30
	filled := width * p.Embedded / p.Total
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d chunks embedded", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.Embedded, p.Total)
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
