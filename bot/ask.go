package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"missionbot/answer"
	"missionbot/store"
)

// ask handles /ask: validate, rate-limit, defer, then answer into the
// interaction's deferred message.
func (b *Bot) ask(ctx context.Context, x *exchange, data discordgo.ApplicationCommandInteractionData) {
	question := stripMentions(optionString(data.Options, "question"))
	private := optionBool(data.Options, "private")
	if err := answer.ValidateQuestion(question); err != nil {
		x.fail(ctx, err)
		return
	}
	if err := b.allow(x.userID()); err != nil {
		x.fail(ctx, err)
		return
	}
	// Take a place at the gate before acknowledging, so that "busy" is
	// said privately, as the initial response: once a public "thinking…"
	// stands, no edit can make it private.
	res, err := b.reserve()
	if err != nil {
		x.fail(ctx, err)
		return
	}
	defer res.Cancel()
	ctx = withReservation(ctx, res)
	// Acknowledge before anything slow: Discord gives 3 s.
	if err := x.deferReply(private); err != nil {
		x.err = err
		return
	}
	a, err := b.answerInto(ctx, interactionReply{hook: x.hook, ephemeral: private}, x.i.ID, question, nil)
	if err != nil {
		if errors.Is(err, errReplyFailed) {
			x.err = err
			return
		}
		x.fail(ctx, err)
		return
	}
	x.mode, x.refused, x.fallback = string(a.Mode), a.Refused, isFallback(a)
}

// replyTarget is where an answer is written: the message edited while the
// answer streams, then the final parts. /ask writes to its interaction's
// webhook, a mention to a message in its thread.
type replyTarget interface {
	// edit replaces the message being answered into.
	edit(ctx context.Context, o outgoing) error
	// followUp posts one more message after it.
	followUp(ctx context.Context, o outgoing) error
}

// interactionReply writes to an interaction's deferred original response.
type interactionReply struct {
	hook      webhook
	ephemeral bool
}

func (r interactionReply) edit(ctx context.Context, o outgoing) error {
	return r.hook.editOriginal(ctx, o)
}

func (r interactionReply) followUp(ctx context.Context, o outgoing) error {
	o.Ephemeral = r.ephemeral
	return r.hook.followup(ctx, o)
}

// messageReply writes to a message the bot posted in a channel or thread.
type messageReply struct {
	ch    channel
	msgID string
}

func (r messageReply) edit(ctx context.Context, o outgoing) error { return r.ch.edit(ctx, r.msgID, o) }

func (r messageReply) followUp(ctx context.Context, o outgoing) error {
	_, err := r.ch.send(ctx, o)
	return err
}

// errReplyFailed marks a failure to write the answer to Discord (after it
// was produced), which must not be reported by writing again.
var errReplyFailed = errors.New("write answer to Discord")

// answerInto answers question (with the conversation's earlier turns),
// streaming partial text into to, records the answer, and writes the
// rendered result: its first part replaces the streamed message, the rest
// follow. refID identifies the interaction or message in the store. An
// error from answering comes back as it is; one from writing the final
// messages wraps errReplyFailed.
func (b *Bot) answerInto(ctx context.Context, to replyTarget, refID, question string, history []answer.Turn) (answer.Answer, error) {
	a, err := b.answerStreaming(ctx, question, history, func(ctx context.Context, text string) error {
		return to.edit(ctx, outgoing{Content: text})
	})
	if err != nil {
		return a, err
	}
	final, cancel := detached(ctx)
	defer cancel()
	id := b.saveAnswer(final, refID, a)
	for n, m := range b.render(a, id) {
		if n == 0 {
			err = to.edit(final, m)
		} else {
			err = to.followUp(final, m)
		}
		if err != nil {
			return a, fmt.Errorf("%w: %w", errReplyFailed, err)
		}
	}
	return a, nil
}

// reserve takes a place at the gate, or returns ErrBusy; nil without a
// gate.
func (b *Bot) reserve() (*Reservation, error) {
	if b.opts.Gate == nil {
		return nil, nil
	}
	r, err := b.opts.Gate.Reserve()
	if err != nil {
		return nil, err
	}
	return r, nil
}

// allow applies the per-user rate limit.
func (b *Bot) allow(userID string) error {
	if b.opts.Limiter == nil {
		return nil
	}
	if ok, retry := b.opts.Limiter.Allow(userID); !ok {
		b.opts.Metrics.RateLimited()
		return &rateLimitedError{retryAfter: retry}
	}
	return nil
}

