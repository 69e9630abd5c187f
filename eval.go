package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"missionbot/eval"
	"missionbot/text"
)

func (e *environment) eval(ctx context.Context, args []string) error {
	fs := newFlagSet("eval")
	file := fs.String("file", "", "JSONL question set (required), e.g. eval/dev.jsonl")
	k := fs.Int("k", 0, "passages to retrieve, 1 to 50 (default MISSIONBOT_K or 5)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	corpusDir := fs.String("corpus", "", "score over this folder of documents, indexed in a temporary directory (e.g. eval/wide/corpus)")
	rest, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("eval", rest); err != nil {
		return err
	}
	if *file == "" {
		return usagef("eval: --file is required")
	}
	if *k != 0 && (*k < 1 || *k > 50) {
		return usagef("eval: --k must be between 1 and 50")
	}
	cases, err := eval.ReadFile(*file)
	if err != nil {
		return usagef("eval: %v", err)
	}
	cfg, err := e.config()
	if err != nil {
		return usagef("%v", err)
	}
	access := readIndex
	if *corpusDir != "" {
		// The index is built in a directory of its own, which nothing
		// else reads.
		access = writeIndex
		if fi, err := os.Stat(*corpusDir); err != nil || !fi.IsDir() {
			return usagef("eval: --corpus %s is not a folder", *corpusDir)
		}
		tmp, err := os.MkdirTemp("", "missionbot-eval-")
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		defer os.RemoveAll(tmp)
		cfg.CorpusDir, cfg.DataDir = *corpusDir, tmp
		// The throwaway index is this run's alone: no shared writer lock.
		cfg.DatabaseURL = ""
	}
	if *k == 0 {
		*k = cfg.K
	}
	_, ans, err := openAnswerer(ctx, cfg, e.reportLogger(cfg), access, "eval", e.newReporter(nil))
	if err != nil {
		return err
	}
	rep, err := eval.Run(ctx, ans, cases, *k)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, rep)
	}
	printReport(e.stdout, rep)
	return nil
}

// printReport writes the report as a table: the overall figures, one row
// per kind of question, then the misses.
func printReport(w io.Writer, r eval.Report) {
	fmt.Fprintf(w, "mode %s, k=%d, %d questions (%d answerable)\n", r.Mode, r.K, r.Questions, r.Answerable)
	fmt.Fprintf(w, "recall@%d        %.3f\n", r.K, r.RecallAtK)
	fmt.Fprintf(w, "MRR             %.3f\n", r.MRR)
	fmt.Fprintf(w, "fact coverage   %.3f\n", r.FactCoverage)
	fmt.Fprintf(w, "refusal acc.    %.3f\n", r.RefusalAccuracy)
	fmt.Fprintf(w, "false refusals  %d\n", r.FalseRefusals)
	if len(r.ByKind) > 1 {
		fmt.Fprintf(w, "\n%-14s %4s %9s %6s %9s %8s %7s\n", "kind", "n", "recall@"+fmt.Sprint(r.K), "MRR", "coverage", "refusal", "false-r")
		for _, kind := range r.Kinds() {
			s := r.ByKind[kind]
			// A figure with nothing to measure (no answerable, or no
			// unanswerable, questions of this kind) is shown as "-".
			fig := func(v float64, measured bool) string {
				if !measured {
					return "-"
				}
				return fmt.Sprintf("%.3f", v)
			}
			ans, unans := s.Answerable > 0, s.Questions > s.Answerable
			fmt.Fprintf(w, "%-14s %4d %9s %6s %9s %8s %7d\n", kind, s.Questions, fig(s.RecallAtK, ans), fig(s.MRR, ans),
				fig(s.FactCoverage, ans), fig(s.RefusalAccuracy, unans), s.FalseRefusals)
		}
	}
	if len(r.Misses) == 0 {
		return
	}
	fmt.Fprintln(w, "\nmisses:")
	for _, m := range r.Misses {
		fmt.Fprintf(w, "  %s %q: %s\n     answer: %s\n", m.ID, m.Question, m.Problem, text.Truncate(strings.ReplaceAll(m.Answer, "\n", " "), 160))
	}
}
