package fakeopenai

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

func chatClient(s *Server) *openai.Client {
	cfg := openai.DefaultConfig("sk-test")
	cfg.BaseURL = s.BaseURL()
	return openai.NewClientWithConfig(cfg)
}

// drain reads a stream to its end and returns the text, the last
// finish_reason and the terminating error.
func drain(t *testing.T, st *openai.ChatCompletionStream) (string, openai.FinishReason, error) {
	t.Helper()
	defer st.Close()
	var b strings.Builder
	var finish openai.FinishReason
	for {
		resp, err := st.Recv()
		if err != nil {
			return b.String(), finish, err
		}
		for _, c := range resp.Choices {
			b.WriteString(c.Delta.Content)
			if c.FinishReason != "" {
				finish = c.FinishReason
			}
		}
	}
}

func TestChatStream(t *testing.T) {
	const reply = "Kenya sent 400 officers [1]."
	cases := []struct {
		name       string
		step       Step
		wantText   string
		wantFinish openai.FinishReason
		wantEOF    bool
		wantStatus int
	}{
		{name: "success", wantText: reply, wantFinish: "stop", wantEOF: true},
		{name: "length", step: Step{FinishReason: "length"}, wantText: reply, wantFinish: "length", wantEOF: true},
		{name: "keep-alive before first token", step: Step{FirstTokenDelay: 10 * time.Millisecond}, wantText: reply, wantFinish: "stop", wantEOF: true},
		{name: "429", step: Step{Fail: FailStatus, Status: 429, RetryAfter: "2"}, wantStatus: 429},
		{name: "503", step: Step{Fail: FailStatus, Status: 503}, wantStatus: 503},
		{name: "error frame", step: Step{Fail: FailErrorFrame, At: 2}, wantText: "Kenya sent 400"},
		{name: "cut", step: Step{Fail: FailCut, At: 1}, wantText: "Kenya s"},
		{name: "end early", step: Step{Fail: FailEndEarly, At: 3}, wantText: "Kenya sent 400 office", wantEOF: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			chat := NewChat(reply, tc.step)
			s := New(t, map[string]http.Handler{"/v1/chat/completions": chat})
			st, err := chatClient(s).CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{
				Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}},
			})
			if tc.wantStatus != 0 {
				var apiErr *openai.APIError
				if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != tc.wantStatus {
					t.Fatalf("err = %v, want API error %d", err, tc.wantStatus)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			text, finish, err := drain(t, st)
			if text != tc.wantText || finish != tc.wantFinish {
				t.Errorf("got %q finish %q, want %q finish %q", text, finish, tc.wantText, tc.wantFinish)
			}
			if gotEOF := errors.Is(err, io.EOF); gotEOF != tc.wantEOF {
				t.Errorf("end error %v, want EOF=%v", err, tc.wantEOF)
			}
			reqs := chat.Requests()
			if len(reqs) != 1 || !reqs[0].Stream || reqs[0].Messages[0].Content != "hi" {
				t.Errorf("recorded %+v", reqs)
			}
			if got := reqs[0].Header.Get("Authorization"); got != "Bearer sk-test" {
				t.Errorf("Authorization = %q", got)
			}
		})
	}
}

