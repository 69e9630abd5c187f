// Package fakediscord is a Discord-compatible server for tests. It speaks
// Discord's REST API (under /api/v9 and /api/v10) and its gateway websocket
// protocol on loopback, so the bot runs its real discordgo code against it.
// It records every request with its arrival time, keeps the messages the bot
// creates and edits, and lets tests dispatch gateway events (interactions,
// messages) and drop the connection.
package fakediscord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Options configure a fake. The zero value is usable: it gets a token, an
// application ID and a bot user of its own.
type Options struct {
	// Token is the bot token the fake accepts (without the "Bot " prefix).
	Token string
	// AppID is the application ID; it is also the bot user's ID.
	AppID string
	// BotName is the bot user's name.
	BotName string
	// Latency is added to every REST response, after the request's arrival
	// has been recorded.
	Latency time.Duration
	// HeartbeatInterval is sent in the gateway's Hello; default 41.25 s.
	HeartbeatInterval time.Duration
	// WithholdReady makes the gateway answer Identify with nothing: it
	// sends Hello and acknowledges heartbeats but never READY, like a
	// gateway stuck during an outage.
	WithholdReady bool
}

// Fault is what the fake does instead of serving a request (see Inject).
type Fault struct {
	// Drop closes the connection without a response, so the client sees
	// a transport error (*url.Error) rather than an HTTP status.
	Drop bool
	// Status, Code and Message make an error response with Discord's
	// JSON body, e.g. 403, 50001, "Missing Access".
	Status  int
	Code    int
	Message string
}

// injection is one Inject call.
type injection struct {
	match func(method, path string) bool
	fault Fault
}

// Request is one recorded REST request.
type Request struct {
	Method string
	// Path is the path after the API version prefix, e.g.
	// "/interactions/1/tok/callback".
	Path  string
	Query string
	Body  []byte
	// At is when the request arrived, before any added latency.
	At time.Time
}

// Callback is one recorded interaction callback (the initial response).
type Callback struct {
	InteractionID string
	Token         string
	// Type is the interaction response type: 4 message, 5 deferred
	// message, 6 deferred update, 7 update message, 8 autocomplete result.
	Type int
	// Data is the response's "data" object as sent.
	Data json.RawMessage
	// At is when the callback arrived, before any added latency.
	At time.Time
}

// Message is a message as the fake holds it: an interaction's original
// response, a follow-up, or a channel message.
type Message struct {
	ID        string
	ChannelID string
	// Token is the interaction token for original responses and
	// follow-ups; empty for channel messages.
	Token      string
	Content    string
	Embeds     []json.RawMessage
	Components json.RawMessage
	// AllowedMentions is the allowed_mentions object of the last write, as
	// sent; nil when the last write had none.
	AllowedMentions json.RawMessage
	Flags           int
	// Writes counts the create and every edit of this message.
	Writes    int
	UpdatedAt time.Time
	// Deleted is true after a DELETE.
	Deleted bool
}

// Server is a running fake.
type Server struct {
	srv  *httptest.Server
	opts Options

	mu        sync.Mutex
	requests  []Request             // guarded by mu
	callbacks []Callback            // guarded by mu
	overwrite [][]byte              // guarded by mu; bodies of bulk overwrites
	originals map[string]*Message   // guarded by mu; by interaction token
	followups map[string][]string   // guarded by mu; token -> message IDs
	messages  map[string]*Message   // guarded by mu; by message ID
	threads   map[string]string     // guarded by mu; threads the bot started: ID -> parent channel ID
	foreign   map[string]string     // guarded by mu; threads others started: ID -> parent channel ID
	files     map[string]attachment // guarded by mu; by file name
	nextID    int64                 // guarded by mu
	latency   time.Duration         // guarded by mu
	faults    []injection           // guarded by mu

	gw gateway
}

type attachment struct {
	contentType string
	data        []byte
}

// New starts a fake and stops it when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Token == "" {
		opts.Token = "fake-token"
	}
	if opts.AppID == "" {
		opts.AppID = "100000000000000001"
	}
	if opts.BotName == "" {
		opts.BotName = "missionbot"
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = 41250 * time.Millisecond
	}
	s := &Server{
		opts:      opts,
		originals: map[string]*Message{},
		followups: map[string][]string{},
		messages:  map[string]*Message{},
		threads:   map[string]string{},
		foreign:   map[string]string{},
		files:     map[string]attachment{},
		nextID:    200000000000000000,
		latency:   opts.Latency,
	}
	s.gw.init()
	// Assigned before Start, so handlers reading s.srv (gatewayURL) never
	// race the assignment.
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Start()
	t.Cleanup(func() {
		s.gw.closeAll()
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
	return s
}

// URL is the fake's base URL, the value for DISCORD_API_URL.
func (s *Server) URL() string { return s.srv.URL }

// Token is the bot token the fake accepts.
func (s *Server) Token() string { return s.opts.Token }

// AppID is the application's (and the bot user's) ID.
func (s *Server) AppID() string { return s.opts.AppID }

// SetLatency changes the latency added to every REST response.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.latency = d
	s.mu.Unlock()
}

