// Package golden compares test output with golden files under testdata/,
// and rewrites them when the test binary runs with -update:
//
//	go test ./prompts ./bot ./corpus -update
//
// Review the diff before committing the rewritten files.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// update is the -update flag of every test binary that imports this
// package.
var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Check compares got with the file at path (relative to the package under
// test, e.g. "testdata/answer_basic.golden"); with -update it writes got
// there instead, creating directories as needed.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended, run go test with -update and review the diff.\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}
