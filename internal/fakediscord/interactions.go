package fakediscord

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Discord permission bits the tests use.
const (
	PermAdministrator int64 = 1 << 3
	PermManageGuild   int64 = 1 << 5
	PermSendMessages  int64 = 1 << 11
)

// The guild and channel IDs interactions and messages default to.
const (
	GuildID   = "300000000000000001"
	ChannelID = "400000000000000001"
)

// User is the invoking user of an interaction or the author of a message.
type User struct {
	ID       string
	Username string
	Bot      bool
}

// Member is a guild member invoking an interaction.
type Member struct {
	User        User
	Roles       []string
	Permissions int64
}

// Option is one slash-command option as Discord sends it. Type is the
// application command option type (3 string, 5 boolean, 11 attachment).
type Option struct {
	Name    string
	Type    int
	Value   any
	Focused bool
}

// Interaction describes an interaction to dispatch. Exactly one of Member
// (in a guild) or User (in a DM) should be set.
type Interaction struct {
	// Type is 2 (application command), 3 (message component) or
	// 4 (autocomplete); 0 means 2.
	Type    int
	Name    string
	Options []Option
	// Attachments are resolved attachments, by ID: URL, file name,
	// content type and size.
	Attachments map[string]Attachment
	// CustomID is the clicked component's custom ID (Type 3).
	CustomID string
	// MessageToken is, for a component click, the token of the
	// interaction whose original response carries the component; the
	// fake applies an UpdateMessage response to that message.
	MessageToken string
	GuildID      string
	ChannelID    string
	Member       *Member
	User         *User
}

// Attachment is a resolved attachment of a command option.
type Attachment struct {
	URL         string
	Filename    string
	ContentType string
	Size        int
}

// Sent identifies a dispatched interaction.
type Sent struct {
	ID    string
	Token string
	// At is when the event was written to the gateway.
	At time.Time
}

func (u User) wire() map[string]any {
	return map[string]any{"id": u.ID, "username": u.Username, "discriminator": "0", "global_name": u.Username, "avatar": nil, "bot": u.Bot}
}

// Interact dispatches an INTERACTION_CREATE event built from in.
func (s *Server) Interact(in Interaction) (Sent, error) {
	sent, d := s.interaction(in)
	sent.At = time.Now()
	if err := s.Dispatch("INTERACTION_CREATE", d); err != nil {
		return Sent{}, err
	}
	return sent, nil
}

// Payload builds the JSON body Discord would POST to an HTTP interactions
// endpoint for in. Discord keeps the endpoint's initial response as the
// interaction's original message; tests hand that HTTP reply to Acknowledge
// so later REST edits find it.
func (s *Server) Payload(in Interaction) (Sent, []byte, error) {
	sent, d := s.interaction(in)
	body, err := json.Marshal(d)
	return sent, body, err
}

// Acknowledge records reply (an interaction response an HTTP endpoint
// returned) as Discord does: as the initial response of the interaction.
func (s *Server) Acknowledge(sent Sent, reply []byte) {
	s.callback(discardResponse{}, sent.ID, sent.Token, reply, time.Now())
}

// discardResponse swallows what the callback route would write back.
type discardResponse struct{}

func (discardResponse) Header() http.Header         { return http.Header{} }
func (discardResponse) Write(b []byte) (int, error) { return len(b), nil }
func (discardResponse) WriteHeader(int)             {}

