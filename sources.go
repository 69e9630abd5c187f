package main

import (
	"context"
	"fmt"
	"missionbot/text"
	"text/tabwriter"
)

func (e *environment) sources(ctx context.Context, args []string) error {
	fs := newFlagSet("sources")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("sources", rest); err != nil {
		return err
	}
	cfg, err := e.config()
	if err != nil {
		return usagef("%v", err)
	}
	lib, err := openLibrary(ctx, cfg, e.reportLogger(cfg))
	if err != nil {
		return err
	}
	if err := ensureIndex(ctx, cfg, lib, readIndex, "sources", e.newReporter(nil)); err != nil {
		return err
	}
	srcs := lib.Sources()
	if *asJSON {
		return writeJSON(e.stdout, srcs)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DOCUMENT\tTITLE\tPUBLISHER\tPUBLISHED\tCHUNKS")
	for _, s := range srcs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", s.DocID, text.Truncate(s.Title, 60), dash(s.Publisher), dash(s.Published), s.Chunks)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	st := lib.Stats()
	fmt.Fprintf(e.stdout, "\n%d documents, %d chunks, embedder %s/%s (%d dims).\n", st.Documents, st.Chunks, st.Embedder.Name, st.Embedder.Model, st.Embedder.Dim)
	if folds := lib.Folds(); len(folds) > 0 {
		fmt.Fprintf(e.stdout, "\n%d document(s) folded into another as copies of the same story (not listed above; cited as the kept copy, \"also reported by\" the folded one):\n", len(folds))
		for _, f := range folds {
			fmt.Fprintf(e.stdout, "  %s (%s) → %s\n", f.Copy.DocID, dash(text.Truncate(f.Copy.Outlet(), 60)), f.Into.DocID)
		}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