// AddAttachment serves data at a CDN-like URL on the fake and returns the
// URL, for attachment options of /add-source.
func (s *Server) AddAttachment(name, contentType string, data []byte) string {
	s.mu.Lock()
	s.files[name] = attachment{contentType: contentType, data: data}
	s.mu.Unlock()
	return s.srv.URL + "/attachments/" + name
}

func (s *Server) newID() string {
	s.nextID++
	return fmt.Sprint(s.nextID)
}

// NewID returns a fresh snowflake-like ID.
func (s *Server) NewID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newID()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if websocket.IsWebSocketUpgrade(r) {
		s.gw.serve(s, w, r)
		return
	}
	if name, ok := strings.CutPrefix(r.URL.Path, "/attachments/"); ok {
		s.mu.Lock()
		f, found := s.files[name]
		s.mu.Unlock()
		if !found {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.contentType)
		_, _ = w.Write(f.data)
		return
	}
	at := time.Now()
	body, _ := io.ReadAll(r.Body)
	path := r.URL.Path
	for _, p := range []string{"/api/v9", "/api/v10"} {
		if rest, ok := strings.CutPrefix(path, p); ok {
			path = rest
			break
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Body: body, At: at})
	latency := s.latency
	var fault *Fault
	for _, in := range s.faults {
		if in.match(r.Method, path) {
			fault = &in.fault
			break
		}
	}
	s.mu.Unlock()
	if fault != nil {
		s.fail(w, *fault)
		return
	}
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	s.route(w, r, path, body, at)
}

// Inject makes every later REST request for which match (given the method
// and the path after the API version, e.g. "/webhooks/1/tok/messages/@original")
// returns true fail with fault. The request is still recorded. Faults are
// tried in the order they were injected.
func (s *Server) Inject(match func(method, path string) bool, fault Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, injection{match: match, fault: fault})
	s.mu.Unlock()
}

// fail serves fault.
func (s *Server) fail(w http.ResponseWriter, f Fault) {
	if f.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				_ = c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	writeJSON(w, f.Status, map[string]any{"message": f.Message, "code": f.Code})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"message": msg, "code": 0})
}

func (s *Server) authorized(r *http.Request) bool {
	return r.Header.Get("Authorization") == "Bot "+s.opts.Token
}

func (s *Server) botUser() map[string]any {
	return map[string]any{
		"id": s.opts.AppID, "username": s.opts.BotName, "discriminator": "0",
		"global_name": nil, "avatar": nil, "bot": true,
	}
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, path string, body []byte, at time.Time) {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	m := r.Method
	switch {
	case m == http.MethodPost && len(seg) == 4 && seg[0] == "interactions" && seg[3] == "callback":
		s.callback(w, seg[1], seg[2], body, at)
		return
	case len(seg) >= 3 && seg[0] == "webhooks":
		s.webhook(w, r, seg, body)
		return
	}
	if !s.authorized(r) {
		writeError(w, http.StatusUnauthorized, "401: Unauthorized")
		return
	}
	switch {
	case m == http.MethodGet && path == "/gateway":
		writeJSON(w, http.StatusOK, map[string]any{"url": s.gatewayURL()})
	case m == http.MethodGet && path == "/gateway/bot":
		writeJSON(w, http.StatusOK, map[string]any{
			"url": s.gatewayURL(), "shards": 1,
			"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1},
		})
	case m == http.MethodGet && path == "/users/@me":
		writeJSON(w, http.StatusOK, s.botUser())
	case m == http.MethodPut && seg[0] == "applications" && (len(seg) == 3 && seg[2] == "commands" || len(seg) == 5 && seg[2] == "guilds" && seg[4] == "commands"):
		s.bulkOverwrite(w, seg, body)
	case m == http.MethodPost && len(seg) == 3 && seg[0] == "channels" && seg[2] == "messages":
		s.createChannelMessage(w, seg[1], body)
	case m == http.MethodPatch && len(seg) == 4 && seg[0] == "channels" && seg[2] == "messages":
		s.editMessage(w, seg[3], body)
	case m == http.MethodPost && len(seg) == 5 && seg[0] == "channels" && seg[2] == "messages" && seg[4] == "threads":
		s.startThread(w, seg[1], seg[3], body)
	case m == http.MethodGet && len(seg) == 2 && seg[0] == "channels":
		s.getChannel(w, seg[1])
	default:
		writeError(w, http.StatusNotFound, "404: Not Found")
	}
}

