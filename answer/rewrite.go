package answer

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"

	"missionbot/prompts"
)

// Languages detectLanguage can name.
const (
	langFrench = "French"
	langCreole = "Haitian Creole"
)

// Stopwords that mark a question as French or Haitian Creole. Strong words
// decide alone; weak ones (also English-looking, like "a" or "ki") need
// company.
var (
	frenchStrong = wordSet("combien pourquoi quels quelles quel quelle est-ce qu'est-ce comment où lorsque depuis sont ont avons été déployés policiers kenyans soldats")
	frenchWeak   = wordSet("les des une est dans pour avec du au aux le la et qui que de en sur")
	creoleStrong = wordSet("kisa konbyen poukisa kilès kiles kijan kilè kote sòlda polisye lapolis peyi genyen ameriken kenyan misyon")
	creoleWeak   = wordSet("ki nan yo pa se li mwen nou ak pou gen te ap")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// detectLanguage guesses whether q is French or Haitian Creole rather than
// English, from stopwords and accented letters; it returns "" for English
// or when unsure. It is a cheap gate for query rewriting, not a classifier.
func detectLanguage(q string) string {
	fr, ht, accents := 0, 0, 0
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '-' && r != '\''
	}) {
		w = strings.Trim(w, "-'")
		switch {
		case frenchStrong[w]:
			fr += 2
		case frenchWeak[w]:
			fr++
		}
		switch {
		case creoleStrong[w]:
			ht += 2
		case creoleWeak[w]:
			ht++
		}
		if strings.ContainsAny(w, "éèêàâçùûôîœ") {
			accents++
		}
		if strings.ContainsRune(w, 'ò') {
			ht++
		}
	}
	switch {
	case ht >= 2 && ht > fr:
		return langCreole
	case fr >= 2 || (fr >= 1 && accents >= 1):
		return langFrench
	}
	return ""
}

// maxQueryRunes bounds a rewritten query; a longer reply is not a query.
const maxQueryRunes = 300

// searchQuery returns the query to search for req and the language of the
// question. With history, or a question that looks non-English, it asks
// the model for a standalone English query; on any failure of that call it
// falls back to mergeHistory, so a broken model never blocks the search.
// usage is the rewrite's token count, 0 without a call.
func (l *LLM) searchQuery(ctx context.Context, req Request) (query, lang string, usage openai.Usage) {
	lang = detectLanguage(req.Question)
	if len(req.History) == 0 && lang == "" {
		return req.Question, lang, usage
	}
	q, usage, err := l.rewrite(ctx, req)
	if err != nil {
		l.log.WarnContext(ctx, "query rewrite failed; using the question and history as they are",
			"error", l.redact(err.Error()))
		return mergeHistory(req.Question, req.History), lang, usage
	}
	return q, lang, usage
}

// rewrite asks the model, without streaming, for a standalone English
// search query for req.
func (l *LLM) rewrite(ctx context.Context, req Request) (string, openai.Usage, error) {
	ctx, cancel := context.WithTimeout(ctx, l.opts.RewriteTimeout)
	defer cancel()
	data := prompts.RewriteData{Question: req.Question}
	for _, t := range req.History {
		data.History = append(data.History, prompts.Turn{Question: t.Question, Answer: t.Answer})
	}
	system, user, err := l.prompts.Rewrite(data)
	if err != nil {
		return "", openai.Usage{}, fmt.Errorf("rewrite: %w", err)
	}
	resp, err := l.client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		Model:     l.opts.Model,
		Messages:  messages(system, user),
		MaxTokens: 80,
	})
	if err != nil {
		return "", openai.Usage{}, fmt.Errorf("rewrite: %w", err)
	}
	if len(resp.Choices) == 0 {
		return "", resp.Usage, fmt.Errorf("rewrite: the model returned no choices")
	}
	q := cleanQuery(resp.Choices[0].Message.Content)
	if q == "" || utf8.RuneCountInString(q) > maxQueryRunes {
		return "", resp.Usage, fmt.Errorf("rewrite: the model's reply is not a usable query (%d characters)", len(q))
	}
	return q, resp.Usage, nil
}

// cleanQuery takes the first non-empty line of a model's reply and strips
// the labels and quotes models like to add.
func cleanQuery(s string) string {
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		for _, label := range []string{"standalone english search query:", "search query:", "query:"} {
			if len(line) >= len(label) && strings.EqualFold(line[:len(label)], label) {
				line = strings.TrimSpace(line[len(label):])
			}
		}
		line = strings.Trim(line, "\"'`“”«» ")
		if line != "" {
			return line
		}
	}
	return ""
}

func messages(system, user string) []openai.ChatCompletionMessage {
	return []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: system},
		{Role: openai.ChatMessageRoleUser, Content: user},
	}
}
