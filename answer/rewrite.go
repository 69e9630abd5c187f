package answer

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"

	"missionbot/prompts"
)

// maxQueryRunes bounds a rewritten query; a longer reply is not a query.
const maxQueryRunes = 300

// rewriteMaxTokens bounds the rewrite reply; a model that must count its
// reasoning in max_completion_tokens gets rewriteReasoningTokens.
const (
	rewriteMaxTokens       = 80
	rewriteReasoningTokens = 1000
)

// Reasons a rewrite reply is not used.
var (
	errRewriteCut      = errors.New("the reply was cut at its length limit")
	errRewriteLines    = errors.New("the reply runs past one line")
	errRewriteAnswers  = errors.New("the reply answers the question instead of rewriting it")
	errRewriteUnusable = errors.New("the reply holds no usable query")
)

// searchQueries returns the queries to search for req, first the one that
// best stands alone, and the rewrite's token usage (zero without a call).
// The question itself, merged with the previous turn for a follow-up (see
// mergeHistory), is always among them. A follow-up, or a question in
// another language (foreign, see inOtherLanguage), is also rewritten by the model
// into a standalone English query; an English question without history
// costs no model call. standalone is the rewrite when it resolved a
// follow-up, for the answer prompt; empty otherwise.
func (l *LLM) searchQueries(ctx context.Context, req Request, foreign bool) (queries []string, standalone string, usage openai.Usage) {
	own := mergeHistory(req.Question, req.History)
	if len(req.History) == 0 && !foreign {
		return []string{own}, "", usage
	}
	q, usage, err := l.rewrite(ctx, req)
	if err != nil {
		l.log.WarnContext(ctx, "query rewrite not used; searching the question as asked",
			"error", l.redact(err.Error()))
		return []string{own}, "", usage
	}
	if strings.EqualFold(strings.TrimSpace(q), strings.TrimSpace(own)) {
		return []string{own}, "", usage
	}
	if len(req.History) > 0 {
		standalone = q
	}
	return []string{q, own}, standalone, usage
}

// rewrite asks the model, without streaming, for a standalone English
// search query for req, and checks the reply (see cleanQuery).
func (l *LLM) rewrite(ctx context.Context, req Request) (string, openai.Usage, error) {
	ctx, cancel := context.WithTimeout(ctx, l.opts.FirstTokenTimeout)
	defer cancel()
	system, user, err := l.prompts.Rewrite(prompts.RewriteData{Question: req.Question, History: promptTurns(req.History)})
	if err != nil {
		return "", openai.Usage{}, fmt.Errorf("rewrite: %w", err)
	}
	creq := l.request(system, user, rewriteMaxTokens, rewriteReasoningTokens)
	resp, err := l.client.CreateChatCompletion(ctx, creq)
	if err != nil && l.adapt(err, &creq) {
		resp, err = l.client.CreateChatCompletion(ctx, creq)
	}
	if err != nil {
		return "", openai.Usage{}, fmt.Errorf("rewrite: %w", err)
	}
	if len(resp.Choices) == 0 {
		return "", resp.Usage, fmt.Errorf("rewrite: the model returned no choices")
	}
	c := resp.Choices[0]
	if c.FinishReason == openai.FinishReasonLength {
		return "", resp.Usage, fmt.Errorf("rewrite: %w", errRewriteCut)
	}
	known := req.Question
	for _, t := range req.History {
		known += "\n" + t.Question + "\n" + t.Answer
	}
	q, err := cleanQuery(c.Message.Content, known)
	if err != nil {
		return "", resp.Usage, fmt.Errorf("rewrite: %w", err)
	}
	return q, resp.Usage, nil
}

// queryLabel is a short label before a colon that opens a line: "Query:",
// "Search query:", "Requête :".
var queryLabel = regexp.MustCompile(`^[\p{L} ]{1,40}\s*:\s+`)

// cleanQuery turns a rewrite reply into a query: reasoning is removed, and
// so are a preamble line ending in a colon ("Sure! Here is the query:"), a
// label ("Query:"), emphasis and quotes. It refuses a reply that runs past
// one line, that cites or states figures the conversation (known: the
// question and its history) does not hold (an answer, not a query), or
// that is empty or too long.
func cleanQuery(reply, known string) (string, error) {
	var lines []string
	for _, line := range strings.Split(stripReasoning(reply), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	if len(lines) > 1 && strings.HasSuffix(lines[0], ":") {
		lines = lines[1:]
	}
	if len(lines) > 1 {
		return "", errRewriteLines
	}
	if len(lines) == 0 {
		return "", errRewriteUnusable
	}
	q := lines[0]
	if loc := queryLabel.FindStringIndex(q); loc != nil && loc[1] < len(q) {
		q = q[loc[1]:]
	}
	q = strings.TrimSpace(strings.Trim(q, "\"'`“”«»*_ "))
	if q == "" || utf8.RuneCountInString(q) > maxQueryRunes {
		return "", errRewriteUnusable
	}
	if citeMarker.MatchString(q) {
		return "", errRewriteAnswers
	}
	have := numberSet(known)
	for n := range numberSet(q) {
		if !have[n] {
			return "", errRewriteAnswers
		}
	}
	return q, nil
}

func messages(system, user string) []openai.ChatCompletionMessage {
	return []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: system},
		{Role: openai.ChatMessageRoleUser, Content: user},
	}
}
