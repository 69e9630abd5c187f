package answer

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"missionbot/internal/fakeopenai"
	"missionbot/prompts"
)

// TestLLMStreamTimeouts: a steady stream is never cut however long it
// runs; a stream that falls silent is (issue 10: a steady 10 s stream was
// discarded at a 10 s whole-answer timeout).
func TestLLMStreamTimeouts(t *testing.T) {
	cases := []struct {
		name       string
		step       fakeopenai.Step
		wantNotice string
	}{
		{"steady stream longer than both timeouts", fakeopenai.Step{DeltaDelay: 80 * time.Millisecond}, ""},
		{"long reasoning in Ollama's field keeps the stream alive", fakeopenai.Step{Reasoning: "thinking about the pledges for a while", DeltaDelay: 80 * time.Millisecond}, ""},
		{"stall after the first tokens", fakeopenai.Step{DeltaDelay: 2 * time.Second}, KindTimeout.Notice()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			chat := fakeopenai.NewChat("The US pledged $360 million [2].", tc.step)
			chat.Deltas = 10
			r := newRig(t, chat, pledgeResults(), func(o *LLMOptions) {
				o.FirstTokenTimeout, o.IdleTimeout = 300*time.Millisecond, 300*time.Millisecond
			})
			start := time.Now()
			a, err := r.llm.Answer(context.Background(), Request{Question: "How much has the US pledged?"})
			if err != nil {
				t.Fatal(err)
			}
			if a.Notice != tc.wantNotice {
				t.Errorf("notice %q, want %q (after %v)", a.Notice, tc.wantNotice, time.Since(start))
			}
			if tc.wantNotice == "" && a.Text != "The US pledged $360 million [1]." {
				t.Errorf("text %q", a.Text)
			}
		})
	}
}

// TestLLMRequestOptions: reasoning effort is passed through, models that
// need max_completion_tokens get it, and a server's refusal of a parameter
// is learnt once.
func TestLLMRequestOptions(t *testing.T) {
	cases := []struct {
		name, model, effort string
		requireCompletion   bool
		wantRequests        int
		check               func(t *testing.T, reqs []fakeopenai.ChatRequest)
	}{
		{name: "reasoning effort none reaches Ollama", model: "qwen3", effort: "none", wantRequests: 1,
			check: func(t *testing.T, reqs []fakeopenai.ChatRequest) {
				if reqs[0].ReasoningEffort != "none" || reqs[0].MaxTokens != DefaultMaxTokens {
					t.Errorf("sent effort %q max_tokens %d", reqs[0].ReasoningEffort, reqs[0].MaxTokens)
				}
			}},
		{name: "OpenAI reasoning model gets max_completion_tokens", model: "o4-mini", requireCompletion: true, wantRequests: 1,
			check: func(t *testing.T, reqs []fakeopenai.ChatRequest) {
				if reqs[0].MaxTokens != 0 || reqs[0].MaxCompletionTokens != DefaultMaxTokens || reqs[0].Temperature != nil {
					t.Errorf("sent max_tokens %d max_completion_tokens %d temperature %v", reqs[0].MaxTokens, reqs[0].MaxCompletionTokens, reqs[0].Temperature)
				}
			}},
		{name: "unknown model needing it learns from the 400", model: "future-reasoner", requireCompletion: true, wantRequests: 3,
			check: func(t *testing.T, reqs []fakeopenai.ChatRequest) {
				last := reqs[len(reqs)-1]
				if last.MaxTokens != 0 || last.MaxCompletionTokens != DefaultMaxTokens || last.Temperature != nil {
					t.Errorf("final request max_tokens %d max_completion_tokens %d temperature %v", last.MaxTokens, last.MaxCompletionTokens, last.Temperature)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			chat := fakeopenai.NewChat("The US pledged $360 million [2].")
			chat.RequireCompletionTokens = tc.requireCompletion
			r := newRig(t, chat, pledgeResults(), func(o *LLMOptions) { o.Model, o.ReasoningEffort = tc.model, tc.effort })
			a, err := r.llm.Answer(context.Background(), Request{Question: "How much has the US pledged?"})
			if err != nil {
				t.Fatal(err)
			}
			if a.Fallback != "" || a.Text != "The US pledged $360 million [1]." {
				t.Fatalf("fallback %q text %q notice %q", a.Fallback, a.Text, a.Notice)
			}
			reqs := chat.Requests()
			if len(reqs) != tc.wantRequests {
				t.Errorf("%d requests, want %d", len(reqs), tc.wantRequests)
			}
			tc.check(t, reqs)
			if tc.wantRequests > 1 {
				// Learnt: the next answer goes right the first time.
				if _, err := r.llm.Answer(context.Background(), Request{Question: "How much has the US pledged?"}); err != nil {
					t.Fatal(err)
				}
				if n := len(chat.Requests()) - len(reqs); n != 1 {
					t.Errorf("the second answer took %d requests, want 1", n)
				}
			}
		})
	}
}

// TestLLMServerErrors: what a user sees for errors they can act on.
func TestLLMServerErrors(t *testing.T) {
	cases := []struct {
		name       string
		chat       func() *fakeopenai.Chat
		noV1       bool
		wantNotice string
		wantReqs   int
	}{
		{name: "OpenAI: model not found names it", chat: func() *fakeopenai.Chat {
			c := fakeopenai.NewChat("x [1]")
			c.Models = []string{"gpt-4o-mini"}
			return c
		}, wantNotice: `The language model "test-model" was not found on the server`, wantReqs: 1},
		{name: "Ollama: model not found names it", chat: func() *fakeopenai.Chat {
			c := fakeopenai.NewChat("x [1]")
			c.Flavor, c.Models = fakeopenai.FlavorOllama, []string{"llama3.1"}
			return c
		}, wantNotice: `The language model "test-model" was not found on the server`, wantReqs: 1},
		{name: "base URL without /v1", chat: func() *fakeopenai.Chat { return fakeopenai.NewChat("x [1]") },
			noV1: true, wantNotice: "usually ends in /v1", wantReqs: 1},
		{name: "context length exceeded: re-packed smaller and retried once", chat: func() *fakeopenai.Chat {
			c := fakeopenai.NewChat("The US pledged $360 million [2].")
			c.ContextTokens = 1800 // words; the first prompt is larger, half the budget fits
			return c
		}, wantReqs: 2},
		{name: "context far too small: falls back after one retry", chat: func() *fakeopenai.Chat {
			c := fakeopenai.NewChat("x [1]")
			c.ContextTokens = 650
			return c
		}, wantNotice: KindContextLength.Notice(), wantReqs: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			chat := tc.chat()
			res := pledgeResults()
			var long strings.Builder
			for i := range 30 {
				fmt.Fprintf(&long, " The mission's budget was discussed at meeting number %d of the council.", i+1)
			}
			for i := range res.Passages {
				res.Passages[i].Text += long.String()
			}
			r := newRig(t, chat, res, func(o *LLMOptions) {
				o.MaxRetries = 0
				if tc.noV1 {
					o.BaseURL = strings.TrimSuffix(o.BaseURL, "/v1")
				}
			})
			a, err := r.llm.Answer(context.Background(), Request{Question: "How much has the US pledged?"})
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantNotice == "" && (a.Fallback != "" || a.Notice != "") {
				t.Errorf("fallback %q notice %q, want the model's answer", a.Fallback, a.Notice)
			}
			if tc.wantNotice != "" && !strings.Contains(a.Notice, tc.wantNotice) {
				t.Errorf("notice %q, want it to say %q", a.Notice, tc.wantNotice)
			}
			if got := len(chat.Requests()) + r.server.Count("/chat/completions"); got != tc.wantReqs {
				t.Errorf("%d requests, want %d", got, tc.wantReqs)
			}
			r.assertNoSecret(t, a)
		})
	}
}

