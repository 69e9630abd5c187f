// Command missionbot answers questions about the Kenya-led Multinational
// Security Support mission in Haiti from a corpus of news documents, with
// numbered citations: on the command line, in an interactive chat, or as a
// Discord bot.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `missionbot answers questions about the MSS mission in Haiti from a news corpus.

Usage:
  missionbot ask [--json] [--k N] [--history FILE] QUESTION
  missionbot chat                      interactive session with memory
  missionbot ingest [--rebuild]        build or refresh the index
  missionbot sources [--json]          list the indexed documents
  missionbot eval --file F [--k N] [--json]
  missionbot serve [--http ADDR]       run the Discord bot
  missionbot health [--addr ADDR]      check a running server's /healthz

Configuration comes from environment variables; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "missionbot:", err)
		os.Exit(exitCode(err))
	}
}

// usageError marks a mistake in how the program was called: it exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// run is the whole program, callable in-process by tests.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usagef("no command given")
	}
	env := &environment{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "ask":
		return env.ask(ctx, rest)
	case "chat":
		return env.chat(ctx, rest)
	case "ingest":
		return env.ingest(ctx, rest)
	case "sources":
		return env.sources(ctx, rest)
	case "eval":
		return env.eval(ctx, rest)
	case "serve":
		return env.serve(ctx, rest)
	case "health":
		return env.health(ctx, rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usagef("unknown command %q", cmd)
}
