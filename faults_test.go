package main

import (
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

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
		{"endpoint down", repeat(fakeopenai.Step{Fail: fakeopenai.FailStatus, Status: 503}, 100), 3, "assembled directly from the sources"},
		{"slow past the timeout", repeat(fakeopenai.Step{Fail: fakeopenai.FailHang}, 100), 2, "timed out"},
		{"429 storm", repeat(fakeopenai.Step{Fail: fakeopenai.FailStatus, Status: 429, RetryAfter: "0"}, 500), 30, "rate-limited"},
		{"streams cut", repeat(fakeopenai.Step{Fail: fakeopenai.FailCut, At: 2}, 100), 3, "cut off"},
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
			// (idle connections, pooled workers) is bounded; a second wave
			// of failures must not add to it.
			var counts [2]int
			for wave := range counts {
				askAll(t, s, tc.questions, wave, tc.notice)
				counts[wave] = settledGoroutines()
			}
			if counts[1] > counts[0]+4 {
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
