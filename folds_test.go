package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIngestAndSourcesNameFoldedCopies: a document folded into another as
// a copy of the same story does not vanish unsaid: ingest and sources say
// which was folded into which, and sources --json carries it on the kept
// document. The corpus is eval/wide's syndicated pair.
func TestIngestAndSourcesNameFoldedCopies(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"second-group-kenyan-officers-lands-haiti.txt", "kenya-sends-second-police-group-to-haiti.html", "bahamas-advance-team-arrives-haiti.txt"} {
		b, err := os.ReadFile(filepath.Join("eval", "wide", "corpus", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"MISSIONBOT_DATA_DIR": t.TempDir(), "MISSIONBOT_CORPUS_DIR": dir}
	const fold = "kenya-sends-second-police-group-to-haiti.html → second-group-kenyan-officers-lands-haiti.txt"
	for _, run := range []string{"first", "no change"} {
		out, _, err := runCLI(t, env, "ingest")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "1 document(s) folded") || !strings.Contains(out, fold) {
			t.Errorf("%s ingest does not name the fold:\n%s", run, out)
		}
	}
	out, _, err := runCLI(t, env, "sources")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "kenya-sends-second-police-group-to-haiti.html (Diaspora Weekly Review) → second-group-kenyan-officers-lands-haiti.txt") ||
		!strings.Contains(out, "2 documents") {
		t.Errorf("sources does not list the folded copy:\n%s", out)
	}
	out, _, err = runCLI(t, env, "sources", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var srcs []struct {
		DocID          string `json:"doc_id"`
		AlsoReportedBy []struct {
			DocID     string `json:"doc_id"`
			Publisher string `json:"publisher"`
		} `json:"also_reported_by"`
	}
	if err := json.Unmarshal([]byte(out), &srcs); err != nil {
		t.Fatalf("sources --json: %v\n%s", err, out)
	}
	found := false
	for _, s := range srcs {
		if s.DocID == "second-group-kenyan-officers-lands-haiti.txt" {
			found = len(s.AlsoReportedBy) == 1 && s.AlsoReportedBy[0].DocID == "kenya-sends-second-police-group-to-haiti.html"
		}
	}
	if !found {
		t.Errorf("sources --json lacks also_reported_by on the kept copy:\n%s", out)
	}
	// A question answered from the kept copy names the folded one's outlet,
	// in the human form and in JSON.
	out, _, err = runCLI(t, env, "ask", "--json", "How many Kenyan police officers arrived in the second group?")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Citations []struct {
			DocID          string `json:"doc_id"`
			AlsoReportedBy []struct {
				Publisher string `json:"publisher"`
			} `json:"also_reported_by"`
		} `json:"citations"`
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("ask --json: %v\n%s", err, out)
	}
	cited := false
	for _, c := range a.Citations {
		if c.DocID == "second-group-kenyan-officers-lands-haiti.txt" {
			cited = len(c.AlsoReportedBy) == 1 && c.AlsoReportedBy[0].Publisher == "Diaspora Weekly Review"
		}
	}
	if !cited {
		t.Errorf("ask --json does not carry the folded copy as also reported by:\n%s", out)
	}
	out, _, err = runCLI(t, env, "ask", "How many Kenyan police officers arrived in the second group?")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "also reported by Diaspora Weekly Review") {
		t.Errorf("ask does not name the folded copy's outlet:\n%s", out)
	}
}
