package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one subcommand: how it is called, what it does, and its
// entry point.
type command struct {
	name string
	// args follows the name in the usage line, e.g. "[--json] QUESTION".
	args    string
	summary string
	run     func(e *environment, ctx context.Context, args []string) error
}

// commands lists every subcommand in one place, in the order usage shows
// them.
func commands() []command {
	return []command{
		{"ask", "[--json] [--k N] [--history FILE] QUESTION", "answer one question with numbered citations", (*environment).ask},
		{"chat", "", "interactive session with memory", (*environment).chat},
		{"ingest", "[--rebuild]", "build or refresh the index", (*environment).ingest},
		{"sources", "[--json]", "list the indexed documents", (*environment).sources},
		{"eval", "--file F [--k N] [--corpus DIR] [--json]", "score a question set", (*environment).eval},
		{"serve", "[--http ADDR]", "run the Discord bot", (*environment).serve},
		{"health", "[--addr ADDR]", "check a running server's /healthz", (*environment).health},
	}
}

// lookup returns the command called name.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// usage is the program's usage text.
func usage() string {
	var b strings.Builder
	b.WriteString("missionbot answers questions about the MSS mission in Haiti from a news corpus.\n\nUsage:\n")
	for _, c := range commands() {
		line := c.name
		if c.args != "" {
			line += " " + c.args
		}
		fmt.Fprintf(&b, "  missionbot %-52s %s\n", line, c.summary)
	}
	fmt.Fprintf(&b, "  missionbot %-52s %s\n", "help COMMAND", "show a command's usage and flags")
	b.WriteString("\nConfiguration comes from environment variables; see README.md.\n")
	return b.String()
}

// errHelpShown ends a command that printed its usage because it was asked
// to (--help, -h, or `missionbot help COMMAND`): the program exits 0.
var errHelpShown = errors.New("help shown")

// newFlagSet returns the flag set of command name. The flag package's own
// messages are silenced: parseArgs reports errors as usage errors and
// prints the usage itself when asked for it.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses args with fs, flags before or after the positional
// arguments ("ask 'question' --json" sets --json; "--" ends the flags, so
// "ask -- -5 degrees?" asks about "-5 degrees?"), and returns the
// positional arguments. On --help it writes the command's usage to
// e.stdout and returns errHelpShown; a bad flag is a usage error that
// points at --help.
func (e *environment) parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			e.printUsage(fs)
			return nil, errHelpShown
		}
		if err != nil {
			return nil, usagef("%s: %v (see `missionbot %s --help`)", fs.Name(), err, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// Parse stops at the first argument that is not a flag, or after
		// a "--" that it consumed.
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// printUsage writes the usage of fs's command to stdout.
func (e *environment) printUsage(fs *flag.FlagSet) {
	c, _ := lookup(fs.Name())
	line := c.name
	if c.args != "" {
		line += " " + c.args
	}
	fmt.Fprintf(e.stdout, "Usage: missionbot %s\n\n%s.\n", line, strings.ToUpper(c.summary[:1])+c.summary[1:])
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(e.stdout, "\nFlags:")
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

// noArgs rejects positional arguments for a command that takes none.
func noArgs(name string, args []string) error {
	if len(args) > 0 {
		return usagef("%s: unexpected argument %q", name, args[0])
	}
	return nil
}
