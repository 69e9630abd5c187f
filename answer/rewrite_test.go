package answer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"missionbot/internal/fakeopenai"
)

// TestInOtherLanguage: English questions are never taken for another
// language, however many words they share with French or Creole (issue 10:
// "kenyan" and "comment" sent English questions to be answered in Creole).
func TestInOtherLanguage(t *testing.T) {
	cases := []struct {
		q    string
		want bool
	}{
		{"How many Kenyan police officers are in Haiti?", false},
		{"Did the Kenyan government comment on the delay?", false},
		{"What did the White House spokesman say?", false},
		{"What about Benin?", false},
		{"How much cash did America promise?", false},
		{"Which judges stopped Nairobi?", false},
		{"Combien de policiers kényans supplémentaires sont arrivés à Port-au-Prince ?", true},
		{"Quand les policiers kényans sont-ils arrivés en Haïti ?", true},
		{"Konbyen lajan Etazini te pwomèt pou misyon an?", true},
		{"Ki lè polisye kenyan yo te rive ann Ayiti?", true},
		{"Quantos policiais quenianos chegaram ao Haiti?", true},
	}
	for _, tc := range cases {
		if got := inOtherLanguage(tc.q); got != tc.want {
			t.Errorf("inOtherLanguage(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestCleanQuery(t *testing.T) {
	const known = "what about Benin?\nWhich countries pledged troops in 2024?"
	cases := []struct {
		name, in, want string
		err            error
	}{
		{name: "plain", in: "How many troops did Benin pledge?", want: "How many troops did Benin pledge?"},
		{name: "label and quotes", in: "Query: \"Benin troops Haiti\"", want: "Benin troops Haiti"},
		{name: "search query label, backticks", in: "Search query: `Benin troop pledge`", want: "Benin troop pledge"},
		{name: "guillemets", in: "«Benin»", want: "Benin"},
		{name: "preamble line", in: "Sure! Here is the query:\nHow many troops did Benin pledge in 2024?", want: "How many troops did Benin pledge in 2024?"},
		{name: "empty think block", in: "<think>\n\n</think>\n\nHow many troops did Benin pledge?", want: "How many troops did Benin pledge?"},
		{name: "reasoning", in: "<think>The user means Benin.\nSo the query is…</think>Benin troop pledge", want: "Benin troop pledge"},
		{name: "emphasis", in: "**Benin troop pledge**", want: "Benin troop pledge"},
		{name: "explanation after the query", in: "Benin troop pledge\nExplanation: the user asks about Benin.", err: errRewriteLines},
		{name: "an answer, not a query", in: "Benin pledged 2,000 troops to the mission.", err: errRewriteAnswers},
		{name: "a cited answer", in: "Benin pledged troops [1].", err: errRewriteAnswers},
		{name: "empty", in: "", err: errRewriteUnusable},
		{name: "only quotes", in: "  \n \"\" \n", err: errRewriteUnusable},
		{name: "too long", in: strings.Repeat("Benin troops ", 40), err: errRewriteUnusable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cleanQuery(tc.in, known)
			if got != tc.want || !errors.Is(err, tc.err) {
				t.Errorf("cleanQuery(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

// TestLLMRewriteReplies: a rewrite that is not a query is not searched;
// the question merged with history is, and the original question always.
func TestLLMRewriteReplies(t *testing.T) {
	history := []Turn{{Question: "Which countries pledged troops to the mission?", Answer: "Kenya, Jamaica and others [1]."}}
	const question = "what about Benin?"
	merged := mergeHistory(question, history)
	cases := []struct {
		name  string
		reply string
		step  fakeopenai.Step
		want  []string
	}{
		{"stopped at its length limit", "How many troops did Benin", fakeopenai.Step{FinishReason: "length"}, []string{merged}},
		{"answers instead", "Benin pledged 2,000 troops.", fakeopenai.Step{}, []string{merged}},
		{"thinks first, then rewrites", "<think></think>How many troops did Benin pledge?", fakeopenai.Step{}, []string{"How many troops did Benin pledge?", merged}},
		{"reasoning in the reply, preamble", "Sure! Here is the query:\nHow many troops did Benin pledge?", fakeopenai.Step{Reasoning: "The user follows up on pledges."}, []string{"How many troops did Benin pledge?", merged}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			step := tc.step
			step.Reply = tc.reply
			chat := fakeopenai.NewChat("Benin pledged troops [1].", step)
			r := newRig(t, chat, pledgeResults(), nil)
			a, err := r.llm.Answer(context.Background(), Request{Question: question, History: history})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.search.Queries(); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("searched %q, want %q", got, tc.want)
			}
			if a.Fallback != "" {
				t.Errorf("fallback %q", a.Fallback)
			}
		})
	}
}

// TestLLMHistoryIsBounded: a 200-turn conversation with long turns costs
// the prompts no more than the last three turns, clipped (issue 10: it sent
// a 1 MB rewrite prompt).
func TestLLMHistoryIsBounded(t *testing.T) {
	var history []Turn
	for i := range 200 {
		history = append(history, Turn{Question: strings.Repeat("earlier question ", 200) + string(rune('a'+i%26)), Answer: strings.Repeat("earlier answer ", 400)})
	}
	chat := fakeopenai.NewChat("")
	chat.Reply = func(req fakeopenai.ChatRequest) string {
		if !req.Stream {
			return "How many troops did Benin pledge?"
		}
		return "Benin pledged troops [1]."
	}
	r := newRig(t, chat, pledgeResults(), nil)
	if _, err := r.llm.Answer(context.Background(), Request{Question: "what about Benin?", History: history}); err != nil {
		t.Fatal(err)
	}
	reqs := r.server.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, req := range reqs {
		if len(req.Body) > 12<<10 {
			t.Errorf("%s request of %d bytes", req.Path, len(req.Body))
		}
	}
	if answerPrompt := chat.Requests()[1].Text(); strings.Count(answerPrompt, "<turn>\nQuestion:") != 3 {
		t.Errorf("the answer prompt carries %d turns, want the last 3", strings.Count(answerPrompt, "<turn>\nQuestion:"))
	}
}
