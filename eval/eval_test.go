package eval

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"missionbot/answer"
	"missionbot/retrieval"
)

// scripted answers each question with a fixed answer.
type scripted map[string]answer.Answer

func (s scripted) Answer(_ context.Context, req answer.Request) (answer.Answer, error) {
	a, ok := s[req.Question]
	if !ok {
		return answer.Answer{}, errors.New("unexpected question")
	}
	return a, nil
}

func passages(texts ...string) []retrieval.Passage {
	var out []retrieval.Passage
	for i, t := range texts {
		out = append(out, retrieval.Passage{Rank: i + 1, Chunk: retrieval.Chunk{Text: t}})
	}
	return out
}

func TestRunScores(t *testing.T) {
	cases := []Case{
		{ID: "a", Kind: "factual", Question: "qa", Answerable: true, Evidence: [][]string{{"2,000", "2000"}}},
		{ID: "b", Kind: "factual", Question: "qb", Answerable: true, Evidence: [][]string{{"Ruto"}, {"Biden"}}},
		{ID: "c", Kind: "unanswerable", Question: "qc"},
		{ID: "d", Kind: "unanswerable", Question: "qd"},
	}
	ans := scripted{
		// Evidence at rank 2, answer holds it: recall hit, RR 1/2.
		"qa": {Text: "Benin pledged 2000 troops [1].", Passages: passages("nothing", "Benin: 2,000 troops")},
		// Evidence split over ranks 1 and 3; the answer names one of two.
		"qb": {Text: "Ruto met him.", Passages: passages("Ruto", "x", "Biden")},
		"qc": {Text: answer.RefusalText, Refused: true},
		"qd": {Text: "An invented answer."},
	}
	rep, err := Run(context.Background(), ans, cases, 5)
	if err != nil {
		t.Fatal(err)
	}
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	near("recall", rep.RecallAtK, 1)
	near("MRR", rep.MRR, (1.0/2+1.0/3)/2)
	near("fact coverage", rep.FactCoverage, 2.0/3)
	near("refusal accuracy", rep.RefusalAccuracy, 0.5)
	if rep.Questions != 4 || rep.Answerable != 2 || rep.FalseRefusals != 0 {
		t.Errorf("counts: %+v", rep.Scores)
	}
	if got := rep.Kinds(); strings.Join(got, ",") != "factual,unanswerable" {
		t.Errorf("kinds %v", got)
	}
	near("factual coverage", rep.ByKind["factual"].FactCoverage, 2.0/3)
	near("unanswerable refusal", rep.ByKind["unanswerable"].RefusalAccuracy, 0.5)
	if len(rep.Misses) != 2 || rep.Misses[0].ID != "b" || rep.Misses[1].ID != "d" {
		t.Errorf("misses %+v, want b (one evidence group missing) and d (answered)", rep.Misses)
	}
}

func TestReadFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string // "" for success
	}{
		{"ok", `{"id":"a","question":"Who?","evidence":[["x"]],"answerable":true}` + "\n\n" + `{"question":"Why?","answerable":false}`, ""},
		{"not json", "{", "line 1"},
		{"no answerable", `{"question":"Who?","evidence":[["x"]]}`, `no "answerable"`},
		{"no question", `{"question":" ","answerable":false}`, "no question"},
		{"answerable without evidence", `{"question":"Who?","answerable":true}`, "without evidence"},
		{"empty group", `{"question":"Who?","answerable":true,"evidence":[[" "]]}`, "group 1 is empty"},
		{"empty file", "\n\n", "no questions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "q.jsonl")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			cases, err := ReadFile(path)
			if tc.want == "" {
				if err != nil || len(cases) != 2 || cases[1].ID != "line3" {
					t.Fatalf("ReadFile = %+v, %v", cases, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidFile) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrInvalidFile mentioning %q", err, tc.want)
			}
		})
	}
}

// TestShippedSetsAreValid: every question set in the repository reads.
func TestShippedSetsAreValid(t *testing.T) {
	for _, f := range []string{"dev.jsonl", "wide/dev.jsonl"} {
		cases, err := ReadFile(f)
		if err != nil || len(cases) == 0 {
			t.Errorf("%s: %d cases, %v", f, len(cases), err)
		}
	}
}
