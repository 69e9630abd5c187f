package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"missionbot/answer"
	"missionbot/metrics"
)

// Ack sends an interaction's initial response. In gateway mode it POSTs
// the interaction callback over REST; in HTTP-endpoint mode it writes the
// HTTP reply. It is called at most once per interaction.
type Ack func(*discordgo.InteractionResponse) error

// exchange is one interaction being handled: the initial response, later
// edits on the interaction's webhook, and what gets logged at the end.
// Handlers use it and never know whether the ack goes over REST or HTTP.
type exchange struct {
	b     *Bot
	i     *discordgo.Interaction
	ack   Ack
	hook  webhook
	acked bool
	// public is set once the original response is a public message (a
	// public deferral, or the HTTP endpoint's stand-in): an edit cannot
	// make it ephemeral, so errors go in an ephemeral follow-up.
	public bool
	start  time.Time // when the interaction arrived, for the ack latency
	// fallback is set when the answer came from the extractive fallback
	// after a model failure.
	fallback bool
	// Fields for the interaction's log line.
	command string
	mode    string
	refused bool
	err     error
	ref     string
}

// userID returns the invoking user's ID, in a guild or a DM.
func (x *exchange) userID() string {
	if x.i.Member != nil && x.i.Member.User != nil {
		return x.i.Member.User.ID
	}
	if x.i.User != nil {
		return x.i.User.ID
	}
	return ""
}

// respond sends the initial response. When the HTTP endpoint has already
// sent a deferred response on the handler's behalf (it was too slow for
// Discord's 3 s limit), a message is delivered by editing that response
// instead, and a deferral is already done.
func (x *exchange) respond(r *discordgo.InteractionResponse) error {
	if x.acked {
		return errors.New("interaction already acknowledged")
	}
	x.acked = true
	err := x.ack(r)
	if errors.Is(err, ErrAlreadyAcknowledged) {
		// The endpoint's stand-in is a public deferral.
		x.public = true
		switch r.Type {
		case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseUpdateMessage:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			o := outgoing{}
			if r.Data != nil {
				o = outgoing{Content: r.Data.Content, Embeds: r.Data.Embeds, Components: r.Data.Components}
			}
			return x.hook.editOriginal(ctx, o)
		default:
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("acknowledge interaction: %w", x.b.red.error(err))
	}
	x.b.opts.Metrics.Ack(x.b.now().Sub(x.start))
	return nil
}

// deferReply acknowledges with "thinking…" (type 5) so slow work can
// follow; ephemeral responses are seen by the invoking user only.
func (x *exchange) deferReply(ephemeral bool) error {
	d := &discordgo.InteractionResponseData{AllowedMentions: NoMentions()}
	if ephemeral {
		d.Flags = discordgo.MessageFlagsEphemeral
	}
	err := x.respond(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: d})
	if !ephemeral {
		x.public = true
	}
	return err
}

// reply sends a message as the initial response, or edits the deferred
// original when the interaction was already acknowledged.
func (x *exchange) reply(ctx context.Context, o outgoing) error {
	if x.acked {
		return x.hook.editOriginal(ctx, o)
	}
	return x.respond(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: o.responseData()})
}

// fail logs err and ends the interaction with the safe message for it.
func (x *exchange) fail(ctx context.Context, err error) {
	msg, ref := ErrorMessage(err)
	x.failWith(ctx, err, msg, ref)
}

// failWith records err (with ref, when the message carries one) for the
// log line and tells the invoking user msg, and only them: as the
// ephemeral initial response, or, once a public message stands as the
// original, in an ephemeral follow-up, removing the public placeholder.
func (x *exchange) failWith(ctx context.Context, err error, msg, ref string) {
	x.err, x.ref = err, ref
	// The interaction's own context may be what failed; the user must
	// still hear about it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	o := outgoing{Content: msg, Ephemeral: true}
	if x.acked && x.public {
		rerr := x.hook.followup(ctx, o)
		if rerr == nil {
			if derr := x.hook.deleteOriginal(ctx); derr != nil {
				x.b.log.Warn("remove public placeholder", "interaction", x.i.ID, "err", derr)
			}
			return
		}
		x.b.log.Warn("report error to user privately", "interaction", x.i.ID, "err", rerr)
		// Better said in public than not at all.
	}
	if rerr := x.reply(ctx, o); rerr != nil {
		x.b.log.Warn("report error to user", "interaction", x.i.ID, "err", x.b.red.text(rerr.Error()))
	}
}

// onInteractionCreate is the gateway entry point: it acks over REST.
func (b *Bot) onInteractionCreate(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic == nil || ic.Interaction == nil {
		return
	}
	i := ic.Interaction
	ack := func(r *discordgo.InteractionResponse) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		body, err := encodeResponse(r)
		if err != nil {
			return err
		}
		// As discordgo's InteractionRespond, but with our encoding.
		u := discordgo.EndpointInteractionResponse(i.ID, i.Token)
		_, err = s.RequestWithBucketID(http.MethodPost, u, json.RawMessage(body), u, discordgo.WithContext(ctx))
		return err
	}
	b.HandleInteraction(b.workCtx, i, ack)
}

