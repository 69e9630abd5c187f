package bot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// ErrAlreadyAcknowledged is returned by the ack function of an HTTP
// interaction when the initial response has already been sent: by an
// earlier ack, or by the endpoint itself, which defers on the handler's
// behalf when no ack comes within InteractionsOptions.AckDeadline. A
// handler that sees it should continue by editing the original response.
var ErrAlreadyAcknowledged = errors.New("interaction already acknowledged")

// errAckAbandoned is returned by ack when the HTTP request ended (client
// gone) before any response could be written.
var errAckAbandoned = errors.New("interaction request ended before the response was written")

// Defaults for InteractionsOptions' zero values.
const (
	DefaultInteractionsMaxBody = 64 << 10
	DefaultInteractionsMaxSkew = 5 * time.Minute
	// DefaultAckDeadline leaves half a second of Discord's 3 s window for
	// the reply to travel.
	DefaultAckDeadline = 2500 * time.Millisecond
	// DefaultReplayTimeout bounds a check of a shared replay cache.
	DefaultReplayTimeout = time.Second
)

// InteractionsOptions configures the HTTP interactions endpoint. Only
// PublicKey and Handle are required.
type InteractionsOptions struct {
	// PublicKey is the application's Ed25519 public key (the Developer
	// Portal's "Public Key", decoded from hex with ParsePublicKey). Every
	// request must be signed with its private half.
	PublicKey ed25519.PublicKey
	// Handle handles one verified interaction other than PING, exactly as
	// in gateway mode: it calls ack once with the initial response (written
	// as the HTTP reply) and may keep working after that, editing the
	// response over REST. ctx derives from Context, not from the HTTP
	// request, so it outlives the reply. main wires (*Bot).HandleInteraction.
	Handle func(ctx context.Context, i *discordgo.Interaction, ack Ack)
	// MaxBodyBytes caps a request body; larger requests get 413. Zero means
	// DefaultInteractionsMaxBody.
	MaxBodyBytes int64
	// Now is the clock for timestamp freshness; nil means time.Now.
	Now func() time.Time
	// MaxSkew is how far X-Signature-Timestamp may be from Now before the
	// request is refused as stale or forged; a signature alone does not
	// stop a captured request from being replayed later. Zero means
	// DefaultInteractionsMaxSkew.
	MaxSkew time.Duration
	// AckDeadline is how long the endpoint waits for Handle to ack before
	// replying with a deferred response itself, so Discord's 3 s limit is
	// never missed. Zero means DefaultAckDeadline.
	AckDeadline time.Duration
	// Logger receives rejected requests and handler failures; nil discards.
	Logger *slog.Logger
	// Context is the parent of the contexts Handle runs on; cancel it to
	// stop background work at shutdown. Nil means context.Background().
	Context context.Context
	// Replay is the replay cache shared with other replicas, consulted
	// after this process's own; nil means this process's only. When it
	// fails or takes longer than ReplayTimeout, the request is judged by
	// this process's cache alone and a warning is logged, so answering
	// goes on while the shared store is down.
	Replay ReplayCache
	// ReplayTimeout bounds one check of Replay, well within Discord's 3 s;
	// zero means DefaultReplayTimeout.
	ReplayTimeout time.Duration
}

// Interactions is Discord's "Interactions Endpoint URL": an http.Handler
// that verifies each request's signature and freshness, answers PINGs and
// passes every other interaction to a handler that keeps running after the
// HTTP reply. Build it with NewInteractionsHandler; call Wait at shutdown,
// after the HTTP server has stopped accepting requests.
type Interactions struct {
	key      ed25519.PublicKey
	handle   func(context.Context, *discordgo.Interaction, Ack)
	maxBody  int64
	now      func() time.Time
	maxSkew  time.Duration
	deadline time.Duration
	log      *slog.Logger
	parent   context.Context

	// local remembers the requests this process accepted; shared, when
	// set, those every replica accepted.
	local         *MemoryReplayCache
	shared        ReplayCache
	replayTimeout time.Duration

	// mu guards closing; wg counts running Handle goroutines (Add happens
	// under mu, so it never races Wait).
	mu      sync.Mutex
	closing bool
	wg      sync.WaitGroup
}

var _ http.Handler = (*Interactions)(nil)

