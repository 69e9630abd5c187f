package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"missionbot/answer"
	"missionbot/config"
	"missionbot/corpus"
)

func (e *environment) ask(ctx context.Context, args []string) error {
	fs := newFlagSet("ask")
	asJSON := fs.Bool("json", false, "print one JSON object")
	k := fs.Int("k", 0, "passages to retrieve (default MISSIONBOT_K or 5)")
	historyFile := fs.String("history", "", "JSON file with earlier turns: [{\"question\":…,\"answer\":…}]")
	words, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	question := strings.Join(words, " ")
	if err := answer.ValidateQuestion(question); err != nil {
		return usagef("ask: %v", err)
	}
	if *k < 0 || *k > 50 {
		return usagef("ask: --k must be between 1 and 50")
	}
	var history []answer.Turn
	if *historyFile != "" {
		h, err := readHistory(*historyFile)
		if err != nil {
			return usagef("ask: %v", err)
		}
		history = h
	}
	cfg, err := e.config()
	if err != nil {
		return usagef("%v", err)
	}
	if *k == 0 {
		*k = cfg.K
	}
	a, err := e.answerOnce(ctx, cfg, answer.Request{Question: question, History: history, K: *k}, !*asJSON && isTerminal(e.stdout))
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, toJSON(a))
	}
	printAnswer(e.stdout, a)
	return nil
}

// answerOnce opens the library (building the index if needed) and answers
// one request; with live set, text is printed as it streams.
func (e *environment) answerOnce(ctx context.Context, cfg config.Config, req answer.Request, live bool) (answer.Answer, error) {
	_, ans, err := openAnswerer(ctx, cfg, e.reportLogger(cfg), readIndex, "ask", e.newReporter(nil))
	if err != nil {
		return answer.Answer{}, err
	}
	streamed := false
	if live && cfg.ChatModel != "" {
		req.OnDelta = func(d string) {
			streamed = true
			fmt.Fprint(e.stdout, d)
		}
	}
	a, err := ans.Answer(ctx, req)
	if err != nil {
		return a, fmt.Errorf("ask: %w", err)
	}
	if streamed {
		// The streamed text is the model's raw output; what follows is the
		// verified answer with renumbered citations.
		fmt.Fprint(e.stdout, "\n\n")
	}
	return a, nil
}

func readHistory(path string) ([]answer.Turn, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	var turns []answer.Turn
	if err := json.Unmarshal(data, &turns); err != nil {
		return nil, fmt.Errorf("history file %s: want a JSON list of {\"question\", \"answer\"}: %w", path, err)
	}
	for i, t := range turns {
		if strings.TrimSpace(t.Question) == "" {
			return nil, fmt.Errorf("history file %s: turn %d has no question", path, i+1)
		}
	}
	return turns, nil
}

// askJSON is the schema of `ask --json`.
type askJSON struct {
	Question  string            `json:"question"`
	Answer    string            `json:"answer"`
	Refused   bool              `json:"refused"`
	Partial   bool              `json:"partial"`
	Mode      answer.Mode       `json:"mode"`
	Notice    string            `json:"notice"`
	Citations []answer.Citation `json:"citations"`
	Passages  []passageJSON     `json:"passages"`
	TimingsMS timingsJSON       `json:"timings_ms"`
}

type passageJSON struct {
	Rank    int     `json:"rank"`
	DocID   string  `json:"doc_id"`
	ChunkID string  `json:"chunk_id"`
	Score   float64 `json:"score"`
	Text    string  `json:"text"`
}

type timingsJSON struct {
	Retrieve float64 `json:"retrieve"`
	Generate float64 `json:"generate"`
}

func toJSON(a answer.Answer) askJSON {
	out := askJSON{
		Question: a.Question, Answer: a.Text, Refused: a.Refused, Partial: a.Partial, Mode: a.Mode, Notice: a.Notice,
		Citations: a.Citations, Passages: []passageJSON{},
		TimingsMS: timingsJSON{Retrieve: ms(a.Retrieve), Generate: ms(a.Generate)},
	}
	if out.Citations == nil {
		out.Citations = []answer.Citation{}
	}
	for _, p := range a.Passages {
		out.Passages = append(out.Passages, passageJSON{Rank: p.Rank, DocID: p.Meta.DocID, ChunkID: p.ID, Score: p.Score, Text: p.Text})
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	return nil
}

// printAnswer writes the human form: the answer, a notice, and the sources.
func printAnswer(w io.Writer, a answer.Answer) {
	fmt.Fprintln(w, a.Text)
	if a.Notice != "" {
		fmt.Fprintf(w, "\nNote: %s\n", a.Notice)
	}
	if len(a.Citations) == 0 {
		return
	}
	fmt.Fprintln(w, "\nSources:")
	for _, c := range a.Citations {
		fmt.Fprintf(w, "  [%d] %s\n", c.N, describeSource(c.Title, c.Publisher, c.Published, c.URL))
		if also := corpus.AlsoReportedBy(c.Publisher, c.Corroborating); len(also) > 0 {
			fmt.Fprintf(w, "      also reported by %s\n", strings.Join(also, ", "))
		}
	}
}

// describeSource renders "Title — Publisher, 2024-03-05 <url>" with the
// parts that are known.
func describeSource(title, publisher, published, url string) string {
	if title == "" {
		title = "(untitled)"
	}
	var extra []string
	if publisher != "" {
		extra = append(extra, publisher)
	}
	if published != "" {
		extra = append(extra, published)
	}
	s := title
	if len(extra) > 0 {
		s += " — " + strings.Join(extra, ", ")
	}
	if url != "" {
		s += " <" + url + ">"
	}
	return s
}
