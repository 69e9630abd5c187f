package bot

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bwmarrin/discordgo"

	"missionbot/internal/fakediscord"
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
