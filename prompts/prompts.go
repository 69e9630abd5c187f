// Package prompts holds the texts sent to a chat model, as templates
// embedded in the binary, and the packing of retrieved passages into the
// model's context budget. The templates receive only the question, the
// conversation and the passages: never configuration, so no key or token
// can reach a prompt.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"missionbot/corpus"
	"missionbot/text"
	"strings"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

// RefusalLine is the exact line the answer prompt tells the model to reply
// with when the sources do not answer the question: an English token that
// a model copies unchanged whatever the language of the conversation, so
// that its refusal can be recognised without reading prose (see the answer
// package).
const RefusalLine = "NOT_IN_SOURCES"

// Source is one document offered to the model: its metadata (title,
// publisher, date) and the excerpts of its retrieved passages, in document
// order. Sources are numbered [1]..[n] by their position in
// AnswerData.Sources.
type Source struct {
	corpus.Meta
	// Text is what the model is shown of the document: excerpts of its
	// retrieved passages, joined with " … " where text was left out.
	Text string
	// Refs are the caller's own references to the passages behind the
	// source (see Passage.Ref), best first. They are never rendered.
	Refs []int
}

// AnswerData is everything the answer prompt shows the model.
type AnswerData struct {
	// Question is the user's question exactly as asked, in its language.
	Question string
	// Query is the standalone form of a follow-up question; leave it empty
	// when it adds nothing (it equals the question).
	Query string
	// History is the recent conversation, oldest first; only the last
	// MaxHistoryTurns are shown, each clipped.
	History []Turn
	// Today is the current date, YYYY-MM-DD, or empty to leave it out.
	Today   string
	Sources []Source
}

// Turn is one earlier question and answer of a conversation.
type Turn struct {
	Question string
	Answer   string
}

// RewriteData is what the query-rewrite prompt shows the model.
type RewriteData struct {
	// Question is the latest question as asked.
	Question string
	// History is the earlier turns, oldest first; only the last
	// MaxHistoryTurns are sent, each clipped.
	History []Turn
}

// MaxHistoryTurns is how many of the latest turns a prompt shows; each
// turn's question is clipped to 300 characters and its answer to 400, so
// a long conversation costs at most about 2,100 characters.
const MaxHistoryTurns = 3

// recent returns the last MaxHistoryTurns turns of h.
func recent(h []Turn) []Turn {
	if len(h) > MaxHistoryTurns {
		return h[len(h)-MaxHistoryTurns:]
	}
	return h
}

// Prompts renders the prompt templates. It is safe for concurrent use.
type Prompts struct {
	system, user, rewriteSystem, rewriteUser *template.Template
}

// New parses the embedded templates once.
func New() (*Prompts, error) {
	funcs := template.FuncMap{
		"inc":    func(i int) int { return i + 1 },
		"body":   Neutralise,
		"attr":   attr,
		"clip":   text.Truncate,
		"range_": sourceRange,
	}
	parse := func(name string) (*template.Template, error) {
		t, err := template.New(name).Funcs(funcs).Option("missingkey=error").ParseFS(files, name)
		if err != nil {
			return nil, fmt.Errorf("prompts: parse %s: %w", name, err)
		}
		return t, nil
	}
	var p Prompts
	var err error
	for _, f := range []struct {
		dst  **template.Template
		name string
	}{
		{&p.system, "system.tmpl"},
		{&p.user, "user.tmpl"},
		{&p.rewriteSystem, "rewrite_system.tmpl"},
		{&p.rewriteUser, "rewrite_user.tmpl"},
	} {
		if *f.dst, err = parse(f.name); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// Answer renders the system and user messages asking the model to answer
// data.Question from data.Sources. The caller packs the sources first
// (see Pack).
func (p *Prompts) Answer(data AnswerData) (system, user string, err error) {
	data.History = recent(data.History)
	system, err = render(p.system, struct {
		SourceCount int
		Refusal     string
	}{len(data.Sources), RefusalLine})
	if err != nil {
		return "", "", err
	}
	user, err = render(p.user, struct {
		AnswerData
		Refusal string
	}{data, RefusalLine})
	if err != nil {
		return "", "", err
	}
	return system, user, nil
}

// Rewrite renders the system and user messages asking the model to turn
// data.Question into a standalone English search query.
func (p *Prompts) Rewrite(data RewriteData) (system, user string, err error) {
	data.History = recent(data.History)
	system, err = render(p.rewriteSystem, nil)
	if err != nil {
		return "", "", err
	}
	user, err = render(p.rewriteUser, data)
	if err != nil {
		return "", "", err
	}
	return system, user, nil
}

func render(t *template.Template, data any) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("prompts: render %s: %w", t.Name(), err)
	}
	return strings.TrimSpace(b.String()) + "\n", nil
}

var (
	angles     = strings.NewReplacer("<", "‹", ">", "›")
	attrSpaces = strings.NewReplacer(`"`, "'", "\n", " ", "\r", " ", "\t", " ")
)

// Neutralise makes untrusted text safe to place between the prompt's
// <source>/<question> delimiters: angle brackets become ‹ and › so the text
// can neither close its own tag nor open another.
func Neutralise(s string) string {
	return angles.Replace(s)
}

// attr neutralises s for use inside a double-quoted tag attribute.
func attr(s string) string {
	s = attrSpaces.Replace(Neutralise(s))
	return strings.TrimSpace(s)
}

// sourceRange names the valid markers for n sources: "source [1]" or
// "sources [1] to [n]".
func sourceRange(n int) string {
	if n == 1 {
		return "source [1]"
	}
	return fmt.Sprintf("sources [1] to [%d]", n)
}
