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

// Source is one passage offered to the model, with the metadata of its
// document (title, publisher, date). Sources are numbered [1]..[n] by their
// position in AnswerData.Sources.
type Source struct {
	corpus.Meta
	Text string
	// Ref is the caller's own reference to the passage (e.g. its index in
	// the search results). It is never rendered; Pack carries it through so
	// the caller can map the numbers it sent back to its passages.
	Ref int
}

// AnswerData is everything the answer prompt shows the model.
type AnswerData struct {
	// Question is the user's question exactly as asked, in its language.
	Question string
	// Query is the standalone form of a follow-up question; leave it empty
	// when it adds nothing (it equals the question).
	Query string
	// Language names the question's language ("French") when it is known
	// not to be English; empty means "the language of the question".
	Language string
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
	// History is the earlier turns, oldest first; only the last few are
	// sent (see MaxRewriteTurns).
	History []Turn
}

// MaxRewriteTurns is how many of the latest turns the rewrite prompt shows.
const MaxRewriteTurns = 3

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
	system, err = render(p.system, struct{ SourceCount int }{len(data.Sources)})
	if err != nil {
		return "", "", err
	}
	user, err = render(p.user, data)
	if err != nil {
		return "", "", err
	}
	return system, user, nil
}

// Rewrite renders the system and user messages asking the model to turn
// data.Question into a standalone English search query.
func (p *Prompts) Rewrite(data RewriteData) (system, user string, err error) {
	if len(data.History) > MaxRewriteTurns {
		data.History = data.History[len(data.History)-MaxRewriteTurns:]
	}
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
