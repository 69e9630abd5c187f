package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"missionbot/answer"
)

// evalCase is one line of an evaluation file.
type evalCase struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	// Evidence holds groups of alternative strings; every group must be
	// matched (case-insensitively) by at least one of its alternatives.
	Evidence   [][]string `json:"evidence"`
	Answerable bool       `json:"answerable"`
}

// evalReport is the outcome of an evaluation run.
type evalReport struct {
	Mode       answer.Mode `json:"mode"`
	K          int         `json:"k"`
	Questions  int         `json:"questions"`
	Answerable int         `json:"answerable"`
	// RecallAtK is the share of answerable questions whose top-k passages
	// hold every evidence group.
	RecallAtK float64 `json:"recall_at_k"`
	// MRR is the mean reciprocal of the first rank by which the passages
	// hold every evidence group (0 when they never do).
	MRR float64 `json:"mrr"`
	// FactCoverage is the share of evidence groups, over all answerable
	// questions, found in the answer text.
	FactCoverage float64 `json:"fact_coverage"`
	// RefusalAccuracy is the share of unanswerable questions refused.
	RefusalAccuracy float64 `json:"refusal_accuracy"`
	// FalseRefusals counts answerable questions that were refused.
	FalseRefusals int        `json:"false_refusals"`
	Misses        []evalMiss `json:"misses"`
}

// evalMiss is a question that lost points, and why.
type evalMiss struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Problem  string `json:"problem"`
	Answer   string `json:"answer"`
}

func (e *environment) eval(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	file := fs.String("file", "", "JSONL evaluation file (required)")
	k := fs.Int("k", 0, "passages to retrieve (default MISSIONBOT_K or 5)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return usagef("eval: %v", err)
	}
	if *file == "" {
		return usagef("eval: --file is required")
	}
	cases, err := readEvalFile(*file)
	if err != nil {
		return usagef("eval: %v", err)
	}
	cfg, err := e.config()
	if err != nil {
		return usagef("%v", err)
	}
	if *k <= 0 {
		*k = cfg.K
	}
	_, ans, err := e.openAnswerer(ctx, cfg, e.quietLogger(cfg))
	if err != nil {
		return err
	}
	rep, err := evaluate(ctx, ans, cases, *k)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, rep)
	}
	printReport(e.stdout, rep)
	return nil
}

func readEvalFile(path string) ([]evalCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open evaluation file: %w", err)
	}
	defer f.Close()
	var cases []evalCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var c evalCase
		if err := json.Unmarshal([]byte(text), &c); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		if strings.TrimSpace(c.Question) == "" {
			return nil, fmt.Errorf("%s line %d: no question", path, line)
		}
		if c.ID == "" {
			c.ID = fmt.Sprintf("line%d", line)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("%s holds no questions", path)
	}
	return cases, nil
}

// evaluate answers every case and scores retrieval and answers.
func evaluate(ctx context.Context, ans answerer, cases []evalCase, k int) (evalReport, error) {
	rep := evalReport{K: k, Questions: len(cases), Misses: []evalMiss{}}
	var recallHits, groupsFound, groupsTotal, unanswerable, refusedRight int
	var rrSum float64
	for _, c := range cases {
		a, err := ans.Answer(ctx, answer.Request{Question: c.Question, K: k})
		if err != nil {
			return rep, fmt.Errorf("eval %s: %w", c.ID, err)
		}
		rep.Mode = a.Mode
		if !c.Answerable {
			unanswerable++
			if a.Refused {
				refusedRight++
			} else {
				rep.Misses = append(rep.Misses, evalMiss{ID: c.ID, Question: c.Question, Problem: "answered an unanswerable question", Answer: a.Text})
			}
			continue
		}
		rep.Answerable++
		var problems []string
		rank := firstCoveringRank(a, c.Evidence)
		if rank > 0 {
			recallHits++
			rrSum += 1 / float64(rank)
		} else {
			problems = append(problems, fmt.Sprintf("evidence not in top-%d passages", k))
		}
		found := 0
		for _, g := range c.Evidence {
			if containsAny(a.Text, g) {
				found++
			}
		}
		groupsFound += found
		groupsTotal += len(c.Evidence)
		if found < len(c.Evidence) {
			problems = append(problems, fmt.Sprintf("answer has %d of %d evidence groups", found, len(c.Evidence)))
		}
		if a.Refused {
			rep.FalseRefusals++
			problems = append(problems, "refused")
		}
		if len(problems) > 0 {
			rep.Misses = append(rep.Misses, evalMiss{ID: c.ID, Question: c.Question, Problem: strings.Join(problems, "; "), Answer: a.Text})
		}
	}
	rep.RecallAtK = ratio(recallHits, rep.Answerable)
	rep.MRR = rrSum / float64(max(rep.Answerable, 1))
	rep.FactCoverage = ratio(groupsFound, groupsTotal)
	rep.RefusalAccuracy = ratio(refusedRight, unanswerable)
	return rep, nil
}

// firstCoveringRank is the smallest r such that passages 1..r together hold
// every evidence group, or 0.
func firstCoveringRank(a answer.Answer, evidence [][]string) int {
	var text strings.Builder
	for i, p := range a.Passages {
		text.WriteString(p.Text)
		text.WriteString("\n")
		all := true
		for _, g := range evidence {
			if !containsAny(text.String(), g) {
				all = false
				break
			}
		}
		if all {
			return i + 1
		}
	}
	return 0
}

func containsAny(text string, alternatives []string) bool {
	lt := strings.ToLower(text)
	for _, alt := range alternatives {
		if strings.Contains(lt, strings.ToLower(alt)) {
			return true
		}
	}
	return false
}

// ratio is n/d, or 1 when there is nothing to measure.
func ratio(n, d int) float64 {
	if d == 0 {
		return 1
	}
	return float64(n) / float64(d)
}

func printReport(w io.Writer, r evalReport) {
	fmt.Fprintf(w, "mode %s, k=%d, %d questions (%d answerable)\n", r.Mode, r.K, r.Questions, r.Answerable)
	fmt.Fprintf(w, "recall@%d        %.3f\n", r.K, r.RecallAtK)
	fmt.Fprintf(w, "MRR             %.3f\n", r.MRR)
	fmt.Fprintf(w, "fact coverage   %.3f\n", r.FactCoverage)
	fmt.Fprintf(w, "refusal acc.    %.3f\n", r.RefusalAccuracy)
	fmt.Fprintf(w, "false refusals  %d\n", r.FalseRefusals)
	if len(r.Misses) == 0 {
		return
	}
	fmt.Fprintln(w, "\nmisses:")
	for _, m := range r.Misses {
		fmt.Fprintf(w, "  %s %q: %s\n     answer: %s\n", m.ID, m.Question, m.Problem, truncate(strings.ReplaceAll(m.Answer, "\n", " "), 160))
	}
}
