package bot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// The endpoint's Handle option takes (*Bot).HandleInteraction as is.
var _ = InteractionsOptions{Handle: (*Bot)(nil).HandleInteraction}

// ixNow is the fixed clock of the endpoint tests.
var ixNow = time.Unix(1_800_000_000, 0)

// ixSecretToken stands for the interaction token, which must never be
// echoed in an error reply.
const ixSecretToken = "aW50ZXJhY3Rpb246c2VjcmV0LXRva2Vu"

// ixKeys returns a fresh Ed25519 key pair.
func ixKeys(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	return pub, priv
}

// ixRequest builds a POST signed as Discord signs: Ed25519 over the
// timestamp followed by the body, hex in X-Signature-Ed25519.
func ixRequest(priv ed25519.PrivateKey, at time.Time, body string) *http.Request {
	ts := strconv.FormatInt(at.Unix(), 10)
	r := httptest.NewRequest(http.MethodPost, "/interactions", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Signature-Timestamp", ts)
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, []byte(ts+body))))
	return r
}

// ixCommand is an /ask application command interaction.
func ixCommand(id string) string {
	return `{"id":"` + id + `","application_id":"app1","type":2,"token":"` + ixSecretToken + `",` +
		`"data":{"id":"cmd1","name":"ask","type":1,"options":[{"name":"question","type":3,"value":"Who leads the mission?"}]},` +
		`"member":{"user":{"id":"u1","username":"ann"}},"channel_id":"c1","guild_id":"g1"}`
}

// ixHandler builds the endpoint with the fixed clock and test defaults.
func ixHandler(t testing.TB, pub ed25519.PublicKey, handle func(context.Context, *discordgo.Interaction, Ack), opts ...func(*InteractionsOptions)) *Interactions {
	t.Helper()
	o := InteractionsOptions{PublicKey: pub, Handle: handle, Now: func() time.Time { return ixNow }, AckDeadline: 2 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	h, err := NewInteractionsHandler(o)
	if err != nil {
		t.Fatalf("NewInteractionsHandler: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Wait(ctx); err != nil {
			t.Errorf("handlers still running at cleanup: %v", err)
		}
	})
	return h
}

// ixDeferring acks every interaction with a deferred response.
func ixDeferring(_ context.Context, _ *discordgo.Interaction, ack Ack) {
	_ = ack(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
}

// ixReplyType decodes a reply's interaction response type, or fails.
func ixReplyType(t *testing.T, rec *httptest.ResponseRecorder) discordgo.InteractionResponseType {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	var r discordgo.InteractionResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("reply %q is not an interaction response: %v", rec.Body, err)
	}
	return r.Type
}

