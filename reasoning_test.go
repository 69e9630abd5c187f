package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"missionbot/internal/fakediscord"
	"missionbot/internal/fakeopenai"
)

// TestReasoningNeverReachesDiscord: a reasoning model that thinks in
// <think> tags inside its content (and in reasoning deltas) while the
// answer streams into Discord: no edit, no final message, no citation
// shows the reasoning or numbers its markers (issue 10).
func TestReasoningNeverReachesDiscord(t *testing.T) {
	const secret = "PRIVATE-REASONING"
	reply := "<think>The user asks about Benin. " + secret + " maybe cite [2] and [3].</think>Benin pledged 2,000 troops to the mission [1]."
	cases := []struct {
		name string
		step fakeopenai.Step
	}{
		{"think tags in the content", fakeopenai.Step{Reply: reply, DeltaDelay: 250 * time.Millisecond}},
		{"reasoning deltas and think tags", fakeopenai.Step{Reply: reply, Reasoning: secret + " in the reasoning field", ReasoningField: "reasoning_content", DeltaDelay: 250 * time.Millisecond}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			chat := fakeopenai.NewChat("unused", tc.step)
			chat.Deltas = 16
			llm := fakeopenai.New(t, map[string]http.Handler{"/v1/chat/completions": chat})
			s := startServe(t, map[string]string{"MISSIONBOT_CHAT_MODEL": "m", "OPENAI_BASE_URL": llm.BaseURL()})
			sent, err := s.fake.Interact(fakediscord.Interaction{
				Name:    "ask",
				Options: []fakediscord.Option{{Name: "question", Type: 3, Value: "How many troops did Benin pledge to the mission?"}},
				Member:  &fakediscord.Member{User: fakediscord.User{ID: "400000000000000001", Username: "m"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			final, err := s.fake.WaitOriginal(sent.Token, 20*time.Second, func(m fakediscord.Message) bool {
				return m.Contains("2,000") && len(m.Embeds) > 0
			})
			if err != nil {
				t.Fatalf("%v\n%s", err, s.logs.String())
			}
			edits := 0
			for _, r := range s.fake.Requests() {
				if r.Method == http.MethodPatch {
					edits++
				}
				if bytes.Contains(r.Body, []byte(secret)) || bytes.Contains(r.Body, []byte("think>")) || bytes.Contains(r.Body, []byte("The user asks")) {
					t.Errorf("reasoning reached Discord in %s %s: %s", r.Method, r.Path, r.Body)
				}
			}
			if edits < 2 {
				t.Errorf("%d edits: the answer did not stream", edits)
			}
			if strings.Contains(final.Content, "[2]") || strings.Contains(string(final.Embeds[0]), "2.") {
				t.Errorf("the reasoning's markers took citation numbers: %q %s", final.Content, final.Embeds[0])
			}
		})
	}
}
