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
		fmt.Fprint(stderr, usage())
		return usagef("no command given")
	}
	env := &environment{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "--help":
		if len(rest) == 0 {
			fmt.Fprint(stdout, usage())
			return nil
		}
		// `help ask` is `ask --help`.
		name, rest = rest[0], []string{"--help"}
	}
	c, ok := lookup(name)
	if !ok {
		fmt.Fprint(stderr, usage())
		return usagef("unknown command %q", name)
	}
	if err := c.run(env, ctx, rest); !errors.Is(err, errHelpShown) {
		return err
	}
	return nil
}