func (s *Server) gatewayURL() string {
	return "ws" + strings.TrimPrefix(s.srv.URL, "http")
}

func (s *Server) bulkOverwrite(w http.ResponseWriter, seg []string, body []byte) {
	var cmds []map[string]any
	if err := json.Unmarshal(body, &cmds); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body")
		return
	}
	s.mu.Lock()
	s.overwrite = append(s.overwrite, body)
	for _, c := range cmds {
		c["id"] = s.newID()
		c["application_id"] = seg[1]
		c["version"] = s.newID()
		if len(seg) == 5 {
			c["guild_id"] = seg[3]
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, cmds)
}

// messageBody is the part of a message create/edit body the fake keeps.
type messageBody struct {
	Content         *string            `json:"content"`
	Embeds          *[]json.RawMessage `json:"embeds"`
	Components      json.RawMessage    `json:"components"`
	AllowedMentions json.RawMessage    `json:"allowed_mentions"`
	Flags           int                `json:"flags"`
}

func (m *Message) apply(b messageBody, at time.Time) {
	if b.Content != nil {
		m.Content = *b.Content
	}
	if b.Embeds != nil {
		m.Embeds = *b.Embeds
	}
	if len(b.Components) > 0 {
		m.Components = b.Components
	}
	m.AllowedMentions = b.AllowedMentions
	if b.Flags != 0 {
		m.Flags = b.Flags
	}
	m.Writes++
	m.UpdatedAt = at
}

// wire renders a message as Discord returns it.
func (s *Server) wire(m *Message) map[string]any {
	embeds := m.Embeds
	if embeds == nil {
		embeds = []json.RawMessage{}
	}
	comps := m.Components
	if len(comps) == 0 || string(comps) == "null" {
		comps = json.RawMessage("[]")
	}
	return map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "content": m.Content,
		"embeds": embeds, "components": comps, "flags": m.Flags,
		"author": s.botUser(), "timestamp": m.UpdatedAt.UTC().Format(time.RFC3339Nano),
		"type": 0, "tts": false, "mention_everyone": false, "mentions": []any{}, "attachments": []any{},
	}
}

func (s *Server) callback(w http.ResponseWriter, id, token string, body []byte, at time.Time) {
	var cb struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &cb); err != nil || cb.Type == 0 {
		writeError(w, http.StatusBadRequest, "invalid interaction response")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.callbacks {
		if c.InteractionID == id {
			writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Interaction has already been acknowledged.", "code": 40060})
			return
		}
	}
	s.callbacks = append(s.callbacks, Callback{InteractionID: id, Token: token, Type: cb.Type, Data: cb.Data, At: at})
	var mb messageBody
	if len(cb.Data) > 0 {
		_ = json.Unmarshal(cb.Data, &mb)
	}
	switch cb.Type {
	case 4, 5:
		msg := &Message{ID: s.newID(), Token: token}
		msg.apply(mb, at)
		s.originals[token] = msg
		s.messages[msg.ID] = msg
	case 7:
		// Update the message the component was attached to; the test
		// registered it as the interaction's original via Interact.
		if msg, ok := s.originals[token]; ok {
			msg.apply(mb, at)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) webhook(w http.ResponseWriter, r *http.Request, seg []string, body []byte) {
	token := seg[2]
	at := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(seg) == 3 && r.Method == http.MethodPost {
		if _, ok := s.originals[token]; !ok {
			writeJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Webhook", "code": 10015})
			return
		}
		var mb messageBody
		if err := json.Unmarshal(body, &mb); err != nil {
			writeError(w, http.StatusBadRequest, "invalid JSON body")
			return
		}
		msg := &Message{ID: s.newID(), Token: token}
		msg.apply(mb, at)
		s.messages[msg.ID] = msg
		s.followups[token] = append(s.followups[token], msg.ID)
		writeJSON(w, http.StatusOK, s.wire(msg))
		return
	}
	if len(seg) != 5 || seg[3] != "messages" {
		writeError(w, http.StatusNotFound, "404: Not Found")
		return
	}
	var msg *Message
	if seg[4] == "@original" {
		msg = s.originals[token]
	} else if m, ok := s.messages[seg[4]]; ok && m.Token == token {
		msg = m
	}
	if msg == nil || msg.Deleted {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Message", "code": 10008})
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.wire(msg))
	case http.MethodPatch:
		var mb messageBody
		if err := json.Unmarshal(body, &mb); err != nil {
			writeError(w, http.StatusBadRequest, "invalid JSON body")
			return
		}
		msg.apply(mb, at)
		writeJSON(w, http.StatusOK, s.wire(msg))
	case http.MethodDelete:
		msg.Deleted = true
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, http.StatusMethodNotAllowed, "405: Method Not Allowed")
	}
}