func TestInteractionsHandlerRequests(t *testing.T) {
	pub, priv := ixKeys(t)
	_, otherPriv := ixKeys(t)
	ping := `{"id":"p1","application_id":"app1","type":1,"token":"` + ixSecretToken + `","version":1}`
	tests := []struct {
		name     string
		req      func() *http.Request
		wantCode int
		wantType discordgo.InteractionResponseType // checked on 200
	}{
		{"ping gets pong", func() *http.Request { return ixRequest(priv, ixNow, ping) }, 200, discordgo.InteractionResponsePong},
		{"command gets handler's ack", func() *http.Request { return ixRequest(priv, ixNow, ixCommand("i1")) }, 200, discordgo.InteractionResponseDeferredChannelMessageWithSource},
		{"slightly old timestamp", func() *http.Request { return ixRequest(priv, ixNow.Add(-4*time.Minute), ping) }, 200, discordgo.InteractionResponsePong},
		{"signed by another key", func() *http.Request { return ixRequest(otherPriv, ixNow, ping) }, 401, 0},
		{"body changed after signing", func() *http.Request {
			r := ixRequest(priv, ixNow, ping)
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(ping, `"p1"`, `"p2"`, 1)))
			return r
		}, 401, 0},
		{"timestamp changed after signing", func() *http.Request {
			r := ixRequest(priv, ixNow, ping)
			r.Header.Set("X-Signature-Timestamp", strconv.FormatInt(ixNow.Unix()-1, 10))
			return r
		}, 401, 0},
		{"signature not hex", func() *http.Request {
			r := ixRequest(priv, ixNow, ping)
			r.Header.Set("X-Signature-Ed25519", "zz"+r.Header.Get("X-Signature-Ed25519")[2:])
			return r
		}, 401, 0},
		{"signature truncated", func() *http.Request {
			r := ixRequest(priv, ixNow, ping)
			r.Header.Set("X-Signature-Ed25519", r.Header.Get("X-Signature-Ed25519")[:64])
			return r
		}, 401, 0},
		{"missing signature", func() *http.Request {
			r := ixRequest(priv, ixNow, ping)
			r.Header.Del("X-Signature-Ed25519")
			return r
		}, 401, 0},
		{"missing timestamp", func() *http.Request {
			r := ixRequest(priv, ixNow, ping)
			r.Header.Del("X-Signature-Timestamp")
			return r
		}, 401, 0},
		{"no headers", func() *http.Request {
			return httptest.NewRequest(http.MethodPost, "/interactions", strings.NewReader(ping))
		}, 401, 0},
		{"stale timestamp validly signed", func() *http.Request { return ixRequest(priv, ixNow.Add(-6*time.Minute), ping) }, 401, 0},
		{"future timestamp validly signed", func() *http.Request { return ixRequest(priv, ixNow.Add(6*time.Minute), ping) }, 401, 0},
		{"timestamp not a number", func() *http.Request {
			body := ping
			ts := "yesterday"
			r := httptest.NewRequest(http.MethodPost, "/interactions", strings.NewReader(body))
			r.Header.Set("X-Signature-Timestamp", ts)
			r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, []byte(ts+body))))
			return r
		}, 401, 0},
		{"oversize body", func() *http.Request {
			return ixRequest(priv, ixNow, `{"type":1,"pad":"`+strings.Repeat("x", 70<<10)+`"}`)
		}, 413, 0},
		{"GET", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/interactions", nil) }, 405, 0},
		{"invalid JSON validly signed", func() *http.Request { return ixRequest(priv, ixNow, `{"type":1,"token":"`+ixSecretToken+`"`) }, 400, 0},
		{"command without data", func() *http.Request {
			return ixRequest(priv, ixNow, `{"id":"x","type":2,"token":"`+ixSecretToken+`"}`)
		}, 400, 0},
		{"unknown interaction type", func() *http.Request { return ixRequest(priv, ixNow, `{"id":"x","type":42}`) }, 400, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := ixHandler(t, pub, ixDeferring)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, tc.req())
			if rec.Code != tc.wantCode {
				t.Fatalf("status %d (%q), want %d", rec.Code, rec.Body, tc.wantCode)
			}
			if tc.wantCode == http.StatusOK {
				if got := ixReplyType(t, rec); got != tc.wantType {
					t.Errorf("reply type %d, want %d", got, tc.wantType)
				}
				return
			}
			body := rec.Body.String()
			for _, secret := range []string{ixSecretToken, hex.EncodeToString(pub), "question"} {
				if strings.Contains(body, secret) {
					t.Errorf("error reply %q leaks %q", body, secret)
				}
			}
			if len(body) > 100 {
				t.Errorf("error reply is %d bytes; want a short fixed reason", len(body))
			}
		})
	}
}

func TestInteractionsHandlerReplayRefused(t *testing.T) {
	pub, priv := ixKeys(t)
	h := ixHandler(t, pub, ixDeferring)
	first := ixRequest(priv, ixNow, ixCommand("i1"))
	sig := first.Header.Get("X-Signature-Ed25519")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, first)
	if rec.Code != http.StatusOK {
		t.Fatalf("first delivery: %d", rec.Code)
	}
	for _, variant := range []string{sig, strings.ToUpper(sig)} {
		again := ixRequest(priv, ixNow, ixCommand("i1"))
		again.Header.Set("X-Signature-Ed25519", variant)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, again)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("replay with signature %.8s…: %d, want 401", variant, rec.Code)
		}
	}
}

