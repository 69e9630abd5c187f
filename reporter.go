package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"missionbot/retrieval"
)

// reporter tells the person running a command what the index is doing:
// notes, warnings and summaries as plain lines, and on a terminal a
// progress bar for loading and embedding. For serve, whose stderr is a
// log stream, it writes log records instead, so each message appears once
// and in one format. Its methods are safe for concurrent use.
type reporter struct {
	w    io.Writer
	live bool         // draw a progress bar: w is a terminal
	log  *slog.Logger // when set, notes and warnings are logged instead

	mu    sync.Mutex // guards drawn
	drawn bool       // a bar is on the current line
}

// newReporter returns the reporter for e's stderr; with log set, it logs.
func (e *environment) newReporter(log *slog.Logger) *reporter {
	return &reporter{w: e.stderr, live: log == nil && isTerminal(e.stderr), log: log}
}

// note shows one line of news.
func (r *reporter) note(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.log != nil {
		r.log.Info(msg)
		return
	}
	r.endLine()
	fmt.Fprintln(r.w, msg)
}

// warnings shows each loading warning once.
func (r *reporter) warnings(ws []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endLine()
	for _, w := range ws {
		if r.log != nil {
			r.log.Warn("corpus file skipped", "warning", w)
		} else {
			fmt.Fprintln(r.w, "warning:", w)
		}
	}
}

// update draws "[#####.....] 120/480 files loaded" while documents are
// read, then "[#####.....] 120/480 chunks embedded".
func (r *reporter) update(p retrieval.Progress) {
	switch p.Stage {
	case retrieval.StageLoading:
		r.draw(p.Loaded, p.ToLoad, "files loaded")
	case retrieval.StageEmbedding:
		r.draw(p.Embedded, p.Total, "chunks embedded")
	}
}

func (r *reporter) draw(n, total int, what string) {
	if !r.live || total == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	const width = 30
	filled := width * min(n, total) / total
	fmt.Fprintf(r.w, "\r[%s%s] %d/%d %s\x1b[K", strings.Repeat("#", filled), strings.Repeat(".", width-filled), n, total, what)
	r.drawn = true
}

// done ends a bar's line.
func (r *reporter) done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endLine()
}

// endLine ends the bar's line if one is drawn; the caller holds mu.
func (r *reporter) endLine() {
	if r.drawn {
		fmt.Fprintln(r.w)
		r.drawn = false
	}
}
