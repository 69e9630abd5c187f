package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"missionbot/answer"
	"missionbot/internal/fakeopenai"
)

func TestAskWithChatModel(t *testing.T) {
	const key = "sk-test-secret-key"
	const modelWords = "Benin pledged 2,000 troops to the mission"
	tests := []struct {
		name     string
		steps    []fakeopenai.Step
		fallback bool // the extractive answer stands in for the model's
	}{
		// The [7] names no source: removed, and flagged (issue 10).
		{"streamed answer", nil, false},
		{"server down falls back", []fakeopenai.Step{{Fail: fakeopenai.FailStatus, Status: 503}, {Fail: fakeopenai.FailStatus, Status: 503}}, true},
		{"cut stream falls back", []fakeopenai.Step{{Fail: fakeopenai.FailCut, At: 1}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			chat := fakeopenai.NewChat("Benin pledged 2,000 troops to the mission [1]. Kenya leads it [7].", tc.steps...)
			srv := fakeopenai.New(t, map[string]http.Handler{"/v1/chat/completions": chat})
			env := map[string]string{
				"MISSIONBOT_CHAT_MODEL":    "test-model",
				"OPENAI_BASE_URL":          srv.BaseURL(),
				"OPENAI_API_KEY":           key,
				"MISSIONBOT_MODEL_RETRIES": "1",
			}
			out, errOut, err := runCLI(t, env, "ask", "--json", "How many troops did Benin pledge to the mission?")
			if err != nil {
				t.Fatal(err)
			}
			var a askJSON
			if err := json.Unmarshal([]byte(out), &a); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if a.Mode != "llm" {
				t.Errorf("mode %q, want llm", a.Mode)
			}
			if a.Notice == "" {
				t.Errorf("no notice: the bad marker, or the fallback, must be said")
			}
			if strings.Contains(a.Answer, modelWords) == tc.fallback {
				t.Errorf("answer %q: the model's own words present %v, want %v", a.Answer, !tc.fallback, !tc.fallback)
			}
			if !tc.fallback && !strings.Contains(a.Notice, answer.NoticeBadMarker) {
				t.Errorf("notice %q, want %q for the marker naming no source", a.Notice, answer.NoticeBadMarker)
			}
			if !strings.Contains(a.Answer, "2,000") || strings.Contains(a.Answer, "[7]") {
				t.Errorf("answer not verified: %q", a.Answer)
			}
			assertCitationsComplete(t, a)
			if strings.Contains(out+errOut, key) {
				t.Error("the API key reached the output")
			}
			for _, r := range chat.Requests() {
				if strings.Contains(r.Text(), key) {
					t.Error("the API key reached the prompt")
				}
			}
			if len(chat.Requests()) == 0 {
				t.Error("the model was never called")
			}
		})
	}
}

// TestAskWithChatModelRefusals: the model judges relevance, so an
// off-topic question reaches it and its refusal line comes back as refused
// with no sources; only a question nothing in the corpus matches at all is
// refused without a call.
func TestAskWithChatModelRefusals(t *testing.T) {
	cases := []struct {
		name     string
		question string
		calls    int
	}{
		{"off-topic question: the model refuses", "What is the population of Kenya?", 1},
		{"nothing matches at all: no call", "Zyxqv wuggle plonk?", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			chat := fakeopenai.NewChat("NOT_IN_SOURCES")
			srv := fakeopenai.New(t, map[string]http.Handler{"/v1/chat/completions": chat})
			env := map[string]string{"MISSIONBOT_CHAT_MODEL": "m", "OPENAI_BASE_URL": srv.BaseURL()}
			out, _, err := runCLI(t, env, "ask", "--json", tc.question)
			if err != nil {
				t.Fatal(err)
			}
			var a askJSON
			if err := json.Unmarshal([]byte(out), &a); err != nil {
				t.Fatal(err)
			}
			if !a.Refused || a.Mode != "llm" || len(chat.Requests()) != tc.calls || len(a.Citations) != 0 {
				t.Errorf("refused=%v mode=%s calls=%d citations=%d; want a refusal without sources after %d calls",
					a.Refused, a.Mode, len(chat.Requests()), len(a.Citations), tc.calls)
			}
		})
	}
}

func TestTemperatureZeroReachesTheModel(t *testing.T) {
	chat := fakeopenai.NewChat("Benin pledged 2,000 troops [1].")
	srv := fakeopenai.New(t, map[string]http.Handler{"/v1/chat/completions": chat})
	env := map[string]string{"MISSIONBOT_CHAT_MODEL": "m", "OPENAI_BASE_URL": srv.BaseURL(), "MISSIONBOT_TEMPERATURE": "0"}
	if _, _, err := runCLI(t, env, "ask", "--json", "How many troops did Benin pledge to the mission?"); err != nil {
		t.Fatal(err)
	}
	for _, r := range srv.Requests() {
		if r.Path != "/v1/chat/completions" {
			continue
		}
		var body struct {
			Temperature *float64 `json:"temperature"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Temperature == nil || *body.Temperature > 0.001 {
			t.Errorf("temperature sent: %v, want (near) zero", body.Temperature)
		}
	}
}