// TestDefaultPromptFitsOllamaContext: with the defaults, the longest
// question, three long turns of history and a full passage budget, the
// prompt and the longest answer fit Ollama's default 4,096-token context,
// which silently cuts a longer prompt from the front (dropping the rules).
func TestDefaultPromptFitsOllamaContext(t *testing.T) {
	res := pledgeResults()
	for i := range 12 {
		p := passage(4+i, string(rune('d'+i)), "Long report", "2024-06-25", strings.Repeat("Officials described the security situation in the capital in great detail once more. ", 25))
		res.Passages = append(res.Passages, p)
	}
	chat := fakeopenai.NewChat("The US pledged $360 million [2].")
	chat.Flavor, chat.ContextTokens = fakeopenai.FlavorOllama, DefaultContextWindow
	var mu sync.Mutex
	var estimated int
	chat.Reply = func(req fakeopenai.ChatRequest) string {
		mu.Lock()
		defer mu.Unlock()
		estimated = 0
		for _, m := range req.Messages {
			estimated += prompts.EstimateTokens(m.Content)
		}
		return "The US pledged $360 million [2]."
	}
	r := newRig(t, chat, res, nil)
	long := strings.Repeat("a long question about the pledges and the officers ", 40)[:MaxQuestionLength-1] + "?"
	history := []Turn{
		{Question: strings.Repeat("earlier ", 200), Answer: strings.Repeat("earlier answer ", 300)},
		{Question: strings.Repeat("earlier ", 200), Answer: strings.Repeat("earlier answer ", 300)},
		{Question: strings.Repeat("earlier ", 200), Answer: strings.Repeat("earlier answer ", 300)},
	}
	for _, q := range []struct {
		question string
		history  []Turn
	}{{"How much has the US pledged?", nil}, {long, history}} {
		if _, err := r.llm.Answer(context.Background(), Request{Question: q.question, History: q.history}); err != nil {
			t.Fatal(err)
		}
		reqs := chat.Requests()
		last := reqs[len(reqs)-1]
		mu.Lock()
		est := estimated
		mu.Unlock()
		if last.Dropped != 0 || est+DefaultMaxTokens > DefaultContextWindow {
			t.Errorf("prompt of ~%d tokens + %d for the answer exceeds %d; Ollama dropped %d words", est, DefaultMaxTokens, DefaultContextWindow, last.Dropped)
		}
		if !strings.Contains(last.Messages[0].Content, "NOT_IN_SOURCES") {
			t.Errorf("the rules did not reach the model")
		}
	}
}

// TestOllamaServesOneAtATime: against a server that queues requests, as
// Ollama does by default, concurrent answers all succeed, one after the
// other, though each waits for the ones before it.
func TestOllamaServesOneAtATime(t *testing.T) {
	slow := fakeopenai.Step{DeltaDelay: 40 * time.Millisecond} // a few deltas: ~100 ms a request
	chat := fakeopenai.NewChat("The US pledged $360 million [2].", slow, slow, slow, slow)
	chat.Flavor, chat.Serial = fakeopenai.FlavorOllama, true
	r := newRig(t, chat, pledgeResults(), nil)
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for range 4 {
		wg.Go(func() {
			a, err := r.llm.Answer(context.Background(), Request{Question: "How much has the US pledged?"})
			if err != nil || a.Fallback != "" {
				errs <- a.Notice
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("an answer failed: %s", e)
	}
	if chat.MaxConcurrent() != 1 {
		t.Errorf("served %d at once", chat.MaxConcurrent())
	}
	if chat.MaxQueued() < 2 {
		t.Errorf("at most %d request(s) queued: the answers did not overlap, so nothing was tested", chat.MaxQueued())
	}
}
