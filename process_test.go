package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"missionbot/internal/fakeopenai"
	"missionbot/retrieval"
)

// runAsMainEnv makes the test binary run the program itself (see
// TestMain), so tests can start real missionbot processes without
// building a binary.
const runAsMainEnv = "MISSIONBOT_TEST_RUN_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runAsMainEnv) == "1" {
		// The program's arguments follow "--" on the command line.
		args := os.Args
		for i, a := range args {
			if a == "--" {
				args = append([]string{args[0]}, args[i+1:]...)
				break
			}
		}
		os.Args = args
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// process is a missionbot process started by a test.
type process struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	stdout *syncBuffer
	done   chan error
}

// startProcess starts `missionbot args…` with env as its whole environment
// (plus PATH and HOME).
func startProcess(t *testing.T, env map[string]string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = []string{runAsMainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &process{cmd: cmd, stderr: &syncBuffer{}, stdout: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr, cmd.Stdout = p.stderr, p.stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait waits for the process to exit, failing the test after timeout.
func (p *process) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(timeout):
		t.Fatalf("%v still running after %s\nstderr:\n%s", p.cmd.Args, timeout, p.stderr.String())
		return nil
	}
}

// until polls cond for up to timeout.
func until(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

// TestConcurrentIngestsKeepEveryDocument: two ingest processes at once,
// the second started after a document was added while the first was
// embedding. The second waits for the first, says so, and both succeed
// with the new document in the index.
func TestConcurrentIngestsKeepEveryDocument(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	// The embeddings endpoint holds every request until released, so the
	// first ingest is still embedding (holding the writer lock) when the
	// second starts.
	release := make(chan struct{})
	var requests atomic.Int32
	emb := fakeopenai.Embeddings(fakeopenai.EmbeddingsOptions{Dim: 32})
	llm := fakeopenai.New(t, map[string]http.Handler{"/v1/embeddings": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		emb.ServeHTTP(w, r)
	})})
	var once sync.Once
	open := func() { once.Do(func() { close(release) }) }
	t.Cleanup(open)

	corpusDir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(corpusDir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("first.txt", "Kenyan police officers arrived in Port-au-Prince on Tuesday, officials said.")
	env := map[string]string{
		"MISSIONBOT_DATA_DIR": t.TempDir(), "MISSIONBOT_CORPUS_DIR": corpusDir,
		"MISSIONBOT_EMBEDDING_MODEL": "m", "OPENAI_BASE_URL": llm.BaseURL(), "MISSIONBOT_LOG_LEVEL": "warn",
	}
	first := startProcess(t, env, "ingest")
	if !until(20*time.Second, func() bool { return requests.Load() > 0 }) {
		t.Fatalf("the first ingest never asked for embeddings\n%s", first.stderr.String())
	}
	write("second.txt", "Benin pledged 2,000 troops to the multinational mission, its government said.")
	second := startProcess(t, env, "ingest")
	if !until(20*time.Second, func() bool { return strings.Contains(second.stderr.String(), msgWaiting) }) {
		t.Fatalf("the second ingest did not say it waits for the first\nstderr:\n%s", second.stderr.String())
	}
	open()
	for name, p := range map[string]*process{"first": first, "second": second} {
		if err := p.wait(t, 30*time.Second); err != nil {
			t.Fatalf("%s ingest: %v\n%s", name, err, p.stderr.String())
		}
	}
	out, _, err := runCLI(t, env, "sources", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var srcs []retrieval.SourceInfo
	if err := json.Unmarshal([]byte(out), &srcs); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range srcs {
		ids = append(ids, s.DocID)
	}
	if len(ids) != 2 {
		t.Errorf("index holds %v, want first.txt and second.txt", ids)
	}
	if !strings.Contains(second.stdout.String(), "1 documents added") {
		t.Errorf("the second ingest reported: %s", second.stdout.String())
	}
}