// HandleInteraction handles one interaction. ack sends the initial
// response, so the same handlers serve the gateway and the HTTP
// interactions endpoint. It returns when the interaction is finished;
// during shutdown it only tells the user to try again shortly.
func (b *Bot) HandleInteraction(ctx context.Context, i *discordgo.Interaction, ack Ack) {
	start := b.now()
	appID := i.AppID
	if appID == "" {
		appID, _ = b.appID.Load().(string)
	}
	x := &exchange{b: b, i: i, ack: ack, hook: webhook{s: b.session, red: b.red, appID: appID, token: i.Token}, start: start}
	if !b.begin() {
		x.command = "shutdown"
		if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
			_ = x.respond(&discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{}}})
		} else {
			_ = x.reply(ctx, outgoing{Content: msgShuttingDown, Ephemeral: true})
		}
		b.logInteraction(x, start)
		return
	}
	defer b.inflight.Done()
	defer func() {
		if r := recover(); r != nil {
			x.fail(ctx, fmt.Errorf("panic in handler: %v", r))
		}
		b.logInteraction(x, start)
	}()

	ctx, cancel := context.WithTimeout(ctx, b.opts.AnswerTimeout)
	defer cancel()
	// The HTTP endpoint runs handlers on its own context; shutdown must be
	// able to interrupt them as it does gateway interactions.
	ctx, interrupt := context.WithCancelCause(ctx)
	defer interrupt(nil)
	stop := context.AfterFunc(b.workCtx, func() { interrupt(context.Cause(b.workCtx)) })
	defer stop()

	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		data := i.ApplicationCommandData()
		x.command = data.Name
		r, ok := routeFor(data.Name)
		if !ok {
			x.fail(ctx, fmt.Errorf("%w: /%s", errUnknownCommand, data.Name))
			return
		}
		if r.moderator {
			if err := b.checkModerator(i); err != nil {
				x.fail(ctx, err)
				return
			}
		}
		r.handle(b, ctx, x, data)
	case discordgo.InteractionApplicationCommandAutocomplete:
		data := i.ApplicationCommandData()
		x.command = "autocomplete:" + data.Name
		b.autocomplete(ctx, x, data)
	case discordgo.InteractionMessageComponent:
		data := i.MessageComponentData()
		x.command = "component:" + strings.SplitN(data.CustomID, ":", 2)[0]
		b.component(ctx, x, data)
	case discordgo.InteractionPing:
		x.command = "ping"
		_ = x.respond(&discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
	default:
		x.command = fmt.Sprintf("type:%d", i.Type)
		x.fail(ctx, fmt.Errorf("unsupported interaction type %d", i.Type))
	}
}

// component dispatches a button click.
func (b *Bot) component(ctx context.Context, x *exchange, data discordgo.MessageComponentInteractionData) {
	switch {
	case strings.HasPrefix(data.CustomID, "fb:"):
		b.vote(ctx, x, data.CustomID)
	case strings.HasPrefix(data.CustomID, "page:"):
		b.page(ctx, x, data.CustomID)
	default:
		x.fail(ctx, fmt.Errorf("%w: component %q", errUnknownCommand, data.CustomID))
	}
}

// logInteraction writes the interaction's one log line. Question text and
// answers are logged only at Debug level; the token never.
func (b *Bot) logInteraction(x *exchange, start time.Time) {
	attrs := []slog.Attr{
		slog.String("id", x.i.ID),
		slog.String("command", x.command),
		slog.Duration("latency", b.now().Sub(start)),
	}
	if x.mode != "" {
		attrs = append(attrs, slog.String("mode", x.mode))
	}
	attrs = append(attrs, slog.Bool("refused", x.refused))
	level := slog.LevelInfo
	if x.err != nil {
		// Errors are redacted where they arise; this is the last check
		// before the line is written.
		attrs = append(attrs, slog.String("error", b.red.text(x.err.Error())))
		if x.ref != "" {
			attrs = append(attrs, slog.String("ref", x.ref))
			level = slog.LevelError
		}
	}
	b.log.LogAttrs(context.Background(), level, "interaction", attrs...)
	b.opts.Metrics.Question(x.command, outcome(x.err, x.refused, x.fallback))
}

// outcome classifies how an interaction or a mention ended, for metrics.
func outcome(err error, refused, fallback bool) string {
	var rl *rateLimitedError
	switch {
	case errors.As(err, &rl):
		return metrics.OutcomeRateLimited
	case errors.Is(err, ErrBusy):
		return metrics.OutcomeBusy
	case errors.Is(err, answer.ErrInvalidQuestion):
		return metrics.OutcomeInvalid
	case err != nil:
		return metrics.OutcomeError
	case refused:
		return metrics.OutcomeRefused
	case fallback:
		return metrics.OutcomeFallback
	}
	return metrics.OutcomeAnswered
}

// optionString returns a string option's value, or "".
func optionString(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) string {
	for _, o := range opts {
		if o.Name == name {
			if s, ok := o.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}

// optionBool returns a boolean option's value, or false.
func optionBool(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) bool {
	for _, o := range opts {
		if o.Name == name {
			if v, ok := o.Value.(bool); ok {
				return v
			}
		}
	}
	return false
}
