package main

import (
	"bytes"
	"context"
	"encoding/json"
	"missionbot/eval"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runCLI runs the program in-process with a fresh data directory.
func runCLI(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["MISSIONBOT_DATA_DIR"]; !ok {
		env["MISSIONBOT_DATA_DIR"] = t.TempDir()
	}
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestAskJSONSchema(t *testing.T) {
	out, _, err := runCLI(t, nil, "ask", "--json", "How many troops did Benin pledge to the mission?")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	for _, key := range []string{"question", "answer", "refused", "mode", "notice", "citations", "passages", "timings_ms"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("missing key %q", key)
		}
	}
	var a askJSON
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	if a.Mode != "extractive" || a.Refused || !strings.Contains(a.Answer, "2,000") {
		t.Errorf("unexpected answer: %+v", a)
	}
	if len(a.Passages) != 5 {
		t.Errorf("want the top 5 passages, got %d", len(a.Passages))
	}
	for i, p := range a.Passages {
		if p.Rank != i+1 || p.ChunkID == "" || p.DocID == "" || p.Text == "" {
			t.Errorf("passage %d malformed: %+v", i, p)
		}
	}
	assertCitationsComplete(t, a)
}

// assertCitationsComplete checks that every [n] in the answer has a citation
// and every citation is used.
func assertCitationsComplete(t *testing.T, a askJSON) {
	t.Helper()
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`\[(\d+)\]`).FindAllStringSubmatch(a.Answer, -1) {
		used[m[1]] = true
	}
	cited := map[string]bool{}
	for _, c := range a.Citations {
		cited[strings.TrimSpace(jsonNumber(c.N))] = true
		if c.DocID == "" || c.Title == "" || c.Quote == "" {
			t.Errorf("citation %d incomplete: %+v", c.N, c)
		}
	}
	for n := range used {
		if !cited[n] {
			t.Errorf("marker [%s] has no citation", n)
		}
	}
	for n := range cited {
		if !used[n] {
			t.Errorf("citation %s is not used in the answer", n)
		}
	}
}

func jsonNumber(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestAskRefusesWhatTheCorpusDoesNotCover(t *testing.T) {
	out, _, err := runCLI(t, nil, "ask", "--json", "Who won the 2022 FIFA World Cup?")
	if err != nil {
		t.Fatal(err)
	}
	var a askJSON
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	if !a.Refused || len(a.Citations) != 0 || strings.Contains(a.Answer, "[") {
		t.Errorf("want a refusal citing nothing, got %+v", a)
	}
	if a.Citations == nil {
		t.Error("citations must be an empty list, not null")
	}
}

func TestAskHumanOutput(t *testing.T) {
	out, _, err := runCLI(t, nil, "ask", "How much money has the US pledged to the mission?")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"$100 million", "$200 million", "$360 million", "Sources:", "[1] ", "26 Sep 2023"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestBadInputExitsTwo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"empty question", []string{"ask", ""}, "empty"},
		{"whitespace question", []string{"ask", "   \t\n"}, "empty"},
		{"too long", []string{"ask", strings.Repeat("why ", 600)}, "limit is 2000"},
		{"invalid utf-8", []string{"ask", "\xff\xfe"}, "UTF-8"},
		{"no command", nil, "no command"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"bad flag", []string{"ask", "--k", "x", "q"}, "invalid value"},
		{"eval without file", []string{"eval"}, "--file is required"},
		{"bad config", []string{"ask", "q?"}, "MISSIONBOT_TEMPERATURE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			if tc.name == "bad config" {
				env["MISSIONBOT_TEMPERATURE"] = "warm"
			}
			_, _, err := runCLI(t, env, tc.args...)
			if err == nil {
				t.Fatal("want an error")
			}
			if exitCode(err) != 2 {
				t.Errorf("exit code %d, want 2 (%v)", exitCode(err), err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestIngestThenNoChangeRefresh(t *testing.T) {
	env := map[string]string{"MISSIONBOT_DATA_DIR": t.TempDir()}
	out, _, err := runCLI(t, env, "ingest")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "5 documents added") {
		t.Errorf("first ingest summary: %s", out)
	}
	out, _, err = runCLI(t, env, "ingest")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "0 documents added, 0 updated, 0 removed; 0 chunks embedded") {
		t.Errorf("no-change refresh summary: %s", out)
	}
}

func TestIngestFromCorpusFolderSkipsBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pledges.txt", "Benin pledges troops\n\nBenin pledged 2,000 troops to the Haiti mission on 1 March 2024, officials said.")
	write("empty.txt", "")
	write("binary.txt", "\x00\x01\x02garbage\x00")
	env := map[string]string{"MISSIONBOT_DATA_DIR": t.TempDir(), "MISSIONBOT_CORPUS_DIR": dir}
	out, errOut, err := runCLI(t, env, "ingest")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "1 documents added") || !strings.Contains(errOut, "empty.txt") || !strings.Contains(errOut, "binary.txt") {
		t.Errorf("want one document and warnings naming the skipped files\nstdout: %s\nstderr: %s", out, errOut)
	}
	out, _, err = runCLI(t, env, "sources")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "pledges.txt") || !strings.Contains(out, "Benin pledges troops") {
		t.Errorf("sources: %s", out)
	}
}

