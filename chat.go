package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"missionbot/answer"
)

// maxChatHistory is how many earlier turns a chat question carries.
const maxChatHistory = 6

func (e *environment) chat(ctx context.Context, args []string) error {
	rest, err := e.parseArgs(newFlagSet("chat"), args)
	if err != nil {
		return err
	}
	if err := noArgs("chat", rest); err != nil {
		return err
	}
	cfg, err := e.config()
	if err != nil {
		return usagef("%v", err)
	}
	_, ans, err := openAnswerer(ctx, cfg, e.reportLogger(cfg), readIndex, "chat", e.newReporter(nil))
	if err != nil {
		return err
	}
	live := isTerminal(e.stdout) && cfg.ChatModel != ""
	fmt.Fprintf(e.stdout, "Ask about the MSS mission in Haiti (%s mode). Follow-up questions use the conversation; /new starts over, /quit or Ctrl-D leaves.\n", cfg.Mode())
	var history []answer.Turn
	in := bufio.NewScanner(e.stdin)
	in.Buffer(make([]byte, 0, 4096), 1<<20)
	for {
		fmt.Fprint(e.stdout, "\n> ")
		if !in.Scan() {
			fmt.Fprintln(e.stdout)
			return in.Err()
		}
		q := strings.TrimSpace(in.Text())
		switch q {
		case "":
			continue
		case "/quit", "/exit":
			return nil
		case "/new":
			history = nil
			fmt.Fprintln(e.stdout, "New conversation.")
			continue
		}
		if err := answer.ValidateQuestion(q); err != nil {
			fmt.Fprintln(e.stdout, strings.TrimPrefix(err.Error(), answer.ErrInvalidQuestion.Error()+": "))
			continue
		}
		req := answer.Request{Question: q, History: history, K: cfg.K}
		if live {
			req.OnDelta = func(d string) { fmt.Fprint(e.stdout, d) }
		}
		a, err := ans.Answer(ctx, req)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil
			}
			fmt.Fprintf(e.stdout, "Sorry, that failed: %v\n", err)
			continue
		}
		if live {
			fmt.Fprint(e.stdout, "\n\n")
		}
		printAnswer(e.stdout, a)
		history = append(history, answer.Turn{Question: q, Answer: a.Text})
		if len(history) > maxChatHistory {
			history = history[len(history)-maxChatHistory:]
		}
	}
}
