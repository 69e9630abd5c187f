package main

import (
	"net/http"
	"syscall"
	"testing"
	"time"

	"missionbot/internal/fakediscord"
	"missionbot/internal/fakeopenai"
)

// TestServeStopsOnSIGTERMWithoutReady: a gateway that sends Hello but
// never READY must not make serve ignore SIGTERM; it exits within the
// drain deadline.
func TestServeStopsOnSIGTERMWithoutReady(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	fake := fakediscord.New(t, fakediscord.Options{WithholdReady: true})
	p := startProcess(t, map[string]string{
		"DISCORD_TOKEN": fake.Token(), "DISCORD_API_URL": fake.URL(), "MISSIONBOT_DATA_DIR": t.TempDir(),
		"MISSIONBOT_HTTP_ADDR": freeAddr(t), "MISSIONBOT_SHUTDOWN_TIMEOUT": "2s",
	}, "serve")
	if !until(30*time.Second, func() bool { n, _ := fake.GatewayCounts(); return n > 0 }) {
		t.Fatalf("serve never identified\n%s", p.stderr.String())
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	if err := p.wait(t, 15*time.Second); err != nil {
		t.Fatalf("serve exited with %v\n%s", err, p.stderr.String())
	}
	if took := time.Since(stopped); took > 10*time.Second {
		t.Errorf("serve took %s to exit after SIGTERM", took)
	}
}

// TestServeKeepsListeningDuringTheDrain: after the signal, while an answer
// is still being written, the HTTP listener stays up: health checks
// answer, readiness says 503 so no new traffic is sent; the listener
// closes once the drain is over, within its deadline.
func TestServeKeepsListeningDuringTheDrain(t *testing.T) {
	chat := fakeopenai.NewChat("unused", repeat(fakeopenai.Step{Fail: fakeopenai.FailHang}, 5)...)
	llm := fakeopenai.New(t, map[string]http.Handler{"/v1/chat/completions": chat})
	addr := freeAddr(t)
	s := startServe(t, map[string]string{
		"MISSIONBOT_HTTP_ADDR": addr, "MISSIONBOT_SHUTDOWN_TIMEOUT": "2s",
		"MISSIONBOT_CHAT_MODEL": "m", "OPENAI_BASE_URL": llm.BaseURL(), "MISSIONBOT_MODEL_TIMEOUT": "60s", "MISSIONBOT_MODEL_RETRIES": "0",
	})
	status := func(path string) int {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return -1
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if !until(5*time.Second, func() bool { return status("/readyz") == 200 }) {
		t.Fatalf("never ready\n%s", s.logs.String())
	}
	sent := s.ask(t, "How many troops did Benin pledge to the mission?")
	if _, err := s.fake.WaitCallback(sent.ID, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if !until(5*time.Second, func() bool { return len(chat.Requests()) > 0 }) {
		t.Fatal("the model was never asked")
	}
	stopped := time.Now()
	done := make(chan error, 1)
	go func() { done <- s.stop() }()
	time.Sleep(300 * time.Millisecond) // well inside the 2 s drain
	if code := status("/healthz"); code != 200 {
		t.Errorf("/healthz during the drain = %d, want 200 (-1: connection refused)", code)
	}
	if code := status("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the drain = %d, want 503", code)
	}
	if err := <-done; err != nil {
		t.Fatalf("serve: %v\n%s", err, s.logs.String())
	}
	if took := time.Since(stopped); took > 12*time.Second {
		t.Errorf("serve took %s to stop with a 2 s drain", took)
	}
	if code := status("/healthz"); code != -1 {
		t.Errorf("/healthz after exit = %d, want the listener closed", code)
	}
}