func TestInteractionsHandlerRunsCommandInBackground(t *testing.T) {
	pub, priv := ixKeys(t)
	type seen struct {
		i        *discordgo.Interaction
		ackErr   error
		againErr error
		ctxErr   error
	}
	got := make(chan seen, 1)
	replied := make(chan struct{})
	parent, cancelParent := context.WithCancel(context.Background())
	defer cancelParent()
	handle := func(ctx context.Context, i *discordgo.Interaction, ack Ack) {
		var s seen
		s.i = i
		s.ackErr = ack(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}})
		<-replied // the HTTP exchange is over; the work goes on
		s.againErr = ack(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource})
		s.ctxErr = ctx.Err()
		got <- s
	}
	h := ixHandler(t, pub, handle, func(o *InteractionsOptions) { o.Context = parent })
	srv := httptest.NewServer(h)
	defer srv.Close()

	body := ixCommand("i42")
	req := ixRequest(priv, ixNow, body)
	out, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	out.Header = req.Header
	resp, err := srv.Client().Do(out)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	close(replied)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("reply %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var r discordgo.InteractionResponse
	if err := json.Unmarshal(reply, &r); err != nil {
		t.Fatalf("reply %q: %v", reply, err)
	}
	if r.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || r.Data == nil || r.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("reply %s, want the ephemeral deferred response the handler acked", reply)
	}

	s := <-got
	if s.i.ID != "i42" || s.i.Token != ixSecretToken || s.i.Type != discordgo.InteractionApplicationCommand {
		t.Errorf("handler got interaction %+v", s.i)
	}
	if d := s.i.ApplicationCommandData(); d.Name != "ask" || len(d.Options) != 1 || d.Options[0].StringValue() != "Who leads the mission?" {
		t.Errorf("handler got command data %+v", d)
	}
	if s.ackErr != nil {
		t.Errorf("first ack: %v", s.ackErr)
	}
	if !errors.Is(s.againErr, ErrAlreadyAcknowledged) {
		t.Errorf("second ack: %v, want ErrAlreadyAcknowledged", s.againErr)
	}
	if s.ctxErr != nil {
		t.Errorf("handler context ended with the HTTP request: %v", s.ctxErr)
	}
}

func TestInteractionsHandlerStandIns(t *testing.T) {
	pub, priv := ixKeys(t)
	autocomplete := `{"id":"a1","type":4,"token":"t","data":{"id":"cmd1","name":"source","type":1,"options":[{"name":"id","type":3,"value":"ken","focused":true}]}}`
	tests := []struct {
		name     string
		body     string
		handle   func(release <-chan struct{}) func(context.Context, *discordgo.Interaction, Ack)
		wantType discordgo.InteractionResponseType
		wantText string
	}{
		{"never acks: deferred", ixCommand("s1"), func(release <-chan struct{}) func(context.Context, *discordgo.Interaction, Ack) {
			return func(context.Context, *discordgo.Interaction, Ack) { <-release }
		}, discordgo.InteractionResponseDeferredChannelMessageWithSource, ""},
		{"autocomplete too slow: empty choices", autocomplete, func(release <-chan struct{}) func(context.Context, *discordgo.Interaction, Ack) {
			return func(context.Context, *discordgo.Interaction, Ack) { <-release }
		}, discordgo.InteractionApplicationCommandAutocompleteResult, ""},
		{"returns without ack: apology", ixCommand("s2"), func(<-chan struct{}) func(context.Context, *discordgo.Interaction, Ack) {
			return func(context.Context, *discordgo.Interaction, Ack) {}
		}, discordgo.InteractionResponseChannelMessageWithSource, "Internal error."},
		{"panics: apology, process lives", ixCommand("s3"), func(<-chan struct{}) func(context.Context, *discordgo.Interaction, Ack) {
			return func(context.Context, *discordgo.Interaction, Ack) { panic("boom") }
		}, discordgo.InteractionResponseChannelMessageWithSource, "Internal error."},
	}
	const deadline = 50 * time.Millisecond
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			release := make(chan struct{})
			h := ixHandler(t, pub, tc.handle(release), func(o *InteractionsOptions) { o.AckDeadline = deadline })
			defer close(release)
			rec := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(rec, ixRequest(priv, ixNow, tc.body))
			if took := time.Since(start); took > deadline+time.Second {
				t.Errorf("reply took %v with a %v deadline", took, deadline)
			}
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if got := ixReplyType(t, rec); got != tc.wantType {
				t.Errorf("reply type %d, want %d (%s)", got, tc.wantType, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tc.wantText) {
				t.Errorf("reply %s lacks %q", rec.Body, tc.wantText)
			}
		})
	}
}

func TestInteractionsHandlerLateAckIsRefused(t *testing.T) {
	pub, priv := ixKeys(t)
	late := make(chan error, 1)
	replied := make(chan struct{})
	h := ixHandler(t, pub, func(_ context.Context, _ *discordgo.Interaction, ack Ack) {
		<-replied
		late <- ack(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource})
	}, func(o *InteractionsOptions) { o.AckDeadline = 20 * time.Millisecond })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, ixRequest(priv, ixNow, ixCommand("l1")))
	close(replied)
	if got := ixReplyType(t, rec); got != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Errorf("reply type %d, want the endpoint's deferral", got)
	}
	if err := <-late; !errors.Is(err, ErrAlreadyAcknowledged) {
		t.Errorf("late ack: %v, want ErrAlreadyAcknowledged", err)
	}
}

