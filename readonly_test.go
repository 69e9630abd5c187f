package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// indexFiles returns every file under the data directory's index folder
// with its contents.
func indexFiles(t *testing.T, dataDir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	des, err := os.ReadDir(filepath.Join(dataDir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		b, err := os.ReadFile(filepath.Join(dataDir, "index", de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[de.Name()] = b
	}
	return out
}

func assertSameIndex(t *testing.T, before, after map[string][]byte) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("index folder had %d files, now %d", len(before), len(after))
	}
	for name, b := range before {
		if !bytes.Equal(b, after[name]) {
			t.Errorf("%s changed", name)
		}
	}
}

// TestReadOnlyCommandsLeaveTheIndexAlone: ask, sources, eval and chat run
// with embedder settings other than the index's neither rebuild nor
// overwrite it; they say which setting differs and that ingest applies it.
func TestReadOnlyCommandsLeaveTheIndexAlone(t *testing.T) {
	dataDir := t.TempDir()
	if _, _, err := runCLI(t, map[string]string{"MISSIONBOT_DATA_DIR": dataDir}, "ingest"); err != nil {
		t.Fatal(err)
	}
	evalFile := filepath.Join(t.TempDir(), "q.jsonl")
	if err := os.WriteFile(evalFile, []byte(`{"id":"a","question":"How many troops did Benin pledge?","evidence":[["2,000"]],"answerable":true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := indexFiles(t, dataDir)
	for _, args := range [][]string{
		{"ask", "How many troops did Benin pledge to the mission?"},
		{"sources"},
		{"eval", "--file", evalFile},
		{"chat"},
	} {
		t.Run(args[0], func(t *testing.T) {
			env := map[string]string{"MISSIONBOT_DATA_DIR": dataDir, "MISSIONBOT_LOCAL_DIM": "128"}
			_, stderr, err := runCLI(t, env, args...)
			if err == nil {
				t.Fatalf("%s answered from an index it cannot search with these settings", args[0])
			}
			for _, want := range []string{"MISSIONBOT_LOCAL_DIM", "missionbot ingest", "384 dims", "128 dims"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q: %v", want, err)
				}
			}
			if strings.Contains(stderr, "Building the index") {
				t.Errorf("%s started a build:\n%s", args[0], stderr)
			}
			assertSameIndex(t, before, indexFiles(t, dataDir))
		})
	}
}