// interaction builds the wire form of in and registers what the fake needs
// to follow it.
func (s *Server) interaction(in Interaction) (Sent, map[string]any) {
	if in.Type == 0 {
		in.Type = 2
	}
	if in.ChannelID == "" {
		in.ChannelID = ChannelID
	}
	if in.GuildID == "" && in.Member != nil {
		in.GuildID = GuildID
	}
	s.mu.Lock()
	id := s.newID()
	token := "aW50ZXJhY3Rpb246" + id
	if in.Type == 3 && in.MessageToken != "" {
		// An UpdateMessage response edits the message the button is on.
		if m, ok := s.originals[in.MessageToken]; ok {
			s.originals[token] = m
		}
	}
	s.mu.Unlock()

	d := map[string]any{
		"id": id, "application_id": s.opts.AppID, "type": in.Type, "token": token, "version": 1,
		"channel_id": in.ChannelID, "locale": "en-US", "app_permissions": "2147483647",
	}
	if in.GuildID != "" {
		d["guild_id"] = in.GuildID
		d["guild_locale"] = "en-US"
	}
	if in.Member != nil {
		d["member"] = map[string]any{
			"user": in.Member.User.wire(), "roles": nonNil(in.Member.Roles),
			"permissions": fmt.Sprint(in.Member.Permissions), "joined_at": "2024-01-01T00:00:00.000000+00:00",
			"deaf": false, "mute": false, "flags": 0,
		}
	}
	if in.User != nil {
		d["user"] = in.User.wire()
	}
	switch in.Type {
	case 2, 4:
		opts := make([]map[string]any, 0, len(in.Options))
		for _, o := range in.Options {
			w := map[string]any{"name": o.Name, "type": o.Type, "value": o.Value}
			if o.Focused {
				w["focused"] = true
			}
			opts = append(opts, w)
		}
		data := map[string]any{"id": s.NewID(), "name": in.Name, "type": 1, "options": opts}
		if len(in.Attachments) > 0 {
			atts := map[string]any{}
			for aid, a := range in.Attachments {
				atts[aid] = map[string]any{"id": aid, "filename": a.Filename, "content_type": a.ContentType, "size": a.Size, "url": a.URL, "proxy_url": a.URL}
			}
			data["resolved"] = map[string]any{"attachments": atts}
		}
		d["data"] = data
	case 3:
		d["data"] = map[string]any{"custom_id": in.CustomID, "component_type": 2}
		d["message"] = map[string]any{"id": s.NewID(), "channel_id": in.ChannelID, "content": "", "author": s.botUser(),
			"timestamp": time.Now().UTC().Format(time.RFC3339Nano), "embeds": []any{}, "components": []any{}}
	}
	return Sent{ID: id, Token: token}, d
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PostedMessage identifies a dispatched MESSAGE_CREATE.
type PostedMessage struct {
	ID        string
	ChannelID string
}

// PostMessage dispatches a MESSAGE_CREATE event for a message by author in
// channelID. When mentionBot is true the message mentions the bot (the
// content should then include "<@APPID>").
func (s *Server) PostMessage(channelID string, author User, content string, mentionBot bool) (PostedMessage, error) {
	return s.Post(MessageEvent{ChannelID: channelID, Author: author, Content: content, MentionBot: mentionBot})
}

// MessageEvent describes a MESSAGE_CREATE to dispatch.
type MessageEvent struct {
	ChannelID string
	Author    User
	// Content is empty for a message that does not mention the bot when
	// the bot lacks the Message Content intent, as Discord sends it.
	Content string
	// MentionBot lists the bot in the message's mentions; a content with
	// "<@APPID>" does too.
	MentionBot bool
	// Type is the message type: 0 default, 19 reply, 6 a pin notice,
	// 18 a thread created notice, …
	Type int
}

// Post dispatches the MESSAGE_CREATE event ev.
func (s *Server) Post(ev MessageEvent) (PostedMessage, error) {
	id := s.NewID()
	mentions := []any{}
	if ev.MentionBot || strings.Contains(ev.Content, "<@"+s.opts.AppID+">") {
		mentions = append(mentions, s.botUser())
	}
	channelID, author, content := ev.ChannelID, ev.Author, ev.Content
	d := map[string]any{
		"id": id, "channel_id": channelID, "guild_id": GuildID, "author": author.wire(),
		"content": content, "timestamp": time.Now().UTC().Format(time.RFC3339Nano), "edited_timestamp": nil,
		"tts": false, "mention_everyone": false, "mentions": mentions, "mention_roles": []any{},
		"attachments": []any{}, "embeds": []any{}, "pinned": false, "type": ev.Type,
		"member": map[string]any{"roles": []any{}, "joined_at": "2024-01-01T00:00:00.000000+00:00"},
	}
	if err := s.Dispatch("MESSAGE_CREATE", d); err != nil {
		return PostedMessage{}, err
	}
	return PostedMessage{ID: id, ChannelID: channelID}, nil
}

// WaitOriginal waits until the original response of the interaction with
// the given token satisfies ok, and returns it; it fails after timeout.
func (s *Server) WaitOriginal(token string, timeout time.Duration, ok func(Message) bool) (Message, error) {
	deadline := time.Now().Add(timeout)
	var last Message
	for {
		m, found := s.Original(token)
		if found {
			last = m
			if ok(m) {
				return m, nil
			}
		}
		if time.Now().After(deadline) {
			return last, fmt.Errorf("fakediscord: original response of %s: condition not met within %s (content %q)", token, timeout, last.Content)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// WaitOriginalContains waits until the original response's content or
// embeds contain substr.
func (s *Server) WaitOriginalContains(token, substr string, timeout time.Duration) (Message, error) {
	return s.WaitOriginal(token, timeout, func(m Message) bool { return m.Contains(substr) })
}

// WaitCallback waits for the interaction callback of interaction id.
func (s *Server) WaitCallback(id string, timeout time.Duration) (Callback, error) {
	deadline := time.Now().Add(timeout)
	for {
		if c, ok := s.CallbackFor(id); ok {
			return c, nil
		}
		if time.Now().After(deadline) {
			return Callback{}, fmt.Errorf("fakediscord: no callback for interaction %s within %s", id, timeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// WaitChannelMessage waits until a message in channelID satisfies ok.
func (s *Server) WaitChannelMessage(channelID string, timeout time.Duration, ok func(Message) bool) (Message, error) {
	deadline := time.Now().Add(timeout)
	for {
		for _, m := range s.ChannelMessages(channelID) {
			if ok(m) {
				return m, nil
			}
		}
		if time.Now().After(deadline) {
			return Message{}, fmt.Errorf("fakediscord: no matching message in channel %s within %s", channelID, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Contains reports whether the message's content or any embed's JSON
// contains substr.
func (m Message) Contains(substr string) bool {
	if strings.Contains(m.Content, substr) {
		return true
	}
	for _, e := range m.Embeds {
		if bodyContains(e, substr) {
			return true
		}
	}
	return false
}