// ParsePublicKey decodes the application's public key as shown in the
// Developer Portal: 64 hexadecimal characters.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("parse Discord public key: want %d hexadecimal characters", 2*ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// NewInteractionsHandler returns the interactions endpoint for opts. It
// fails when the public key is not an Ed25519 key or Handle is nil.
func NewInteractionsHandler(opts InteractionsOptions) (*Interactions, error) {
	if len(opts.PublicKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("interactions endpoint: public key has %d bytes, want %d", len(opts.PublicKey), ed25519.PublicKeySize)
	}
	if opts.Handle == nil {
		return nil, errors.New("interactions endpoint: no handler")
	}
	h := &Interactions{
		key:      opts.PublicKey,
		handle:   opts.Handle,
		maxBody:  opts.MaxBodyBytes,
		now:      opts.Now,
		maxSkew:  opts.MaxSkew,
		deadline: opts.AckDeadline,
		log:      opts.Logger,
		parent:   opts.Context,
		shared:   opts.Replay,

		replayTimeout: opts.ReplayTimeout,
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultInteractionsMaxBody
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.maxSkew <= 0 {
		h.maxSkew = DefaultInteractionsMaxSkew
	}
	if h.deadline <= 0 {
		h.deadline = DefaultAckDeadline
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.parent == nil {
		h.parent = context.Background()
	}
	if h.replayTimeout <= 0 {
		h.replayTimeout = DefaultReplayTimeout
	}
	h.local = NewMemoryReplayCache(h.now, 0)
	return h, nil
}

// Wait stops the endpoint taking new interactions (they get 503) and
// waits for the running handlers to return, or for ctx to end, whichever
// comes first; it returns ctx's error in the second case.
func (h *Interactions) Wait(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for interaction handlers: %w", context.Cause(ctx))
	}
}

// ServeHTTP checks, in order: method (405), body size (413), signature
// headers, timestamp freshness, signature and replay (401), JSON (400);
// then answers PING or runs the handler.
func (h *Interactions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.reject(w, r, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			h.reject(w, r, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		h.reject(w, r, http.StatusBadRequest, "unreadable request body")
		return
	}
	sig, ts := r.Header.Get("X-Signature-Ed25519"), r.Header.Get("X-Signature-Timestamp")
	if sig == "" || ts == "" {
		h.reject(w, r, http.StatusUnauthorized, "missing signature")
		return
	}
	expires, ok := h.fresh(ts)
	if !ok {
		h.reject(w, r, http.StatusUnauthorized, "stale or invalid timestamp")
		return
	}
	// discordgo.VerifyInteraction reads the body from the request and puts
	// it back; hand it the bytes already read under the size cap.
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !discordgo.VerifyInteraction(r, h.key) {
		h.reject(w, r, http.StatusUnauthorized, "invalid request signature")
		return
	}
	// Hex is case-insensitive, so the replay key is the lower-case form.
	if !h.firstSight(r.Context(), strings.ToLower(sig), expires) {
		h.reject(w, r, http.StatusUnauthorized, "replayed request")
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		h.reject(w, r, http.StatusBadRequest, "malformed interaction")
		return
	}
	switch i.Type {
	case discordgo.InteractionPing:
		writeJSON(w, []byte(`{"type":1}`))
		return
	case discordgo.InteractionApplicationCommand, discordgo.InteractionMessageComponent,
		discordgo.InteractionApplicationCommandAutocomplete, discordgo.InteractionModalSubmit:
	default:
		h.reject(w, r, http.StatusBadRequest, "unsupported interaction type")
		return
	}
	h.dispatch(w, r, &i)
}

// fresh parses ts (unix seconds) and reports whether it is within maxSkew
// of now, and when a request stamped ts stops being fresh.
func (h *Interactions) fresh(ts string) (time.Time, bool) {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 || sec > 1<<40 {
		return time.Time{}, false
	}
	at := time.Unix(sec, 0)
	skew := h.now().Sub(at)
	if skew < -h.maxSkew || skew > h.maxSkew {
		return time.Time{}, false
	}
	return at.Add(h.maxSkew), true
}

// firstSight records a verified signature and reports whether it is new:
// a replay within the freshness window carries the same signature. This
// process's cache answers first (a replay to the same replica costs no
// round trip); then the shared one, unless it cannot tell in time.
func (h *Interactions) firstSight(ctx context.Context, sig string, expires time.Time) bool {
	if fresh, _ := h.local.FirstSight(ctx, sig, expires); !fresh {
		return false
	}
	if h.shared == nil {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, h.replayTimeout)
	defer cancel()
	fresh, err := h.shared.FirstSight(ctx, sig, expires)
	if err != nil {
		h.log.Warn("shared replay cache unavailable: request checked against this replica's cache only", "err", err)
		return true
	}
	return fresh
}

// ackMsg is one initial response on its way to the HTTP reply; written
// carries the result of writing it back to the ack call.
type ackMsg struct {
	body    []byte
	written chan error
}

// pending is the once-only initial response of one interaction.
type pending struct {
	mu     sync.Mutex
	closed bool        // an ack was taken or the reply was decided
	reply  chan ackMsg // capacity 1
}

// ack is the Ack handed to Handle: it queues r as the HTTP reply and waits
// until it has been written, so Handle's follow-up REST edits never reach
// Discord before the response they edit.
func (p *pending) ack(r *discordgo.InteractionResponse) error {
	body, err := encodeResponse(r)
	if err != nil {
		return fmt.Errorf("acknowledge interaction: %w", err)
	}
	msg := ackMsg{body: body, written: make(chan error, 1)}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrAlreadyAcknowledged
	}
	p.closed = true
	p.reply <- msg
	p.mu.Unlock()
	return <-msg.written
}

// close decides the reply without waiting further: it returns an ack that
// raced in, or false when the caller must reply itself; later acks get
// ErrAlreadyAcknowledged.
func (p *pending) close() (ackMsg, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	select {
	case msg := <-p.reply:
		return msg, true
	default:
		return ackMsg{}, false
	}
}

// dispatch runs Handle in the background and replies with its first ack,
// or with a stand-in when Handle returns without one or is too slow.
func (h *Interactions) dispatch(w http.ResponseWriter, r *http.Request, i *discordgo.Interaction) {
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		h.reject(w, r, http.StatusServiceUnavailable, "shutting down")
		return
	}
	h.wg.Add(1)
	h.mu.Unlock()

	p := &pending{reply: make(chan ackMsg, 1)}
	returned := make(chan struct{})
	go func() {
		defer h.wg.Done()
		defer close(returned)
		defer func() {
			if v := recover(); v != nil {
				h.log.Error("interaction handler panicked", "interaction", i.ID, "panic", v, "stack", string(debug.Stack()))
			}
		}()
		h.handle(h.parent, i, p.ack)
	}()

	timer := time.NewTimer(h.deadline)
	defer timer.Stop()
	var (
		msg ackMsg
		got bool
	)
	select {
	case msg = <-p.reply:
		got = true
	case <-returned:
		msg, got = p.close()
		if !got {
			h.log.Error("interaction handler returned without responding", "interaction", i.ID, "type", i.Type.String())
		}
	case <-timer.C:
		msg, got = p.close()
		if !got {
			h.log.Warn("interaction handler too slow to respond; deferring on its behalf",
				"interaction", i.ID, "deadline", h.deadline)
		}
	case <-r.Context().Done():
		if msg, got = p.close(); got {
			msg.written <- errAckAbandoned
		}
		return
	}
	if !got {
		writeJSON(w, standIn(i, isReturned(returned)))
		return
	}
	err := writeJSON(w, msg.body)
	msg.written <- err
}

