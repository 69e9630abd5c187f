package main

import (
	"context"
	"fmt"
	"time"

	"missionbot/library"
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
	lib, err := openLibrary(ctx, cfg, e.logger(cfg))
	if err != nil {
		return err
	}
	rep := e.newReporter(nil)
	if need, reason := lib.NeedsBuild(); need && !*rebuild {
		rep.note(fmt.Sprintf("Building the index from scratch (%s).", reason))
	}
	start := time.Now()
	stats, err := lib.Refresh(ctx, library.RefreshOptions{
		Rebuild: *rebuild, Progress: rep.update, Loading: rep.loading,
		OnWait: func() { rep.note(msgWaiting) },
	})
	rep.done()
	// The whole run, loading included; the index's own figure leaves out
	// the reading of every document.
	stats.Duration = time.Since(start)
	rep.warnings(stats.Warnings)
	if err != nil {
		return fmt.Errorf("ingest: %w (the previous index is unchanged)", err)
	}
	fmt.Fprintln(e.stdout, summary(stats))
	return nil
}