func TestInteractionsHandlerWait(t *testing.T) {
	pub, priv := ixKeys(t)
	release := make(chan struct{})
	var mu sync.Mutex
	finished := 0
	h := ixHandler(t, pub, func(_ context.Context, _ *discordgo.Interaction, ack Ack) {
		ixDeferring(context.Background(), nil, ack)
		<-release
		mu.Lock()
		finished++
		mu.Unlock()
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, ixRequest(priv, ixNow, ixCommand("w1")))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}

	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := h.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait with a handler still running: %v, want deadline exceeded", err)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, ixRequest(priv, ixNow, ixCommand("w2")))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("interaction during shutdown: %d, want 503", rec.Code)
	}
	close(release)
	if err := h.Wait(context.Background()); err != nil {
		t.Errorf("Wait: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if finished != 1 {
		t.Errorf("%d handlers finished before Wait returned, want 1", finished)
	}
}

func TestNewInteractionsHandlerValidates(t *testing.T) {
	pub, _ := ixKeys(t)
	tests := []struct {
		name string
		opts InteractionsOptions
	}{
		{"no key", InteractionsOptions{Handle: ixDeferring}},
		{"short key", InteractionsOptions{PublicKey: pub[:16], Handle: ixDeferring}},
		{"no handler", InteractionsOptions{PublicKey: pub}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if h, err := NewInteractionsHandler(tc.opts); err == nil || h != nil {
				t.Errorf("NewInteractionsHandler = %v, %v; want an error", h, err)
			}
		})
	}
}

func TestParsePublicKey(t *testing.T) {
	pub, _ := ixKeys(t)
	good := hex.EncodeToString(pub)
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"lower hex", good, true},
		{"upper hex", strings.ToUpper(good), true},
		{"empty", "", false},
		{"too short", good[:62], false},
		{"not hex", "g" + good[1:], false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParsePublicKey(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("ParsePublicKey(%q) error %v, want ok=%v", tc.in, err, tc.ok)
			}
			if tc.ok && !bytes.Equal(k, pub) {
				t.Errorf("key %x, want %x", k, pub)
			}
			if err != nil && strings.Contains(err.Error(), tc.in) && tc.in != "" {
				t.Errorf("error %q echoes the input", err)
			}
		})
	}
}

// FuzzInteractionsHandler feeds arbitrary bodies and signature headers to
// the endpoint: it must never panic, and never answer 2xx to a request
// that is not correctly signed with a fresh timestamp.
func FuzzInteractionsHandler(f *testing.F) {
	pub, priv := ixKeys(f)
	f.Add([]byte(`{"type":1}`), "", "", true)
	f.Add([]byte(ixCommand("f1")), "00", "1800000000", false)
	f.Add([]byte(`{"type":4,"data":{"options":[{"type":3,"value":1}]}}`), "", "", true)
	f.Add([]byte(`{"type":3,"data":{"component_type":2,"custom_id":"vote:up"}}`), "", "", true)
	f.Add([]byte(`not json`), strings.Repeat("ab", 64), "-1", false)
	h := ixHandler(f, pub, ixDeferring, func(o *InteractionsOptions) { o.AckDeadline = 100 * time.Millisecond })
	f.Fuzz(func(t *testing.T, body []byte, sig, ts string, sign bool) {
		r := httptest.NewRequest(http.MethodPost, "/interactions", bytes.NewReader(body))
		if sign {
			ts = strconv.FormatInt(ixNow.Unix(), 10)
			sig = hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...)))
		}
		// Header values cannot carry control characters on the wire.
		r.Header["X-Signature-Ed25519"] = []string{sig}
		r.Header["X-Signature-Timestamp"] = []string{ts}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code >= 200 && rec.Code < 300 {
			if !sign {
				t.Fatalf("unsigned request got %d: %q", rec.Code, rec.Body)
			}
			var resp discordgo.InteractionResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || resp.Type == 0 {
				t.Fatalf("2xx reply %q is not an interaction response: %v", rec.Body, err)
			}
		}
	})
}
