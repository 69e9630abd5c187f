package retrieval

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"missionbot/corpus"
	"missionbot/internal/synth"
)

// crashDirEnv, when set, makes TestCrashHelper refresh the index in that
// directory in a loop until it is killed.
const crashDirEnv = "MISSIONBOT_CRASH_DIR"

// crashCorpora are the two corpora the helper alternates between; every
// snapshot on disk must hold exactly one of them. Both hold the built-in
// corpus, so every reopened index must answer the dev questions.
func crashCorpora() (a, b []corpus.Document) {
	real, _, err := corpus.Load(corpus.Embedded(), nil)
	if err != nil {
		panic(err) // the embedded corpus is part of the binary
	}
	extra := synth.Documents(31, 60, 20)
	a = append(slices.Clone(real), extra...)
	b = append(slices.Clone(real), append(slices.Clone(extra[10:]), synth.Documents(32, 15, 20)...)...)
	return a, b
}

// devOutcome is what an index makes of the dev questions: for each, whether
// its evidence is in the top 5 passages, or whether it was refused.
func devOutcome(t *testing.T, ix *Index) []string {
	t.Helper()
	data, err := os.ReadFile("../eval/dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c struct {
			Question string     `json:"question"`
			Evidence [][]string `json:"evidence"`
		}
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatal(err)
		}
		res, err := ix.Search(context.Background(), c.Question, 5)
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		for _, p := range res.Passages {
			text.WriteString(strings.ToLower(p.Text))
		}
		found := 0
		for _, g := range c.Evidence {
			for _, alt := range g {
				if strings.Contains(text.String(), strings.ToLower(alt)) {
					found++
					break
				}
			}
		}
		out = append(out, fmt.Sprintf("coverage=%.4f evidence=%d/%d", res.Coverage, found, len(c.Evidence)))
	}
	return out
}

// TestCrashHelper is not a test on its own: TestCrashConsistency runs the
// test binary again with crashDirEnv set, and this refreshes until killed.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process for TestCrashConsistency")
	}
	emb := &ixEmbedder{inner: NewLocalEmbedder(benchDim), hook: func(ctx context.Context, _ int64) error {
		time.Sleep(3 * time.Millisecond) // so kills land mid-embedding as well
		return nil
	}}
	ix, err := OpenIndex(context.Background(), dir, emb, IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := crashCorpora()
	for i := 0; ; i++ {
		docs := a
		if i%2 == 1 {
			docs = b
		}
		if _, err := ix.Refresh(context.Background(), docs, RefreshOptions{Rebuild: i%3 == 2}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCrashConsistency kills a refreshing process with SIGKILL at random
// moments, and right as it starts writing a snapshot, and checks that the
// data directory always opens as a complete index: the previous snapshot
// or the new one, never a mixture or a torn file.
func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("kills subprocesses for ~20s")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	a, b := crashCorpora()
	wantSets := []map[string]bool{chunkIDs(a), chunkIDs(b)}
	var wantDev [2][]string
	for i, docs := range [][]corpus.Document{a, b} {
		clean, _ := openTestIndex(t, t.TempDir(), NewLocalEmbedder(benchDim))
		mustRefresh(t, clean, docs, RefreshOptions{})
		wantDev[i] = devOutcome(t, clean)
	}
	if wantDev[0] == nil {
		t.Log("the shared dev set is not beside this checkout: checking consistency only")
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	const trials = 24
	deadline := time.Now().Add(50 * time.Second)
	var loaded, duringWrite, empty int
	for trial := range trials {
		if time.Now().After(deadline) {
			t.Fatalf("only %d trials fitted in the time budget", trial)
		}
		cmd := exec.Command(exe, "-test.run=^TestCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Odd trials wait for a temporary snapshot to appear, to kill
		// during the write; even trials kill at a random moment.
		if trial%2 == 1 && waitForTemp(dir, 5*time.Second) {
			time.Sleep(time.Duration(r.IntN(2000)) * time.Microsecond)
			duringWrite++
		} else {
			time.Sleep(time.Duration(20+r.IntN(900)) * time.Millisecond)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()

		ix, logs := openTestIndex(t, dir, NewLocalEmbedder(benchDim))
		need, reason := ix.NeedsBuild()
		if need {
			if reason != "no index has been built yet" {
				t.Fatalf("trial %d: after a kill the index does not open: %s\n%s", trial, reason, logs)
			}
			empty++
			continue
		}
		loaded++
		checkConsistent(t, ix)
		got := map[string]bool{}
		for _, c := range ix.current().chunks {
			got[c.ID] = true
		}
		which := slices.IndexFunc(wantSets, func(want map[string]bool) bool { return maps.Equal(got, want) })
		if which < 0 {
			t.Fatalf("trial %d: the snapshot holds %d chunks, neither corpus (%d or %d)", trial, len(got), len(wantSets[0]), len(wantSets[1]))
		}
		if dev := devOutcome(t, ix); !slices.Equal(dev, wantDev[which]) {
			t.Fatalf("trial %d: after the kill the dev questions fare differently:\n got %q\nwant %q", trial, dev, wantDev[which])
		}
		q := strings.Join(strings.Fields(ix.current().chunks[0].Text)[:8], " ")
		if res, err := ix.Search(context.Background(), q, 3); err != nil || len(res.Passages) == 0 {
			t.Fatalf("trial %d: search after reopening: %+v, %v", trial, res, err)
		}
	}
	t.Logf("%d trials: %d opened a complete snapshot, %d found none yet; %d kills aimed at a snapshot write",
		trials, loaded, empty, duringWrite)
	if loaded == 0 {
		t.Error("no trial ever got as far as a snapshot; the kills came too early to test anything")
	}
}

// waitForTemp polls dir until a new temporary snapshot appears (earlier
// kills may have left some behind) or d passes.
func waitForTemp(dir string, d time.Duration) bool {
	pattern := filepath.Join(dir, snapshotTmp+"*")
	old, _ := filepath.Glob(pattern)
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(200 * time.Microsecond) {
		now, _ := filepath.Glob(pattern)
		for _, p := range now {
			if !slices.Contains(old, p) {
				return true
			}
		}
	}
	return false
}
