// Package eval scores the bot against question sets: recall@k and MRR of
// the retrieved passages, fact coverage of the answers, and refusal
// accuracy on questions no document answers, overall and per kind of
// question. The sets shipped with the project live beside it: dev.jsonl
// (over the built-in corpus) and wide/ (a realistic corpus of saved pages
// and pasted articles, with its own dev.jsonl).
package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"missionbot/answer"
)

// Case is one line of a question set.
type Case struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	// Evidence holds groups of alternative strings; every group must be
	// matched (case-insensitively) by at least one of its alternatives, in
	// the retrieved passages and in the answer.
	Evidence [][]string `json:"evidence"`
	// Answerable is false for questions the corpus does not answer, which
	// the bot must refuse.
	Answerable bool `json:"answerable"`
	// Kind groups questions in the report ("factual", "temporal", …);
	// empty counts as "unkinded".
	Kind string `json:"kind,omitempty"`
	// Docs names the documents that hold the answer; informational.
	Docs []string `json:"docs,omitempty"`
}

// ErrInvalidFile is returned (wrapped, naming the file and line) for a
// question set that cannot be scored.
var ErrInvalidFile = errors.New("invalid question set")

// ReadFile reads a JSONL question set: one JSON object per line, blank
// lines ignored. Every line needs a question and an explicit "answerable";
// an answerable question needs at least one evidence group, none of them
// empty. A missing id becomes "line<N>".
func ReadFile(path string) ([]Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open question set: %w", err)
	}
	defer f.Close()
	var cases []Case
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		c, err := parseCase([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("%w: %s line %d: %v", ErrInvalidFile, path, line, err)
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
		return nil, fmt.Errorf("%w: %s holds no questions", ErrInvalidFile, path)
	}
	return cases, nil
}

// parseCase decodes and checks one line.
func parseCase(line []byte) (Case, error) {
	var c Case
	if err := json.Unmarshal(line, &c); err != nil {
		return c, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil {
		return c, err
	}
	if _, ok := fields["answerable"]; !ok {
		return c, errors.New(`no "answerable": say true or false`)
	}
	if strings.TrimSpace(c.Question) == "" {
		return c, errors.New("no question")
	}
	if c.Answerable && len(c.Evidence) == 0 {
		return c, errors.New("an answerable question without evidence cannot be scored")
	}
	for i, g := range c.Evidence {
		if len(g) == 0 || slicesAllBlank(g) {
			return c, fmt.Errorf("evidence group %d is empty", i+1)
		}
	}
	return c, nil
}

func slicesAllBlank(ss []string) bool {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// Answerer answers one question; both answerers implement it.
type Answerer interface {
	Answer(ctx context.Context, req answer.Request) (answer.Answer, error)
}

// Scores are the figures for a set of questions.
type Scores struct {
	Questions  int `json:"questions"`
	Answerable int `json:"answerable"`
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
	FalseRefusals int `json:"false_refusals"`

	// Running sums, from which the ratios are computed.
	recallHits, groupsFound, groupsTotal, unanswerable, refusedRight int
	rrSum                                                            float64
}

// Report is the outcome of scoring a question set.
type Report struct {
	Mode answer.Mode `json:"mode"`
	K    int         `json:"k"`
	Scores
	// ByKind holds the same figures per Case.Kind.
	ByKind map[string]*Scores `json:"by_kind"`
	Misses []Miss             `json:"misses"`
}

// Kinds returns the kinds in the report, sorted.
func (r Report) Kinds() []string {
	kinds := make([]string, 0, len(r.ByKind))
	for k := range r.ByKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

// Miss is a question that lost points, and why.
type Miss struct {
	ID       string `json:"id"`
	Kind     string `json:"kind,omitempty"`
	Question string `json:"question"`
	Problem  string `json:"problem"`
	Answer   string `json:"answer"`
}

// Run answers every case with k passages and scores retrieval and answers.
func Run(ctx context.Context, ans Answerer, cases []Case, k int) (Report, error) {
	rep := Report{K: k, ByKind: map[string]*Scores{}, Misses: []Miss{}}
	for _, c := range cases {
		a, err := ans.Answer(ctx, answer.Request{Question: c.Question, K: k})
		if err != nil {
			return rep, fmt.Errorf("eval %s: %w", c.ID, err)
		}
		rep.Mode = a.Mode
		kind := c.Kind
		if kind == "" {
			kind = "unkinded"
		}
		ks := rep.ByKind[kind]
		if ks == nil {
			ks = &Scores{}
			rep.ByKind[kind] = ks
		}
		problems := rep.Scores.add(c, a, k)
		ks.add(c, a, k)
		if len(problems) > 0 {
			rep.Misses = append(rep.Misses, Miss{ID: c.ID, Kind: c.Kind, Question: c.Question, Problem: strings.Join(problems, "; "), Answer: a.Text})
		}
	}
	rep.Scores.finish()
	for _, ks := range rep.ByKind {
		ks.finish()
	}
	return rep, nil
}

// add scores one answer and returns what it got wrong.
func (s *Scores) add(c Case, a answer.Answer, k int) []string {
	s.Questions++
	if !c.Answerable {
		s.unanswerable++
		if a.Refused {
			s.refusedRight++
			return nil
		}
		return []string{"answered an unanswerable question"}
	}
	s.Answerable++
	var problems []string
	if rank := FirstCoveringRank(a, c.Evidence); rank > 0 {
		s.recallHits++
		s.rrSum += 1 / float64(rank)
	} else {
		problems = append(problems, fmt.Sprintf("evidence not in top-%d passages", k))
	}
	found := 0
	for _, g := range c.Evidence {
		if ContainsAny(a.Text, g) {
			found++
		}
	}
	s.groupsFound += found
	s.groupsTotal += len(c.Evidence)
	if found < len(c.Evidence) {
		problems = append(problems, fmt.Sprintf("answer has %d of %d evidence groups", found, len(c.Evidence)))
	}
	if a.Refused {
		s.FalseRefusals++
		problems = append(problems, "refused")
	}
	return problems
}

// finish computes the ratios from the running sums.
func (s *Scores) finish() {
	s.RecallAtK = ratio(s.recallHits, s.Answerable)
	s.MRR = s.rrSum / float64(max(s.Answerable, 1))
	s.FactCoverage = ratio(s.groupsFound, s.groupsTotal)
	s.RefusalAccuracy = ratio(s.refusedRight, s.unanswerable)
}

// FirstCoveringRank is the smallest r such that passages 1..r of a
// together hold every evidence group, or 0 when they never do.
func FirstCoveringRank(a answer.Answer, evidence [][]string) int {
	var text strings.Builder
	for i, p := range a.Passages {
		text.WriteString(p.Text)
		text.WriteString("\n")
		all := true
		for _, g := range evidence {
			if !ContainsAny(text.String(), g) {
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

// ContainsAny reports whether text holds one of the alternatives,
// case-insensitively.
func ContainsAny(text string, alternatives []string) bool {
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