func (s *Server) createChannelMessage(w http.ResponseWriter, channelID string, body []byte) {
	var mb messageBody
	if err := json.Unmarshal(body, &mb); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	msg := &Message{ID: s.newID(), ChannelID: channelID}
	msg.apply(mb, time.Now())
	s.messages[msg.ID] = msg
	writeJSON(w, http.StatusOK, s.wire(msg))
}

func (s *Server) editMessage(w http.ResponseWriter, messageID string, body []byte) {
	var mb messageBody
	if err := json.Unmarshal(body, &mb); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	msg, ok := s.messages[messageID]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Unknown Message", "code": 10008})
		return
	}
	msg.apply(mb, time.Now())
	writeJSON(w, http.StatusOK, s.wire(msg))
}

func (s *Server) startThread(w http.ResponseWriter, channelID, messageID string, body []byte) {
	var req struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(body, &req); err != nil || strings.TrimSpace(req.Name) == "" || len([]rune(req.Name)) > 100 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Invalid Form Body", "code": 50035})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := messageID // Discord gives a thread started on a message that message's ID.
	s.threads[id] = channelID
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": id, "type": 11, "name": req.Name, "parent_id": channelID,
		"owner_id": s.opts.AppID, "guild_id": "300000000000000001",
		"thread_metadata": map[string]any{"archived": false, "auto_archive_duration": 1440, "locked": false},
	})
}

// getChannel serves GET /channels/{id}: a public thread the bot started
// (owner_id is the bot) for threads created through the API, one owned by
// someone else for threads registered with AddThread, and a guild text
// channel for any other ID.
func (s *Server) getChannel(w http.ResponseWriter, id string) {
	s.mu.Lock()
	parent, isThread := s.threads[id]
	owner := s.opts.AppID
	if o, ok := s.foreign[id]; ok {
		parent, isThread, owner = o, true, "600000000000000001"
	}
	s.mu.Unlock()
	if !isThread {
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "type": 0, "guild_id": GuildID, "name": "general"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": id, "type": 11, "guild_id": GuildID, "name": "thread", "parent_id": parent, "owner_id": owner,
		"thread_metadata": map[string]any{"archived": false, "auto_archive_duration": 1440, "locked": false},
	})
}

// AddThread registers a public thread in parent started by someone other
// than the bot, as GET /channels/{id} reports it.
func (s *Server) AddThread(id, parent string) {
	s.mu.Lock()
	s.foreign[id] = parent
	s.mu.Unlock()
}

// Requests returns a copy of the REST requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// CallbackFor returns the callback of interaction id, if any.
func (s *Server) CallbackFor(id string) (Callback, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.callbacks {
		if c.InteractionID == id {
			return c, true
		}
	}
	return Callback{}, false
}

// Overwrites returns the bodies of the command bulk overwrites received.
func (s *Server) Overwrites() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.overwrite...)
}

// Original returns a copy of the original response of the interaction with
// the given token.
func (s *Server) Original(token string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.originals[token]
	if !ok {
		return Message{}, false
	}
	return *m, true
}

// Followups returns copies of the follow-up messages of the interaction
// with the given token, in order.
func (s *Server) Followups(token string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, id := range s.followups[token] {
		out = append(out, *s.messages[id])
	}
	return out
}

// ChannelMessages returns copies of the messages the bot posted in a
// channel (or thread), in creation order.
func (s *Server) ChannelMessages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.ChannelID == channelID && m.Token == "" {
			out = append(out, *m)
		}
	}
	// IDs are increasing decimal strings of equal length.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ID < out[j-1].ID; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// AllMessageWrites returns every recorded REST body that created or edited
// a message (callbacks with data, webhook and channel message writes), for
// assertions that hold on every message, such as allowed_mentions.
func (s *Server) AllMessageWrites() []Request {
	var out []Request
	for _, r := range s.Requests() {
		seg := strings.Split(strings.Trim(r.Path, "/"), "/")
		write := r.Method == http.MethodPatch || r.Method == http.MethodPost
		switch {
		case !write:
		case seg[0] == "interactions":
			var cb struct {
				Type int `json:"type"`
			}
			_ = json.Unmarshal(r.Body, &cb)
			if cb.Type == 4 || cb.Type == 7 {
				out = append(out, r)
			}
		case seg[0] == "webhooks":
			out = append(out, r)
		case seg[0] == "channels" && len(seg) >= 3 && seg[2] == "messages" && seg[len(seg)-1] != "threads":
			out = append(out, r)
		}
	}
	return out
}

// bodyContains reports whether a JSON body contains s; used by waits.
func bodyContains(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }
