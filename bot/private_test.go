package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"missionbot/answer"
	"missionbot/corpus"
	"missionbot/fetch"
	"missionbot/internal/fakediscord"
	"missionbot/library"
)

// failingAnswerer fails every question, like a broken model endpoint.
type failingAnswerer struct{}

func (failingAnswerer) Answer(context.Context, answer.Request) (answer.Answer, error) {
	return answer.Answer{}, errors.New("model endpoint exploded")
}

// TestBusyIsSaidPrivately: when every model slot is taken and the queue is
// full, /ask is refused with an ephemeral initial response, never with a
// public "thinking…" edited into "I'm busy" for the whole channel.
func TestBusyIsSaidPrivately(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	blocking := &fakeAnswerer{block: true}
	h := start(t, fake, func(o *Options) {
		o.Gate = NewGate(1, 0)
		o.Answerer = blocking
		o.ShutdownTimeout = 200 * time.Millisecond
	})
	first := h.ask(ordinary, "When did the Kenyan police arrive?", false)
	if _, err := fake.WaitCallback(first.ID, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first answer to hold the slot", func() bool { return len(blocking.requests()) == 1 })
	second := h.ask(moderator, "How many troops did Benin pledge?", false)
	cb, err := fake.WaitCallback(second.ID, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Content string `json:"content"`
		Flags   int    `json:"flags"`
	}
	_ = json.Unmarshal(cb.Data, &data)
	if cb.Type != 4 || data.Flags&64 == 0 || !strings.Contains(data.Content, "busy") {
		t.Errorf("busy reply: type %d, flags %d, content %q; want an ephemeral message (type 4, flag 64) saying busy", cb.Type, data.Flags, data.Content)
	}
	if fs := fake.Followups(second.Token); len(fs) != 0 {
		t.Errorf("follow-ups for the refused question: %+v", fs)
	}
}

// TestErrorAfterAPublicDeferralIsPrivate: an answer that fails after the
// public "thinking…" ends with an ephemeral follow-up for the asker and
// the placeholder removed.
func TestErrorAfterAPublicDeferralIsPrivate(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, func(o *Options) { o.Answerer = failingAnswerer{} })
	sent := h.ask(ordinary, "When did the Kenyan police arrive?", false)
	waitFor(t, "the follow-up", func() bool { return len(fake.Followups(sent.Token)) > 0 })
	h.shutdown()
	assertPrivateError(t, fake, sent, "Something went wrong")
}

// TestRefreshBusyIsPrivate: /refresh while another refresh runs says so
// to the moderator alone.
func TestRefreshBusyIsPrivate(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, func(o *Options) { o.Library = &fakeLibrary{err: library.ErrBusy} })
	sent := h.command(moderator, "refresh")
	waitFor(t, "the follow-up", func() bool { return len(fake.Followups(sent.Token)) > 0 })
	h.shutdown()
	assertPrivateError(t, fake, sent, "already running")
}

func TestGateReservation(t *testing.T) {
	ctx := context.Background()
	g := NewGate(1, 1)
	running, err := g.Reserve()
	if err != nil {
		t.Fatal(err)
	}
	queued, err := g.Reserve()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Reserve(); !errors.Is(err, ErrBusy) {
		t.Fatalf("third Reserve = %v, want ErrBusy", err)
	}
	if _, err := g.Acquire(ctx); !errors.Is(err, ErrBusy) {
		t.Fatalf("Acquire beside two reservations = %v, want ErrBusy", err)
	}
	release, err := g.Acquire(withReservation(ctx, running))
	if err != nil {
		t.Fatal(err)
	}
	running.Cancel() // used: a no-op
	got := make(chan error, 1)
	go func() {
		rel, err := g.Acquire(withReservation(ctx, queued))
		if err == nil {
			rel()
		}
		got <- err
	}()
	release()
	if err := <-got; err != nil {
		t.Fatalf("queued reservation: %v", err)
	}
	if r, q := g.InFlight(); r != 0 || q != 0 {
		t.Fatalf("after use: %d running, %d queued", r, q)
	}
	unused, _ := g.Reserve()
	unused.Cancel()
	unused.Cancel()
	var none *Reservation
	none.Cancel()
	if r, q := g.InFlight(); r != 0 || q != 0 {
		t.Errorf("a cancelled reservation kept its place: %d running, %d queued", r, q)
	}
}

