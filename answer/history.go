package answer

import (
	"missionbot/prompts"
	"missionbot/text"
)

// History bounds: however long a conversation grows, an answer reads only
// its last maxHistoryTurns turns, each clipped, so no prompt or query can
// grow with it.
const (
	maxHistoryTurns      = prompts.MaxHistoryTurns
	maxHistoryQuestion   = 500
	maxHistoryAnswerText = 1000
)

// boundHistory returns the last maxHistoryTurns turns of h with their
// questions and answers clipped.
func boundHistory(h []Turn) []Turn {
	if len(h) > maxHistoryTurns {
		h = h[len(h)-maxHistoryTurns:]
	}
	out := make([]Turn, len(h))
	for i, t := range h {
		out[i] = Turn{Question: text.Truncate(t.Question, maxHistoryQuestion), Answer: text.Truncate(t.Answer, maxHistoryAnswerText)}
	}
	return out
}

// promptTurns converts turns for the prompts package.
func promptTurns(h []Turn) []prompts.Turn {
	out := make([]prompts.Turn, len(h))
	for i, t := range h {
		out[i] = prompts.Turn{Question: t.Question, Answer: t.Answer}
	}
	return out
}
