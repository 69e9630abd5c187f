package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"missionbot/answer"
	"missionbot/internal/fakediscord"
	"missionbot/store"
)

// downStore is a working store whose database can be taken away: while
// down, writes fail as store/postgres's do when the server is gone.
type downStore struct {
	Store
	down atomic.Bool
}

func (s *downStore) unavailable(op string) error {
	return fmt.Errorf("%s (not recorded): %w: dial tcp 127.0.0.1:5432: connection refused", op, store.ErrUnavailable)
}

func (s *downStore) SaveAnswer(ctx context.Context, r store.AnswerRecord) (int64, error) {
	if s.down.Load() {
		return 0, s.unavailable("save answer")
	}
	return s.Store.SaveAnswer(ctx, r)
}

func (s *downStore) Vote(ctx context.Context, id int64, user string, up bool, at time.Time) error {
	if s.down.Load() {
		return s.unavailable("vote")
	}
	return s.Store.Vote(ctx, id, user, up, at)
}

func (s *downStore) AppendTurn(ctx context.Context, thread string, t answer.Turn, at time.Time) error {
	if s.down.Load() {
		return s.unavailable("append turn")
	}
	return s.Store.AppendTurn(ctx, thread, t, at)
}

// TestDatabaseDownMidRun: with the database gone, questions are still
// answered; a vote is refused with a message saying it wasn't recorded;
// a thread answer says its turn wasn't saved; the log says what was lost.
func TestDatabaseDownMidRun(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	var ds *downStore
	var logs syncLog
	h := start(t, fake, func(o *Options) {
		ds = &downStore{Store: o.Store}
		o.Store = ds
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	// An answer from while the database was up, with its buttons.
	sent := h.ask(ordinary, "When did the Kenyan police arrive?", false)
	msg, err := fake.WaitOriginal(sent.Token, 5*time.Second, func(m fakediscord.Message) bool {
		return strings.Contains(string(m.Components), "fb:up:")
	})
	if err != nil {
		t.Fatal(err)
	}
	up := customID(t, msg.Components, "fb:up:")

	ds.down.Store(true)
	sent2 := h.ask(ordinary, "When did the Kenyan police arrive?", false)
	msg2, err := fake.WaitOriginal(sent2.Token, 5*time.Second, isFinal)
	if err != nil {
		t.Fatalf("no answer while the database is down: %v", err)
	}
	if strings.Contains(string(msg2.Components), "fb:") {
		t.Errorf("an unrecorded answer offers feedback buttons: %s", msg2.Components)
	}

	click, err := fake.Interact(fakediscord.Interaction{Type: 3, CustomID: up, Member: moderator, MessageToken: sent.Token})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := fake.WaitCallback(click.ID, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cb.Data), "wasn't recorded") || strings.Contains(string(cb.Data), "Thanks") {
		t.Errorf("vote reply while the database is down = %s, want it to say the vote wasn't recorded", cb.Data)
	}

	author := fakediscord.User{ID: "500000000000000003", Username: "asker"}
	first, err := fake.PostMessage(fakediscord.ChannelID, author, "<@"+fake.AppID()+"> when did the Kenyan police arrive?", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitChannelMessage(first.ID, 5*time.Second, isFinal); err != nil {
		t.Fatalf("mention not answered while the database is down: %v", err)
	}
	if _, err := fake.WaitChannelMessage(first.ID, 5*time.Second, func(m fakediscord.Message) bool {
		return m.Contains("couldn't save this exchange")
	}); err != nil {
		t.Errorf("the thread is not told its turn was not saved: %v", err)
	}
	h.shutdown()
	for _, want := range []string{"answer not recorded", "thread turn not recorded", "vote (not recorded)"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

// customID finds the custom id of the button starting with prefix.
func customID(t *testing.T, components json.RawMessage, prefix string) string {
	t.Helper()
	var rows []struct {
		Components []struct {
			CustomID string `json:"custom_id"`
		} `json:"components"`
	}
	if err := json.Unmarshal(components, &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		for _, c := range r.Components {
			if strings.HasPrefix(c.CustomID, prefix) {
				return c.CustomID
			}
		}
	}
	t.Fatalf("no %s button in %s", prefix, components)
	return ""
}
