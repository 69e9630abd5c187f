package bot

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"missionbot/internal/fakediscord"
)

// logBuffer collects log output from several goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer // guarded by mu
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRedactorText(t *testing.T) {
	r := redactor{base: "http://127.0.0.1:8080"}
	tests := []struct{ in, want string }{
		{`Patch "https://discord.com/api/v9/webhooks/123/aW50ZXJhY3Rpb246MTIz.abc-_x/messages/@original": EOF`,
			`Patch "http://127.0.0.1:8080/api/v9/webhooks/123/<token>/messages/@original": EOF`},
		{`Post "https://discord.com/api/v9/interactions/456/tok.en/callback": dial tcp: connection refused`,
			`Post "http://127.0.0.1:8080/api/v9/interactions/456/<token>/callback": dial tcp: connection refused`},
		{`Post "https://discord.com/api/v9/webhooks/123/aW50?wait=true": EOF`, `Post "http://127.0.0.1:8080/api/v9/webhooks/123/<token>?wait=true": EOF`},
		{"HTTP 404 Not Found, {\"message\": \"Unknown Webhook\"}", "HTTP 404 Not Found, {\"message\": \"Unknown Webhook\"}"},
	}
	for _, tc := range tests {
		if got := r.text(tc.in); got != tc.want {
			t.Errorf("text(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
	if got := (redactor{base: "https://discord.com"}).text("https://discord.com/api/v9/users/@me"); got != "https://discord.com/api/v9/users/@me" {
		t.Errorf("the real API base was rewritten: %q", got)
	}
	inner := &url.Error{Op: "Patch", URL: "https://discord.com/api/v9/webhooks/1/secret/messages/@original", Err: errors.New("EOF")}
	err := r.error(fmt.Errorf("wrapped: %w", inner))
	var ue *url.Error
	if !errors.As(err, &ue) || strings.Contains(err.Error(), "secret") || r.error(nil) != nil {
		t.Errorf("error() = %v; want the chain kept and the token gone", err)
	}
}

// TestFailingWebhookEditLeaksNoToken: when every edit of an interaction's
// response fails at the transport, Go's *url.Error carries the webhook URL
// with the interaction token; no log line may contain it, nor the
// discord.com host the bot never contacted.
func TestFailingWebhookEditLeaksNoToken(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	fake.Inject(func(method, path string) bool { return strings.HasPrefix(path, "/webhooks/") }, fakediscord.Fault{Drop: true})
	logs := &logBuffer{}
	h := start(t, fake, func(o *Options) {
		o.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	sent := h.ask(ordinary, "When did the first Kenyan police arrive?", false)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), `"msg":"interaction"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no interaction log line\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.shutdown()
	out := logs.String()
	if !strings.Contains(out, "webhooks") {
		t.Fatalf("the failed edits were not logged at all, so the test proves nothing:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, sent.Token) {
			t.Errorf("interaction token in a log line: %s", line)
		}
		if strings.Contains(line, "discord.com") {
			t.Errorf("log line names discord.com, which the bot never contacted: %s", line)
		}
	}
}