// isReturned reports whether ch is closed.
func isReturned(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// standIn is the reply sent for a handler that did not ack: a deferred
// response while it is still working (an empty choice list for
// autocomplete, which cannot be deferred), or a short ephemeral apology
// when it gave up without responding.
func standIn(i *discordgo.Interaction, returned bool) []byte {
	var r discordgo.InteractionResponse
	switch {
	case i.Type == discordgo.InteractionApplicationCommandAutocomplete:
		r = discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{}}}
	case returned:
		r = discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "Internal error.", Flags: discordgo.MessageFlagsEphemeral,
				AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}}}
	default:
		r = discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	}
	b, _ := encodeResponse(&r) // a fixed value: cannot fail
	return b
}

// writeJSON writes body as the 200 reply and flushes it.
func writeJSON(w http.ResponseWriter, body []byte) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("write interaction response: %w", err)
	}
	if err := http.NewResponseController(w).Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("flush interaction response: %w", err)
	}
	return nil
}

// reject answers a refused request with a fixed, secret-free reason, and
// logs it without the body or headers.
func (h *Interactions) reject(w http.ResponseWriter, r *http.Request, code int, reason string) {
	h.log.Debug("interaction request rejected", "status", code, "reason", reason, "remote", r.RemoteAddr)
	http.Error(w, reason, code)
}
