package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"missionbot/internal/fakediscord"
)

// TestServeAnswersFromTheCorpus runs the real `serve` command, wired as in
// production (index, store, extractive answerer), against a Discord fake.
func TestServeAnswersFromTheCorpus(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	dataDir := t.TempDir()
	env := map[string]string{
		"DISCORD_TOKEN":       fake.Token(),
		"DISCORD_API_URL":     fake.URL(),
		"MISSIONBOT_DATA_DIR": dataDir,
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &bytes.Buffer{}, &stderr)
	}()
	if err := fake.WaitConnected(10 * time.Second); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	member := &fakediscord.Member{User: fakediscord.User{ID: "300000000000000001", Username: "member"}}
	sent, err := fake.Interact(fakediscord.Interaction{
		Name:    "ask",
		Options: []fakediscord.Option{{Name: "question", Type: 3, Value: "How many troops did Benin pledge to the mission?"}},
		Member:  member,
	})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := fake.WaitOriginal(sent.Token, 10*time.Second, func(m fakediscord.Message) bool {
		return m.Contains("2,000") && len(m.Embeds) > 0
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !msg.Contains("US Declines to Deploy Troops") {
		t.Errorf("sources embed does not name the cited document: %s", msg.Embeds)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after cancellation")
	}
	if strings.Contains(stderr.String(), fake.Token()) {
		t.Error("the Discord token reached the log")
	}
	for _, name := range []string{"missionbot.db", "user-salt"} {
		if _, err := os.Stat(filepath.Join(dataDir, name)); err != nil {
			t.Errorf("%s not created: %v", name, err)
		}
	}
}
