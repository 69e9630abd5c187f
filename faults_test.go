package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"missionbot/corpus"
	"missionbot/internal/fakediscord"
	"missionbot/internal/fakeopenai"
)

// repeat returns n copies of step: a model endpoint that keeps failing.
func repeat(step fakeopenai.Step, n int) []fakeopenai.Step {
	out := make([]fakeopenai.Step, n)
	for i := range out {
		out[i] = step
	}
	return out
}

// TestModelFaultsEndInFallbackAnswers: whatever the model endpoint does,
// every Discord user gets the answer assembled from the sources with a
// notice saying why, the bot stays up, and its goroutines are released.
func TestModelFaultsEndInFallbackAnswers(t *testing.T) {
	tests := []struct {
		name      string
		steps     []fakeopenai.Step
		questions int
		notice    string
	}{
		{"endpoint down", repeat(fakeopenai.Step{Fail: fakeopenai.FailStatus, Status: 503}, 200), 20, "assembled directly from the sources"},
		{"slow past the timeout", repeat(fakeopenai.Step{Fail: fakeopenai.FailHang}, 200), 16, "timed out"},
		{"429 storm", repeat(fakeopenai.Step{Fail: fakeopenai.FailStatus, Status: 429, RetryAfter: "0"}, 500), 30, "rate-limited"},
		{"streams cut", repeat(fakeopenai.Step{Fail: fakeopenai.FailCut, At: 2}, 200), 20, "cut off"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			chat := fakeopenai.NewChat("Benin pledged 2,000 troops [1].", tc.steps...)
			llm := fakeopenai.New(t, map[string]http.Handler{"/v1/chat/completions": chat})
			s := startServe(t, map[string]string{
				"MISSIONBOT_CHAT_MODEL":     "m",
				"OPENAI_BASE_URL":           llm.BaseURL(),
				"MISSIONBOT_MODEL_TIMEOUT":  "1s",
				"MISSIONBOT_MODEL_RETRIES":  "1",
				"MISSIONBOT_RATE_LIMIT":     "1000",
				"MISSIONBOT_MAX_CONCURRENT": "8",
			})
			// Two waves of questions: whatever the first leaves behind
			// (idle keep-alive connections, three goroutines each, whose
			// number varies a little) is bounded; a second wave of failures
			// must not add to it. A leak per failed call would add at least
			// one goroutine per question.
			var counts [2]int
			for wave := range counts {
				askAll(t, s, tc.questions, wave, tc.notice)
				counts[wave] = settledGoroutines()
			}
			if counts[1] > counts[0]+tc.questions/2 {
				buf := make([]byte, 1<<20)
				t.Errorf("goroutines grew from %d to %d over a second wave of failures\n%s", counts[0], counts[1], buf[:runtime.Stack(buf, true)])
			}
			if err := s.stop(); err != nil {
				t.Fatalf("serve: %v", err)
			}
		})
	}
}

// askAll asks n questions at once as distinct users and waits until every
// answer is final and carries the notice.
func askAll(t *testing.T, s *server, n, wave int, notice string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent, err := s.fake.Interact(fakediscord.Interaction{
				Name:    "ask",
				Options: []fakediscord.Option{{Name: "question", Type: 3, Value: "How many troops did Benin pledge to the mission?"}},
				Member:  &fakediscord.Member{User: fakediscord.User{ID: fmt.Sprintf("30000000000%d%05d", wave, i), Username: "m"}},
			})
			if err != nil {
				errs <- err
				return
			}
			_, err = s.fake.WaitOriginal(sent.Token, 20*time.Second, func(m fakediscord.Message) bool {
				return m.Contains("2,000") && m.Contains(notice) && len(m.Embeds) > 0
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("%v\n%s", err, s.logs.String())
		}
	}
}

// settledGoroutines counts goroutines once the count stops falling.
func settledGoroutines() int {
	n := runtime.NumGoroutine()
	for range 20 {
		time.Sleep(50 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m >= n {
			return m
		}
		n = m
	}
	return n
}

// TestEmbeddingEndpointFailsMidRefresh: with the openai embedder, an
// endpoint that fails during /refresh makes the refresh report failure
// while the previous index keeps answering; once the endpoint is back, a
// retried /refresh completes.
func TestEmbeddingEndpointFailsMidRefresh(t *testing.T) {
	corpusDir := t.TempDir()
	if err := os.CopyFS(corpusDir, corpus.Embedded()); err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	emb := fakeopenai.Embeddings(fakeopenai.EmbeddingsOptions{Dim: 64})
	srv := fakeopenai.New(t, map[string]http.Handler{"/v1/embeddings": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, `{"error":{"message":"upstream unavailable","type":"server_error"}}`, http.StatusServiceUnavailable)
			return
		}
		emb.ServeHTTP(w, r)
	})})
	s := startServe(t, map[string]string{
		"MISSIONBOT_CORPUS_DIR":        corpusDir,
		"MISSIONBOT_EMBEDDING_MODEL":   "test-embed",
		"MISSIONBOT_EMBEDDING_BATCH":   "2",
		"MISSIONBOT_EMBEDDING_RETRIES": "1",
		"OPENAI_BASE_URL":              srv.BaseURL(),
	})
	doc := "Chad pledges police\n\nChad pledged 400 police officers to the Haiti mission on 4 June 2024, its interior minister said."
	if err := os.WriteFile(filepath.Join(corpusDir, "chad.txt"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	mod := &fakediscord.Member{User: fakediscord.User{ID: "300000000000000009", Username: "mod"}, Permissions: fakediscord.PermManageGuild}
	refresh := func() fakediscord.Sent {
		sent, err := s.fake.Interact(fakediscord.Interaction{Name: "refresh", Member: mod})
		if err != nil {
			t.Fatal(err)
		}
		return sent
	}

	down.Store(true)
	// The failure is told to the moderator alone, in an ephemeral
	// follow-up that replaces the public progress message.
	failed := refresh()
	if !until(20*time.Second, func() bool {
		fs := s.fake.Followups(failed.Token)
		return len(fs) == 1 && strings.Contains(fs[0].Content, "Refresh failed") && fs[0].Flags&64 != 0
	}) {
		t.Fatalf("no private \"Refresh failed\" follow-up: %+v\n%s", s.fake.Followups(failed.Token), s.logs.String())
	}
	// Questions are still answered, from keywords alone, and say so.
	sent := s.ask(t, "How many troops did Benin pledge to the mission?")
	s.expectBeninAnswer(t, sent)
	if msg, _ := s.fake.Original(sent.Token); !msg.Contains("keywords only") {
		t.Errorf("the answer does not say the search was degraded: %q", msg.Content)
	}

	down.Store(false)
	if _, err := s.fake.WaitOriginalContains(refresh().Token, "1 document(s) added", 20*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, s.logs.String())
	}
	if _, err := s.fake.WaitOriginalContains(s.ask(t, "How many police officers did Chad pledge?").Token, "400", 10*time.Second); err != nil {
		t.Fatalf("the retried refresh did not reach the index: %v\n%s", err, s.logs.String())
	}
}
