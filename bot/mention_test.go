package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"missionbot/answer"
	"missionbot/internal/fakediscord"
)

// waitRequests waits until the answerer has had n requests.
func (h *harness) waitRequests(n int) []answer.Request {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(h.ans.requests()) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	reqs := h.ans.requests()
	if len(reqs) < n {
		h.t.Fatalf("answerer had %d requests, want %d", len(reqs), n)
	}
	return reqs
}

// settle gives the bot time to (wrongly) act on a message, then reports
// how many questions it has answered and how many messages it has posted in
// channel.
func (h *harness) settle(channel string) (requests, posted int) {
	time.Sleep(300 * time.Millisecond)
	return len(h.ans.requests()), len(h.fake.ChannelMessages(channel))
}

var asker = fakediscord.User{ID: "500000000000000003", Username: "asker"}

// TestFailedThreadIsNotAConversation: when the bot cannot start a thread,
// it answers the mention in the channel once, and the channel does not
// become a conversation: later messages there that do not mention the bot
// are not answered, even when turns were kept under the channel's ID by an
// older version and the bot has restarted since.
func TestFailedThreadIsNotAConversation(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	fake.Inject(func(method, path string) bool {
		return method == http.MethodPost && strings.HasSuffix(path, "/threads")
	}, fakediscord.Fault{Status: http.StatusForbidden, Code: 50001, Message: "Missing Access"})
	h := start(t, fake, nil)
	if _, err := fake.PostMessage(fakediscord.ChannelID, asker, "<@"+fake.AppID()+"> when did the Kenyan police arrive?", true); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitChannelMessage(fakediscord.ChannelID, 5*time.Second, isFinal); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the turn, if any, is saved after the final edit
	if turns, _ := h.store.History(context.Background(), fakediscord.ChannelID, 10); len(turns) != 0 {
		t.Errorf("a turn was kept under the channel's ID: %+v", turns)
	}
	// As an older version left it: a turn under the channel's ID.
	if err := h.store.AppendTurn(context.Background(), fakediscord.ChannelID, answer.Turn{Question: "q", Answer: "a"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, before := h.settle(fakediscord.ChannelID)
	if _, err := fake.PostMessage(fakediscord.ChannelID, asker, "lol anyone up for lunch?", false); err != nil {
		t.Fatal(err)
	}
	if n, posted := h.settle(fakediscord.ChannelID); n != 1 || posted != before {
		t.Errorf("chatter in the channel was answered: %d questions, %d messages (want 1, %d)", n, posted, before)
	}
	// A mention in the channel still gets its answer.
	if _, err := fake.PostMessage(fakediscord.ChannelID, asker, "<@"+fake.AppID()+"> and how many?", true); err != nil {
		t.Fatal(err)
	}
	if reqs := h.waitRequests(2); len(reqs[1].History) != 0 {
		t.Errorf("a mention in a channel was given the channel's old turns as history: %+v", reqs[1].History)
	}
}

// TestEmptyAndSystemMessagesAreIgnored: in a thread the bot started,
// messages without text (what Discord sends for messages that do not
// mention the bot when the Message Content intent is not granted) and
// system messages such as pins get no reply, not even the help text.
func TestEmptyAndSystemMessagesAreIgnored(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, nil)
	first, err := fake.PostMessage(fakediscord.ChannelID, asker, "<@"+fake.AppID()+"> when did the Kenyan police arrive?", true)
	if err != nil {
		t.Fatal(err)
	}
	thread := first.ID
	if _, err := fake.WaitChannelMessage(thread, 5*time.Second, isFinal); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	_, before := h.settle(thread)
	for _, ev := range []fakediscord.MessageEvent{
		{ChannelID: thread, Author: asker, Content: ""},
		{ChannelID: thread, Author: asker, Content: "   "},
		{ChannelID: thread, Author: asker, Type: 6},                               // a pin notice
		{ChannelID: thread, Author: asker, Type: 7, Content: "joined"},            // a member joined
		{ChannelID: thread, Author: asker, Type: 18, Content: "started a thread"}, // a thread notice
		{ChannelID: thread, Author: asker, Type: 6, Content: "<@" + fake.AppID() + ">", MentionBot: true},
	} {
		if _, err := fake.Post(ev); err != nil {
			t.Fatal(err)
		}
	}
	if n, posted := h.settle(thread); n != 1 || posted != before {
		t.Errorf("empty or system messages were answered: %d questions, %d messages in the thread (want 1, %d)", n, posted, before)
	}
}

// TestFollowUpInAnotherUsersThreadIsNotAConversation: turns are never
// kept for threads the bot did not start, so chatter there is ignored.
func TestFollowUpInAnotherUsersThreadIsNotAConversation(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	fake.Inject(func(method, path string) bool {
		return method == http.MethodPost && strings.HasSuffix(path, "/threads")
	}, fakediscord.Fault{Status: http.StatusBadRequest, Code: 160004, Message: "A thread has already been created for this message"})
	h := start(t, fake, nil)
	const theirs = "400000000000000099"
	fake.AddThread(theirs, fakediscord.ChannelID)
	if _, err := fake.PostMessage(theirs, asker, "<@"+fake.AppID()+"> when did the Kenyan police arrive?", true); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitChannelMessage(theirs, 5*time.Second, isFinal); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.PostMessage(theirs, asker, "thanks!", false); err != nil {
		t.Fatal(err)
	}
	if n, _ := h.settle(theirs); n != 1 {
		t.Errorf("chatter in someone else's thread was answered (%d questions)", n)
	}
}

func TestMentionsAreStrippedFromTheQuestion(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, nil)
	const want = "when did the Kenyan police arrive?"
	if _, err := fake.PostMessage(fakediscord.ChannelID, asker, "<@"+fake.AppID()+"> <@123> <@!124> "+want+" <@&456> <#789>", true); err != nil {
		t.Fatal(err)
	}
	if reqs := h.waitRequests(1); reqs[0].Question != want {
		t.Errorf("mention question %q, want %q", reqs[0].Question, want)
	}
	h.ask(ordinary, "<@&456> "+want+" <#789>", false)
	if reqs := h.waitRequests(2); reqs[1].Question != want {
		t.Errorf("/ask question %q, want %q", reqs[1].Question, want)
	}
}

func TestStripMentions(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<@123> <@!123> <@&456> <#789> how many troops?", "how many troops?"},
		{"how many\n<@&1>troops?", "how many troops?"},
		{"email me@example.com <not a mention>", "email me@example.com <not a mention>"},
	}
	for _, tc := range tests {
		if got := stripMentions(tc.in); got != tc.want {
			t.Errorf("stripMentions(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
