package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"missionbot/answer"
	"missionbot/corpus"
	"missionbot/retrieval"
)

func TestFlagsAfterTheQuestionAreHonoured(t *testing.T) {
	out, _, err := runCLI(t, nil, "ask", "How many troops did Benin pledge to the mission?", "--json", "--k", "3")
	if err != nil {
		t.Fatal(err)
	}
	var a askJSON
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("--json after the question was not honoured: %v\n%s", err, out)
	}
	if strings.Contains(a.Question, "--json") || strings.Contains(a.Question, "--k") {
		t.Errorf("flags became part of the question: %q", a.Question)
	}
	if len(a.Passages) != 3 {
		t.Errorf("--k 3 after the question gave %d passages", len(a.Passages))
	}
	// "--" ends the flags: what follows is the question, dashes and all.
	out, _, err = runCLI(t, nil, "ask", "--json", "--", "--json", "what did Benin pledge?")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil || a.Question != "--json what did Benin pledge?" {
		t.Errorf("after --: question %q, err %v", a.Question, err)
	}
	_, _, err = runCLI(t, nil, "ask", "What did Benin pledge?", "--jsn")
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "-jsn") {
		t.Errorf("an unknown flag after the question = %v, want a usage error naming it", err)
	}
}

func TestHelpPrintsTheCommandsUsage(t *testing.T) {
	for _, c := range commands() {
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				out, errOut, err := runCLI(t, nil, args...)
				if err != nil {
					t.Fatalf("exit %d: %v", exitCode(err), err)
				}
				if !strings.HasPrefix(out, "Usage: missionbot "+c.name) || errOut != "" {
					t.Errorf("stdout %q, stderr %q; want the usage of %s on stdout", out, errOut, c.name)
				}
			})
		}
	}
	out, _, err := runCLI(t, nil, "ask", "--help")
	if err != nil || !strings.Contains(out, "-json") || !strings.Contains(out, "-history") {
		t.Errorf("ask --help lists no flags: %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, nil, "help", "frobnicate"); err == nil || exitCode(err) != 2 {
		t.Errorf("help for an unknown command = %v, want a usage error", err)
	}
}

func TestCommandsRejectExtraArguments(t *testing.T) {
	for _, args := range [][]string{{"sources", "extra"}, {"ingest", "extra"}, {"chat", "extra"}, {"health", "extra"}, {"serve", "extra"}, {"sources", "--json", "extra"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, _, err := runCLI(t, nil, args...)
			if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), `unexpected argument "extra"`) {
				t.Errorf("got %v, want a usage error for the extra argument", err)
			}
		})
	}
}

// TestIngestWarnsOnceInReadableLogs: each skipped file is named once (not
// as a log record and again as a "warning:" line), and durations in JSON
// logs read like "12ms".
func TestIngestWarnsOnceInReadableLogs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "good.txt"), []byte("Benin pledged 2,000 troops to the Haiti mission, officials said."), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"MISSIONBOT_CORPUS_DIR": dir, "MISSIONBOT_LOG_FORMAT": "json"}
	_, errOut, err := runCLI(t, env, "ingest")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(errOut, "empty.txt"); n != 1 {
		t.Errorf("the skipped file is named %d times, want once:\n%s", n, errOut)
	}
	for _, line := range strings.Split(errOut, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if took, ok := rec["took"]; ok {
			if _, isString := took.(string); !isString {
				t.Errorf("duration logged as %v (%T), want a readable string", took, took)
			}
		}
	}
}

func TestReporterShowsLoadingAndEmbedding(t *testing.T) {
	var b bytes.Buffer
	r := &reporter{w: &b, live: true}
	r.update(retrieval.Progress{Stage: retrieval.StageLoading, ToLoad: 4})
	r.update(retrieval.Progress{Stage: retrieval.StageLoading, Loaded: 2, ToLoad: 4})
	r.update(retrieval.Progress{Stage: retrieval.StageEmbedding, Embedded: 10, Total: 40})
	r.note("done")
	out := b.String()
	for _, want := range []string{"2/4 files loaded", "10/40 chunks embedded", "\ndone\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q: %q", want, out)
		}
	}
}

// TestPrintAnswerNamesEachOtherOutletOnce: the command line lists the
// outlets that also reported a cited story as Discord does: each once,
// never the cited document's own.
func TestPrintAnswerNamesEachOtherOutletOnce(t *testing.T) {
	var b strings.Builder
	a := answer.Answer{Text: "Benin pledged 2,000 troops [1].", Citations: []answer.Citation{{
		N:    1,
		Meta: corpus.Meta{DocID: "a.txt", Title: "Benin pledges troops", Publisher: "Coast Mail"},
		Corroborating: []corpus.Meta{
			{DocID: "b.txt", Publisher: "Reuters"}, {DocID: "c.txt", Publisher: "Coast Mail"}, {DocID: "d.txt", Publisher: "Reuters"},
		},
	}}}
	printAnswer(&b, a)
	if !strings.Contains(b.String(), "also reported by Reuters\n") {
		t.Errorf("printAnswer wrote:\n%s\nwant \"also reported by Reuters\" alone", b.String())
	}
}
