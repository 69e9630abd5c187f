package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/bwmarrin/discordgo"
)

// rewriteTransport sends requests meant for discord.com to the configured
// API base instead. discordgo computes its endpoint strings at package
// initialisation (endpoints.go), so the base URL cannot be changed there;
// rewriting at the transport is the one place that sees every request.
type rewriteTransport struct {
	base *url.URL
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == "discord.com" && (t.base.Host != "discord.com" || t.base.Scheme != "https") {
		r = r.Clone(r.Context())
		r.URL.Scheme = t.base.Scheme
		r.URL.Host = t.base.Host
		r.URL.Path = t.base.Path + r.URL.Path
		if r.URL.RawPath != "" {
			r.URL.RawPath = t.base.Path + r.URL.RawPath
		}
		r.Host = t.base.Host
	}
	return t.next.RoundTrip(r)
}

// parseAPIURL checks DISCORD_API_URL and returns it without a trailing
// slash.
func parseAPIURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("DISCORD_API_URL %q is not a URL: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("DISCORD_API_URL %q must be an http or https URL such as https://discord.com", s)
	}
	for len(u.Path) > 0 && u.Path[len(u.Path)-1] == '/' {
		u.Path = u.Path[:len(u.Path)-1]
	}
	return u, nil
}

// classifyREST turns a discordgo REST error with status 401 into
// ErrTokenRejected, and leaves others as they are.
func classifyREST(err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return ErrTokenRejected
	}
	return err
}

// messageEdit is the body of a message create or edit. AllowedMentions is
// always sent: discordgo's zero value serialises as null, which Discord
// reads as "parse everything".
type messageEdit struct {
	Content         *string                           `json:"content,omitempty"`
	Embeds          *[]*discordgo.MessageEmbed        `json:"embeds,omitempty"`
	Components      *[]discordgo.MessageComponent     `json:"components,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Flags           discordgo.MessageFlags            `json:"flags,omitempty"`
}

// outgoing is one message the bot is about to write.
type outgoing struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
	Ephemeral  bool
}

func (o outgoing) body() messageEdit {
	c := o.Content
	embeds := o.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	comps := o.Components
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	e := messageEdit{Content: &c, Embeds: &embeds, Components: &comps, AllowedMentions: NoMentions()}
	if o.Ephemeral {
		e.Flags = discordgo.MessageFlagsEphemeral
	}
	return e
}

// responseData is o as interaction response data.
func (o outgoing) responseData() *discordgo.InteractionResponseData {
	d := &discordgo.InteractionResponseData{
		Content:         o.Content,
		Embeds:          o.Embeds,
		Components:      o.Components,
		AllowedMentions: NoMentions(),
	}
	if d.Components == nil {
		d.Components = []discordgo.MessageComponent{}
	}
	if o.Ephemeral {
		d.Flags = discordgo.MessageFlagsEphemeral
	}
	return d
}

// webhook makes REST calls on one interaction's webhook. Every call uses
// the interaction's own URL as its rate-limit bucket: discordgo would put
// all interaction edits on one shared "webhooks//" bucket and serialise
// concurrent answers.
type webhook struct {
	s     *discordgo.Session
	red   redactor
	appID string
	token string
}

func (w webhook) bucket() string {
	return discordgo.EndpointWebhookToken(w.appID, w.token)
}

// editOriginal replaces the original response.
func (w webhook) editOriginal(ctx context.Context, o outgoing) error {
	u := discordgo.EndpointWebhookMessage(w.appID, w.token, "@original")
	b := o.body()
	b.Flags = 0 // flags cannot change on edit
	if _, err := w.s.RequestWithBucketID(http.MethodPatch, u, b, w.bucket(), discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("edit original response: %w", w.red.error(err))
	}
	return nil
}

// deleteOriginal deletes the original response.
func (w webhook) deleteOriginal(ctx context.Context) error {
	u := discordgo.EndpointWebhookMessage(w.appID, w.token, "@original")
	if _, err := w.s.RequestWithBucketID(http.MethodDelete, u, nil, w.bucket(), discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("delete original response: %w", w.red.error(err))
	}
	return nil
}

// followup posts a follow-up message.
func (w webhook) followup(ctx context.Context, o outgoing) error {
	u := discordgo.EndpointWebhookToken(w.appID, w.token) + "?wait=true"
	if _, err := w.s.RequestWithBucketID(http.MethodPost, u, o.body(), w.bucket(), discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("post follow-up: %w", w.red.error(err))
	}
	return nil
}

// channel makes REST calls in one channel (or thread) for the mention
// flow, on a per-channel bucket.
type channel struct {
	s   *discordgo.Session
	red redactor
	id  string
}

// send posts a message and returns its ID.
func (c channel) send(ctx context.Context, o outgoing) (string, error) {
	u := discordgo.EndpointChannelMessages(c.id)
	resp, err := c.s.RequestWithBucketID(http.MethodPost, u, o.body(), u, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("post message: %w", c.red.error(err))
	}
	var m discordgo.Message
	if err := discordgo.Unmarshal(resp, &m); err != nil {
		return "", fmt.Errorf("post message: decode reply: %w", err)
	}
	return m.ID, nil
}

// edit replaces a message the bot posted.
func (c channel) edit(ctx context.Context, messageID string, o outgoing) error {
	u := discordgo.EndpointChannelMessage(c.id, messageID)
	b := o.body()
	b.Flags = 0
	if _, err := c.s.RequestWithBucketID(http.MethodPatch, u, b, discordgo.EndpointChannelMessages(c.id), discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("edit message: %w", c.red.error(err))
	}
	return nil
}
