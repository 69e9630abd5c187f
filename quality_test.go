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
// corpus in-process and checks issue 9's bars: recall@5 0.90, MRR 0.75,
// fact coverage 0.65, refusal accuracy 0.85. A change that lowers any of
// them below its bar fails here.
func TestWideSetHoldsItsGround(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes the wide corpus")
	}
	rep := runEval(t, "--file", "eval/wide/dev.jsonl", "--corpus", "eval/wide/corpus")
	if rep.RecallAtK < 0.90 || rep.MRR < 0.75 || rep.FactCoverage < 0.65 || rep.RefusalAccuracy < 0.85 {
		t.Errorf("wide set below issue 9's bars (recall 0.90, MRR 0.75, coverage 0.65, refusal 0.85): %+v", rep.Scores)
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

// TestProbesDoNotRegress runs this project's own probe sets (eval/probes:
// corpora on other topics, built like the wide set) and checks that none
// falls below the figures they reached when they were written down. These
// floors are regression guards, not issue 9's bars: the probes are harder
// than the wide set and do not all meet the bars yet (see
// eval/probes/README.md).
func TestProbesDoNotRegress(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes four probe corpora")
	}
	tests := []struct {
		set                               string
		recall, mrr, coverage, refusalAcc float64
	}{
		{"canal", 0.90, 0.76, 0.72, 0.70},
		{"mpox", 0.70, 0.57, 0.64, 0.85},
		{"metro", 0.80, 0.60, 0.60, 0.85},
		{"wildfire", 0.80, 0.64, 0.69, 0.28},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			dir := "eval/probes/" + tt.set
			rep := runEval(t, "--file", dir+"/questions.jsonl", "--corpus", dir+"/corpus")
			if rep.RecallAtK < tt.recall || rep.MRR < tt.mrr || rep.FactCoverage < tt.coverage || rep.RefusalAccuracy < tt.refusalAcc {
				t.Errorf("%s probe fell below its floors (recall %.2f, MRR %.2f, coverage %.2f, refusal %.2f): %+v",
					tt.set, tt.recall, tt.mrr, tt.coverage, tt.refusalAcc, rep.Scores)
			}
		})
	}
}