func TestChatHangEndsWithClient(t *testing.T) {
	s := New(t, map[string]http.Handler{"/v1/chat/completions": NewChat("x", Step{Fail: FailHang})})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := chatClient(s).CreateChatCompletionStream(ctx, openai.ChatCompletionRequest{Model: "m"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestChatNonStream(t *testing.T) {
	chat := NewChat("How many troops did Benin pledge?")
	s := New(t, map[string]http.Handler{"/v1/chat/completions": chat})
	resp, err := chatClient(s).CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "what about Benin?"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Choices[0].Message.Content; got != "How many troops did Benin pledge?" {
		t.Errorf("content %q", got)
	}
	if resp.Usage.CompletionTokens != 6 {
		t.Errorf("usage %+v", resp.Usage)
	}
	if reqs := chat.Requests(); len(reqs) != 1 || reqs[0].Stream {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestSplit(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want int
	}{{"", 4, 1}, {"ab", 4, 2}, {"héllo wörld", 3, 3}}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			parts := split(tc.in, tc.n)
			if len(parts) != tc.want || strings.Join(parts, "") != tc.in {
				t.Errorf("split(%q, %d) = %q", tc.in, tc.n, parts)
			}
		})
	}
}

// TestChatRealServerBehaviours: the fake's imitations of real servers.
func TestChatRealServerBehaviours(t *testing.T) {
	req := openai.ChatCompletionRequest{Model: "m", MaxTokens: 10, Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "one two three four five six"}}}
	t.Run("reasoning deltas are not content", func(t *testing.T) {
		chat := NewChat("Answer.", Step{Reasoning: "thinking hard", ReasoningField: "reasoning_content"})
		s := New(t, map[string]http.Handler{"/v1/chat/completions": chat})
		st, err := chatClient(s).CreateChatCompletionStream(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var content, reasoning strings.Builder
		for {
			resp, err := st.Recv()
			if err != nil {
				break
			}
			for _, c := range resp.Choices {
				content.WriteString(c.Delta.Content)
				reasoning.WriteString(c.Delta.ReasoningContent)
			}
		}
		if content.String() != "Answer." || reasoning.String() != "thinking hard" {
			t.Errorf("content %q reasoning %q", content.String(), reasoning.String())
		}
	})
	t.Run("[DONE] without a finish_reason", func(t *testing.T) {
		s := New(t, map[string]http.Handler{"/v1/chat/completions": NewChat("Answer.", Step{NoFinish: true})})
		st, err := chatClient(s).CreateChatCompletionStream(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		text, finish, err := drain(t, st)
		if text != "Answer." || finish != "" || !errors.Is(err, io.EOF) {
			t.Errorf("text %q finish %q end %v", text, finish, err)
		}
	})
	for _, tc := range []struct {
		name   string
		flavor Flavor
		want   string
	}{{"OpenAI's unknown model", FlavorOpenAI, "does not exist"}, {"Ollama's unknown model", FlavorOllama, "model 'm' not found"}} {
		t.Run(tc.name, func(t *testing.T) {
			chat := NewChat("x")
			chat.Flavor, chat.Models = tc.flavor, []string{"other"}
			s := New(t, map[string]http.Handler{"/v1/chat/completions": chat})
			_, err := chatClient(s).CreateChatCompletionStream(context.Background(), req)
			var apiErr *openai.APIError
			if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 404 || !strings.Contains(apiErr.Message, tc.want) {
				t.Errorf("err = %v", err)
			}
		})
	}
	t.Run("context window: OpenAI refuses, Ollama cuts the front", func(t *testing.T) {
		chat := NewChat("x")
		chat.ContextTokens = 14 // 6 words + 10 max_tokens do not fit
		s := New(t, map[string]http.Handler{"/v1/chat/completions": chat})
		_, err := chatClient(s).CreateChatCompletion(context.Background(), req)
		var apiErr *openai.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != "context_length_exceeded" {
			t.Errorf("OpenAI flavour: err = %v", err)
		}
		chat.Flavor = FlavorOllama
		if _, err := chatClient(s).CreateChatCompletion(context.Background(), req); err != nil {
			t.Fatalf("Ollama flavour: %v", err)
		}
		last := chat.Requests()[len(chat.Requests())-1]
		if last.Dropped != 2 || last.Messages[0].Content != "three four five six" {
			t.Errorf("Ollama kept %q, dropped %d", last.Messages[0].Content, last.Dropped)
		}
	})
	t.Run("serial", func(t *testing.T) {
		chat := NewChat("x", Step{FirstTokenDelay: 30 * time.Millisecond}, Step{FirstTokenDelay: 30 * time.Millisecond})
		chat.Serial = true
		s := New(t, map[string]http.Handler{"/v1/chat/completions": chat})
		done := make(chan struct{}, 2)
		for range 2 {
			go func() {
				if st, err := chatClient(s).CreateChatCompletionStream(context.Background(), req); err == nil {
					_, _, _ = drain(t, st)
				}
				done <- struct{}{}
			}()
		}
		<-done
		<-done
		if chat.MaxConcurrent() != 1 || len(chat.Requests()) != 2 {
			t.Errorf("max concurrent %d, requests %d", chat.MaxConcurrent(), len(chat.Requests()))
		}
	})
	t.Run("max_tokens refused for reasoning models", func(t *testing.T) {
		chat := NewChat("x")
		chat.RequireCompletionTokens = true
		s := New(t, map[string]http.Handler{"/v1/chat/completions": chat})
		_, err := chatClient(s).CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: "future", MaxTokens: 5})
		var apiErr *openai.APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 400 || !strings.Contains(apiErr.Message, "max_completion_tokens") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("unknown route is a plain 404", func(t *testing.T) {
		s := New(t, map[string]http.Handler{"/v1/chat/completions": NewChat("x")})
		resp, err := http.Post(s.URL+"/chat/completions", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || strings.TrimSpace(string(body)) != "404 page not found" {
			t.Errorf("status %d body %q", resp.StatusCode, body)
		}
	})
}