func TestEvalReport(t *testing.T) {
	file := filepath.Join(t.TempDir(), "eval.jsonl")
	lines := `{"id":"a","question":"How many troops did Benin pledge to the mission?","evidence":[["2,000"]],"answerable":true}
{"id":"b","question":"Who won the 2022 FIFA World Cup?","evidence":[],"answerable":false}
`
	if err := os.WriteFile(file, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, nil, "eval", "--json", "--file", file)
	if err != nil {
		t.Fatal(err)
	}
	var rep eval.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Questions != 2 || rep.RecallAtK != 1 || rep.FactCoverage != 1 || rep.RefusalAccuracy != 1 || rep.MRR <= 0 {
		t.Errorf("unexpected report: %+v", rep)
	}
	bad := []struct {
		name, content string
		args          []string
		want          string
	}{
		{name: "not JSON", content: "{not json", want: "line 1"},
		{name: "no answerable", content: `{"id":"a","question":"Who?","evidence":[["x"]]}`, want: "answerable"},
		{name: "answerable without evidence", content: "\n" + `{"id":"a","question":"Who?","answerable":true}`, want: "line 2"},
		{name: "k too large", content: lines, args: []string{"--k", "51"}, want: "between 1 and 50"},
		{name: "k negative", content: lines, args: []string{"--k", "-1"}, want: "between 1 and 50"},
		{name: "corpus not a folder", content: lines, args: []string{"--corpus", file + ".missing"}, want: "not a folder"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(file, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := runCLI(t, nil, append([]string{"eval", "--file", file}, tc.args...)...)
			if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want a usage error mentioning %q, got %v", tc.want, err)
			}
		})
	}
}

func TestDevSetMeetsQualityBar(t *testing.T) {
	out, _, err := runCLI(t, nil, "eval", "--json", "--file", "eval/dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var rep eval.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	t.Logf("recall@5 %.3f MRR %.3f fact coverage %.3f refusal accuracy %.3f", rep.RecallAtK, rep.MRR, rep.FactCoverage, rep.RefusalAccuracy)
	if rep.RecallAtK < 0.95 || rep.FactCoverage < 0.85 || rep.RefusalAccuracy < 1 {
		t.Errorf("quality bar missed: %+v", rep)
	}
}

func TestChatKeepsTheConversation(t *testing.T) {
	var out, errOut bytes.Buffer
	env := map[string]string{"MISSIONBOT_DATA_DIR": t.TempDir()}
	in := strings.NewReader("How many troops did Benin pledge to the mission?\n\n   \nWho is Kenya's defense minister?\n/new\n/quit\n")
	if err := run(context.Background(), []string{"chat"}, func(k string) string { return env[k] }, in, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2,000", "Aden Bare Duale", "Sources:", "New conversation."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("chat output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestAskWithHistoryFile(t *testing.T) {
	dir := t.TempDir()
	hist := filepath.Join(dir, "turns.json")
	if err := os.WriteFile(hist, []byte(`[{"question":"How many troops did Benin pledge to the mission?","answer":"2,000 [1]"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, nil, "ask", "--json", "--history", hist, "What about Kenya?")
	if err != nil {
		t.Fatal(err)
	}
	var a askJSON
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	// "What about Kenya?" alone finds Kenya's defence ties; after a
	// question about troop pledges it must find what Kenya pledged.
	alone, _, err := runCLI(t, nil, "ask", "--json", "What about Kenya?")
	if err != nil {
		t.Fatal(err)
	}
	var b askJSON
	if err := json.Unmarshal([]byte(alone), &b); err != nil {
		t.Fatal(err)
	}
	if a.Refused || !strings.Contains(a.Answer, "1,000") || a.Answer == b.Answer {
		t.Errorf("the follow-up did not use the previous question:\nwith history: %s\nwithout: %s", a.Answer, b.Answer)
	}
	if err := os.WriteFile(hist, []byte(`{"not":"a list"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, nil, "ask", "--history", hist, "What about Kenya?"); err == nil || exitCode(err) != 2 {
		t.Errorf("a malformed history file must be a usage error, got %v", err)
	}
}

// TestCorruptSnapshotIsRebuilt: a damaged index file is reported, and the
// question is still answered from an index built in memory; ingest, not
// ask, replaces the file.
func TestCorruptSnapshotIsRebuilt(t *testing.T) {
	env := map[string]string{"MISSIONBOT_DATA_DIR": t.TempDir()}
	if _, _, err := runCLI(t, env, "ingest"); err != nil {
		t.Fatal(err)
	}
	snaps, _ := filepath.Glob(filepath.Join(env["MISSIONBOT_DATA_DIR"], "index", "*.snapshot"))
	if len(snaps) != 1 {
		t.Fatalf("want one snapshot, found %v", snaps)
	}
	data, err := os.ReadFile(snaps[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(snaps[0], data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	before := indexFiles(t, env["MISSIONBOT_DATA_DIR"])
	out, errOut, err := runCLI(t, env, "ask", "How many troops did Benin pledge to the mission?")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "snapshot unreadable") || !strings.Contains(errOut, "missionbot ingest") || !strings.Contains(out, "2,000") {
		t.Errorf("want the damage reported, ingest named and the answer given\nstdout: %s\nstderr: %s", out, errOut)
	}
	// ask only reads: the damaged file is left for ingest to replace.
	assertSameIndex(t, before, indexFiles(t, env["MISSIONBOT_DATA_DIR"]))
	if _, _, err := runCLI(t, env, "ingest"); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err = runCLI(t, env, "ask", "How many troops did Benin pledge to the mission?"); err != nil || strings.Contains(errOut, "unreadable") {
		t.Errorf("after ingest the index should load: %v\n%s", err, errOut)
	}
}
