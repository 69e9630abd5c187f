package main

import (
	"encoding/json"
	"strings"
	"testing"

	"missionbot/eval"
)

// TestAskJSONRefusedAndPartial: refused is true exactly when the answer
// states none of what was asked; a compound question answered in part is
// not refused and says it is partial.
func TestAskJSONRefusedAndPartial(t *testing.T) {
	tests := []struct {
		name             string
		question         string
		refused, partial bool
		mustSay, mustNot string
	}{
		{"answered", "How many troops did Benin pledge to the mission?", false, false, "2,000", "don't say"},
		{"partial", "How many troops did Benin pledge to the mission, and when will they arrive?", false, true, "2,000", ""},
		{"refused", "How much money did Japan pledge to the mission?", true, false, "Japan", "2,000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runCLI(t, nil, "ask", "--json", tc.question)
			if err != nil {
				t.Fatal(err)
			}
			var a askJSON
			if err := json.Unmarshal([]byte(out), &a); err != nil {
				t.Fatal(err)
			}
			if a.Refused != tc.refused || a.Partial != tc.partial {
				t.Errorf("refused %v partial %v, want %v %v: %s", a.Refused, a.Partial, tc.refused, tc.partial, a.Answer)
			}
			if !strings.Contains(a.Answer, tc.mustSay) || tc.mustNot != "" && strings.Contains(a.Answer, tc.mustNot) {
				t.Errorf("answer %q must hold %q and not %q", a.Answer, tc.mustSay, tc.mustNot)
			}
			if tc.partial && !strings.Contains(a.Answer, "The sources don't say") {
				t.Errorf("a partial answer must say what the sources don't state: %q", a.Answer)
			}
		})
	}
}

// TestWideSetHoldsItsGround runs the realistic development set over its
// corpus in-process and checks the figures reached so far (issue 9's bars
// are recall@5 0.90, MRR 0.75, fact coverage 0.65, refusal accuracy 0.85;
// the corpus's own dates, which the recall and coverage of its temporal
// questions need, are read by corpus metadata work in progress). A change
// that lowers any of them fails here.
func TestWideSetHoldsItsGround(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes the wide corpus")
	}
	rep := runEval(t, "--file", "eval/wide/dev.jsonl", "--corpus", "eval/wide/corpus")
	if rep.RefusalAccuracy < 0.85 || rep.RecallAtK < 0.75 || rep.MRR < 0.6 || rep.FactCoverage < 0.55 {
		t.Errorf("wide set below its floor (refusal 0.85, recall 0.75, MRR 0.60, coverage 0.55): %+v", rep.Scores)
	}
}

// runEval runs `missionbot eval --json` with args in-process and returns
// its report, logging the headline figures.
func runEval(t *testing.T, args ...string) eval.Report {
	t.Helper()
	out, _, err := runCLI(t, nil, append([]string{"eval", "--json"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	var rep eval.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	t.Logf("recall@5 %.3f MRR %.3f fact coverage %.3f refusal accuracy %.3f", rep.RecallAtK, rep.MRR, rep.FactCoverage, rep.RefusalAccuracy)
	return rep
}