// TestRefreshReportsTheWholeTime: the refresh message gives the time the
// moderator waited, not the index's own share (which is near zero when
// loading took the time and nothing needed embedding).
func TestRefreshReportsTheWholeTime(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, func(o *Options) {
		o.Library = &fakeLibrary{steps: 6, pause: 100 * time.Millisecond, took: 20 * time.Millisecond}
	})
	sent := h.command(moderator, "refresh")
	msg, err := fake.WaitOriginalContains(sent.Token, "Refresh done", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// The refresh takes 6 × 100 ms; under load it may take longer, never
	// less, while the index's own figure says 20 ms.
	var secs float64
	if _, err := fmt.Sscanf(msg.Content[strings.Index(msg.Content, "Refresh done in "):], "Refresh done in %g s", &secs); err != nil || secs < 0.55 {
		t.Errorf("refresh message %q, want at least 0.6 s (%v)", msg.Content, err)
	}
}

// TestAutocompleteWithoutMatchesSendsEmptyChoices: "nothing matches" is
// choices: [], in gateway mode and from the HTTP endpoint; without the
// field Discord shows "Loading options failed".
func TestAutocompleteWithoutMatchesSendsEmptyChoices(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	start(t, fake, nil)
	sent, err := fake.Interact(fakediscord.Interaction{Type: 4, Name: "remove-source", Member: moderator,
		Options: []fakediscord.Option{{Name: "document", Type: 3, Value: "zzz-nothing", Focused: true}}})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := fake.WaitCallback(sent.ID, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Type != 8 || string(cb.Data) != `{"choices":[]}` {
		t.Errorf("autocomplete callback type %d data %s, want type 8 with choices: []", cb.Type, cb.Data)
	}
	for _, i := range []*discordgo.Interaction{{Type: discordgo.InteractionApplicationCommandAutocomplete}} {
		if got := string(standIn(i, false)); got != `{"type":8,"data":{"choices":[]}}` {
			t.Errorf("endpoint stand-in %s, want choices: []", got)
		}
	}
}

// TestRemoveSourceOffersFilesThatFailedToIndex: a saved file that did not
// load is not a source, but /remove-source must still suggest and remove
// it.
func TestRemoveSourceOffersFilesThatFailedToIndex(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	start(t, fake, func(o *Options) {
		lib := o.Library.(*fakeLibrary)
		lib.writable = true
		lib.files = []corpus.Meta{{DocID: "001.txt"}, {DocID: "002.txt"}, {DocID: "scan.pdf", Title: "Scanned report"}}
	})
	sent, err := fake.Interact(fakediscord.Interaction{Type: 4, Name: "remove-source", Member: moderator,
		Options: []fakediscord.Option{{Name: "document", Type: 3, Value: "scan", Focused: true}}})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := fake.WaitCallback(sent.ID, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Choices []struct{ Name, Value string } `json:"choices"`
	}
	if err := json.Unmarshal(cb.Data, &data); err != nil {
		t.Fatal(err)
	}
	if len(data.Choices) != 1 || data.Choices[0].Value != "scan.pdf" || !strings.Contains(data.Choices[0].Name, "not indexed") {
		t.Fatalf("choices %+v, want scan.pdf marked as not indexed", data.Choices)
	}
	sent, err = fake.Interact(fakediscord.Interaction{Name: "remove-source", Member: moderator,
		Options: []fakediscord.Option{{Name: "document", Type: 3, Value: "scan.pdf"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitOriginalContains(sent.Token, "Removed", 5*time.Second); err != nil {
		t.Errorf("removing a file that is not indexed: %v", err)
	}
}

// TestSlowSiteIsNotBlamedOnTheQuestion: a fetch that times out says the
// site was slow, not "perhaps with a narrower question".
func TestSlowSiteIsNotBlamedOnTheQuestion(t *testing.T) {
	err := fmt.Errorf("add source: fetch: %w", &fetch.Error{Kind: fetch.ErrTimeout, Detail: "limit 20s", Err: context.DeadlineExceeded})
	msg, ref := ErrorMessage(err)
	if strings.Contains(msg, "narrower question") || !strings.Contains(msg, "20s") || ref != "" {
		t.Errorf("timeout message %q (ref %q), want the site's slowness and the limit", msg, ref)
	}
}

// TestShutdownWhileTheGatewayWithholdsReady: a gateway that sends Hello
// but never READY must not keep the bot from stopping.
func TestShutdownWhileTheGatewayWithholdsReady(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{WithholdReady: true})
	b, err := New(Options{Token: fake.Token(), APIURL: fake.URL(), Answerer: newFakeAnswerer(), Library: &fakeLibrary{}, ShutdownTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	waitFor(t, "Identify", func() bool { n, _ := fake.GatewayCounts(); return n > 0 })
	if b.Connected() {
		t.Error("connected without READY")
	}
	stopped := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
		if took := time.Since(stopped); took > 5*time.Second {
			t.Errorf("Run took %s to stop", took)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run ignored its context while the gateway withheld READY")
	}
}
