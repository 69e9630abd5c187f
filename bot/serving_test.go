package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"missionbot/corpus"
	"missionbot/internal/fakediscord"
	"missionbot/retrieval"
)

// TestLateAckEditsTheStandIn: when the HTTP endpoint has already deferred
// on the handler's behalf, a message reply becomes an edit of the original
// and a deferral is a no-op, so the user still sees the answer.
func TestLateAckEditsTheStandIn(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, nil)
	sent, body, err := fake.Payload(fakediscord.Interaction{Name: "about", Member: ordinary})
	if err != nil {
		t.Fatal(err)
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		t.Fatal(err)
	}
	// The endpoint's stand-in deferral, as Discord records it.
	fake.Acknowledge(sent, []byte(`{"type":5,"data":{"allowed_mentions":{"parse":[]}}}`))
	late := func(*discordgo.InteractionResponse) error { return ErrAlreadyAcknowledged }
	h.bot.HandleInteraction(context.Background(), &i, late)
	msg, ok := fake.Original(sent.Token)
	if !ok || !msg.Contains("Multinational Security Support") {
		t.Fatalf("the late /about reply did not reach the original response: %+v", msg)
	}
}

// TestConnectedFollowsTheGateway: /readyz relies on Connected, which must
// be true while the gateway session is up, false when it drops and again
// true once it resumes, and false after shutdown.
func TestConnectedFollowsTheGateway(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, nil)
	waitFor := func(want bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for h.bot.Connected() != want && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if h.bot.Connected() != want {
			t.Fatalf("Connected() = %v, want %v", !want, want)
		}
	}
	waitFor(true)
	fake.DropConnection()
	if err := fake.WaitConnected(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	waitFor(true)
	h.shutdown()
	if h.bot.Connected() {
		t.Error("Connected() is true after shutdown")
	}
}

// TestAboutNamesFoldedCopies: /about says which documents were folded into
// which, so a copy never leaves the corpus unsaid.
func TestAboutNamesFoldedCopies(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, nil)
	h.lib.folds = []retrieval.Fold{{Copy: corpus.Meta{DocID: "copy_story.html"}, Into: corpus.Meta{DocID: "kept_story.txt"}}}
	sent := h.command(ordinary, "about")
	cb, err := fake.WaitCallback(sent.ID, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal(cb.Data, &d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Content, `copy\_story.html → kept\_story.txt`) {
		t.Errorf("/about does not name the fold: %q", d.Content)
	}
}