// answerStreaming answers question through the gate, calling edit with
// the text so far at most once per EditInterval while it streams. It
// returns after the last streamed edit has finished.
func (b *Bot) answerStreaming(ctx context.Context, question string, history []answer.Turn, edit func(context.Context, string) error) (answer.Answer, error) {
	if b.opts.Gate != nil {
		release, err := b.opts.Gate.Acquire(ctx)
		if err != nil {
			return answer.Answer{}, fmt.Errorf("wait for a model slot: %w", causeOf(ctx, err))
		}
		defer release()
	}
	th := startThrottle(ctx, b.opts.EditInterval, func(ctx context.Context, text string) {
		if strings.TrimSpace(text) == "" {
			return
		}
		if err := edit(ctx, streamingText(text)); err != nil && ctx.Err() == nil {
			b.log.Debug("streamed edit failed", "err", err)
		}
	})
	req := answer.Request{Question: question, History: history, OnDelta: func(d string) {
		th.Update(func(text string) string { return text + d })
	}}
	started := b.now()
	a, err := b.opts.Answerer.Answer(ctx, req)
	th.Stop()
	if err != nil {
		return answer.Answer{}, fmt.Errorf("answer: %w", causeOf(ctx, err))
	}
	b.recordAnswer(a, b.now().Sub(started))
	return a, nil
}

// isFallback reports whether a model answer fell back to the extractive
// one: the model is configured but its answer could not be used.
func isFallback(a answer.Answer) bool {
	return fallbackReason(a) != ""
}

// fallbackReason is why a model answer fell back to the sources, as a
// metric label ("timeout", "rate_limited", …), or "" when it did not.
// Other notices (an answer cut by its length limit, a keyword-only search)
// accompany answers that did not fall back.
func fallbackReason(a answer.Answer) string {
	return strings.ReplaceAll(a.Fallback, " ", "_")
}

// recordAnswer records an answer's latency, retrieval time, model tokens,
// refusal and fallback.
func (b *Bot) recordAnswer(a answer.Answer, took time.Duration) {
	m := b.opts.Metrics
	m.Answer(string(a.Mode), took)
	m.Retrieval(a.Retrieve)
	m.Tokens(a.PromptTokens, a.CompletionTokens)
	if a.Refused {
		m.Refusal()
	}
	if r := fallbackReason(a); r != "" {
		m.Fallback(r)
	}
}

// causeOf prefers the context's cause (e.g. errShutdown) over a bare
// context.Canceled.
func causeOf(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
			return fmt.Errorf("%w (%w)", c, err)
		}
	}
	return err
}

// streamingText is the partial answer shown while it streams: unverified
// text, trimmed to fit one message, with a marker that more is coming.
func streamingText(s string) string {
	const suffix = " …"
	s = Sanitize(strings.TrimSpace(s))
	limit := MaxContent - utf8.RuneCountInString(suffix)
	if utf8.RuneCountInString(s) > limit {
		r := []rune(s)
		s = string(r[len(r)-limit+1:])
		s = "…" + s
	}
	return s + suffix
}

// saveAnswer records an answer and returns its ID, or 0 without a store
// or when saving fails (the answer is still shown, without buttons).
func (b *Bot) saveAnswer(ctx context.Context, interactionID string, a answer.Answer) int64 {
	if b.opts.Store == nil {
		return 0
	}
	var docs []string
	for _, c := range a.Citations {
		docs = append(docs, c.DocID)
	}
	id, err := b.opts.Store.SaveAnswer(ctx, store.AnswerRecord{
		InteractionID: interactionID, Question: a.Question, Answer: a.Text,
		DocIDs: docs, Mode: string(a.Mode), Refused: a.Refused, At: b.now(),
	})
	if err != nil {
		b.log.Error("answer not recorded: shown without feedback buttons", "interaction", interactionID, "err", err)
		return 0
	}
	return id
}

// render turns an answer into the messages to send: the parts of the
// text, with the sources embed and the vote buttons on the last.
func (b *Bot) render(a answer.Answer, answerID int64) []outgoing {
	r := RenderAnswer(a)
	parts := r.Parts
	if len(parts) == 0 {
		parts = []string{"(no answer text)"}
	}
	out := make([]outgoing, len(parts))
	for n, p := range parts {
		out[n] = outgoing{Content: p}
	}
	last := &out[len(out)-1]
	last.Embeds = r.Embeds
	if answerID > 0 {
		last.Components = FeedbackButtons(answerID)
	}
	return out
}

// detached returns a context for final writes that outlives the
// interaction's own deadline or cancellation, bounded on its own.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
}
