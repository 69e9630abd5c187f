// Package answer turns retrieved passages into an answer with numbered,
// verified citations: extractively from the passages' own sentences when no
// chat model is configured, or with an OpenAI-compatible chat model.
package answer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"missionbot/corpus"
	"missionbot/retrieval"
)

// MaxQuestionLength is the longest question accepted, in characters.
const MaxQuestionLength = 2000

// ErrInvalidQuestion is returned (wrapped, with the reason) for a question
// that is empty, whitespace only, not valid text or too long.
var ErrInvalidQuestion = errors.New("invalid question")

// Mode says how an answer was produced.
type Mode string

// The answer modes, as reported in JSON output.
const (
	ModeExtractive Mode = "extractive"
	ModeLLM        Mode = "llm"
)

// Searcher finds passages relevant to a query. *retrieval.Index implements
// it; tests hand the answerers a fake.
type Searcher interface {
	Search(ctx context.Context, query string, k int) (retrieval.Results, error)
}

// Turn is one earlier question and its answer in a conversation.
type Turn struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// Request is one question to answer.
type Request struct {
	Question string
	// History holds earlier turns of the same conversation, oldest first,
	// so that follow-up questions can be understood. It may be empty.
	History []Turn
	// K is the number of passages to retrieve; 0 means the answerer's
	// configured K.
	K int
	// OnDelta, when set, receives the answer text as it is produced, in
	// order; the concatenation of all deltas is the unverified raw text.
	// It is called from the answering goroutine and must not block long.
	OnDelta func(delta string)
}

// Citation is a numbered source of an answer: the cited document's
// metadata, the passage quoted from it, and the other documents that carry
// the same passage.
type Citation struct {
	// N is the marker number used in the answer text: [N].
	N int `json:"n"`
	corpus.Meta
	// Quote is the cited passage's text, or the sentence taken from it.
	Quote string `json:"quote"`
	// ChunkID is the cited passage's chunk.
	ChunkID string `json:"-"`
	// Corroborating lists other documents carrying the same passage: copies
	// of the same story from other outlets.
	Corroborating []corpus.Meta `json:"also_reported_by,omitempty"`
}

// Answer is the result of answering one Request.
type Answer struct {
	Question string
	// Query is the search query actually used, after any rewriting of a
	// follow-up or non-English question.
	Query string
	// Text is the answer with [n] markers; every marker has a Citation.
	Text string
	// Refused is true when the answer states none of what was asked: the
	// text is the refusal, possibly with related context the sources do
	// state, cited.
	Refused bool
	// Partial is true when the answer states part of what was asked and
	// says which parts the sources don't state; Refused is then false.
	Partial bool
	Mode    Mode
	// Notice is a one-line remark for the user, e.g. why a model answer
	// fell back to the extractive one; empty when there is nothing to say.
	Notice string
	// Fallback names the model failure ("timeout", "rate limited", …) when
	// a model answer could not be used and the extractive one stands in;
	// empty otherwise. Notice says the same to the user.
	Fallback  string
	Citations []Citation
	// Passages are the top-k retrieved passages in rank order; an
	// extractive answer lists the passages it quotes first, best first,
	// including one quoted from beyond the top k.
	Passages []retrieval.Passage
	Retrieve time.Duration
	Generate time.Duration
	// PromptTokens and CompletionTokens count model usage; 0 without one.
	PromptTokens     int
	CompletionTokens int
}

// ValidateQuestion reports why a question cannot be answered as typed, or
// nil. The error wraps ErrInvalidQuestion and its text is safe to show.
func ValidateQuestion(q string) error {
	switch {
	case !utf8.ValidString(q):
		return fmt.Errorf("%w: the question is not valid UTF-8 text", ErrInvalidQuestion)
	case strings.TrimSpace(q) == "":
		return fmt.Errorf("%w: the question is empty", ErrInvalidQuestion)
	case !strings.ContainsFunc(q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }):
		return fmt.Errorf("%w: the question has no words", ErrInvalidQuestion)
	case utf8.RuneCountInString(q) > MaxQuestionLength:
		return fmt.Errorf("%w: the question is %d characters long; the limit is %d",
			ErrInvalidQuestion, utf8.RuneCountInString(q), MaxQuestionLength)
	}
	return nil
}

// citationOf builds citation n for passage p, quoting quote (the passage
// text when quote is empty).
func citationOf(n int, p retrieval.Passage, quote string) Citation {
	if quote == "" {
		quote = p.Text
	}
	return Citation{N: n, Meta: p.Meta, Quote: quote, ChunkID: p.ID, Corroborating: p.Corroborating}
}
