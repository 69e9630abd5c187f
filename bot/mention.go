package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"

	"missionbot/answer"
	"missionbot/text"
)

// historyTurns is how many earlier turns of a thread a follow-up sees.
const historyTurns = 6

// msgTurnNotSaved follows an answer whose turn the store could not keep.
const msgTurnNotSaved = "(I couldn't save this exchange, so follow-up questions here won't take it into account.)"

// msgThinking is posted while a mention is being answered.
const msgThinking = "Thinking… 🔎"

// anyMention matches the user, role and channel mentions Discord writes
// into message text: <@id>, <@!id>, <@&id> and <#id>.
var anyMention = regexp.MustCompile(`<(?:@[!&]?|#)\d+>`)

// stripMentions removes user, role and channel mentions from a question:
// they are not words a document contains, and enough of them make an
// answerable question look uncovered.
func stripMentions(q string) string {
	return strings.Join(strings.Fields(anyMention.ReplaceAllString(q, " ")), " ")
}

// onMessageCreate is the gateway entry point for messages.
func (b *Bot) onMessageCreate(s *discordgo.Session, mc *discordgo.MessageCreate) {
	if mc == nil || mc.Message == nil || mc.Author == nil || mc.Author.Bot {
		return
	}
	botID, _ := b.botID.Load().(string)
	if botID == "" || mc.Author.ID == botID {
		return
	}
	if !b.begin() {
		return
	}
	defer b.inflight.Done()
	b.HandleMessage(b.workCtx, mc.Message)
}

// HandleMessage answers a message that mentions the bot (in a new thread
// started on it), or a follow-up in a thread the bot started (answered
// with the thread's earlier turns as history). Nothing else is a
// conversation: not a message in a channel where starting a thread once
// failed (the answer then goes in the channel, and no turn is kept for
// it), not messages without text (thread messages that do not mention the
// bot arrive empty without the Message Content intent), and not system
// messages (pins, thread notices, joins).
func (b *Bot) HandleMessage(ctx context.Context, m *discordgo.Message) {
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return
	}
	if strings.TrimSpace(m.Content) == "" {
		return
	}
	start := b.now()
	botID, _ := b.botID.Load().(string)
	mentioned := false
	for _, u := range m.Mentions {
		if u != nil && u.ID == botID {
			mentioned = true
		}
	}
	ctx, cancel := context.WithTimeout(ctx, b.opts.AnswerTimeout)
	defer cancel()
	// A conversation continues only in a thread the bot started; turns are
	// kept only under such threads, and the thread's owner is checked too,
	// so turns kept under a channel ID by an older version cannot make
	// that channel a conversation.
	var history []answer.Turn
	if b.opts.Store != nil {
		h, err := b.opts.Store.History(ctx, m.ChannelID, historyTurns)
		if err != nil {
			b.log.Error("load thread history", "channel", m.ChannelID, "err", err)
		}
		history = h
	}
	// Ordinary chatter (no mention, no history here) costs no lookup.
	inThread := (mentioned || len(history) > 0) && b.ownThread(ctx, m.ChannelID)
	if !inThread {
		history = nil
	}
	if !mentioned && !inThread {
		return
	}
	question := stripMentions(m.Content)
	var (
		mode     string
		refused  bool
		fallback bool
		err      error
	)
	defer func() {
		attrs := []any{"id", m.ID, "command", "mention", "latency", b.now().Sub(start), "mode", mode, "refused", refused, "follow_up", inThread}
		if err != nil {
			attrs = append(attrs, "error", b.red.text(err.Error()))
		}
		b.log.Info("message", attrs...)
		b.opts.Metrics.Question("mention", outcome(err, refused, fallback))
	}()

	threadID := m.ChannelID
	// keep is whether the turn is kept as the start or continuation of a
	// conversation: only in a thread the bot started.
	keep := inThread
	if !inThread {
		th, terr := b.session.MessageThreadStartComplex(m.ChannelID, m.ID, &discordgo.ThreadStart{
			Name: threadName(question), AutoArchiveDuration: 1440,
		}, discordgo.WithContext(ctx))
		if terr != nil {
			// A message already in a thread (not ours), or a channel where
			// the bot may not create threads: answer where it was asked,
			// as a one-off.
			b.log.Warn("start thread", "message", m.ID, "err", b.red.text(terr.Error()))
		} else {
			threadID, keep = th.ID, true
			b.threads.remember(th.ID, true)
		}
	}
	ch := channel{s: b.session, red: b.red, id: threadID}
	final, fcancel := detached(ctx)
	defer fcancel()

	if verr := answer.ValidateQuestion(question); verr != nil {
		msg, _ := ErrorMessage(verr)
		if strings.TrimSpace(question) == "" {
			msg = "Ask me a question about the MSS mission in Haiti after the mention, e.g. “@missionbot when did the first Kenyan police arrive?”"
		}
		_, err = ch.send(final, outgoing{Content: msg})
		return
	}
	if lerr := b.allow(m.Author.ID); lerr != nil {
		msg, _ := ErrorMessage(lerr)
		_, err = ch.send(final, outgoing{Content: msg})
		return
	}
	res, rerr := b.reserve()
	if rerr != nil {
		msg, _ := ErrorMessage(rerr)
		err = rerr
		_, _ = ch.send(final, outgoing{Content: msg})
		return
	}
	defer res.Cancel()
	ctx = withReservation(ctx, res)
	msgID, err := ch.send(ctx, outgoing{Content: msgThinking})
	if err != nil {
		return
	}
	a, aerr := b.answerInto(ctx, messageReply{ch: ch, msgID: msgID}, m.ID, question, history)
	if aerr != nil && !errors.Is(aerr, errReplyFailed) {
		err = aerr
		msg, ref := ErrorMessage(aerr)
		if ref != "" {
			b.log.Error("mention answer failed", "message", m.ID, "ref", ref, "err", aerr)
		}
		if eerr := ch.edit(final, msgID, outgoing{Content: msg}); eerr != nil {
			b.log.Warn("report error to user", "message", m.ID, "err", eerr)
		}
		return
	}
	mode, refused, fallback = string(a.Mode), a.Refused, isFallback(a)
	if aerr != nil {
		err = aerr
		return
	}
	if b.opts.Store != nil && keep {
		if terr := b.opts.Store.AppendTurn(final, threadID, answer.Turn{Question: question, Answer: a.Text}, b.now()); terr != nil {
			// The answer stands, but follow-ups will not see this turn:
			// say so in the thread rather than forget silently.
			err = fmt.Errorf("thread turn not recorded (follow-ups will not see it): %w", terr)
			if _, serr := ch.send(final, outgoing{Content: msgTurnNotSaved}); serr != nil {
				b.log.Warn("report unsaved thread turn", "message", m.ID, "err", serr)
			}
		}
	}
}

// ownThread reports whether channelID is a thread the bot started: from
// the session's state when it knows the channel, otherwise from Discord
// (GET /channels/{id}), remembered either way. A failed lookup counts as
// not ours, and is not remembered.
func (b *Bot) ownThread(ctx context.Context, channelID string) bool {
	if own, ok := b.threads.lookup(channelID); ok {
		return own
	}
	botID, _ := b.botID.Load().(string)
	ch, err := b.session.State.Channel(channelID)
	if err != nil {
		ch, err = b.session.Channel(channelID, discordgo.WithContext(ctx))
	}
	if err != nil {
		b.log.Warn("look up channel", "channel", channelID, "err", b.red.text(err.Error()))
		return false
	}
	own := ch.IsThread() && ch.OwnerID == botID
	b.threads.remember(channelID, own)
	return own
}

// threadOwners remembers which channels are threads the bot started, so
// follow-ups cost no lookup. It holds at most maxThreadOwners channels and
// forgets them all when full: a lookup is cheap, unbounded memory is not.
type threadOwners struct {
	mu  sync.Mutex      // guards own
	own map[string]bool // channel ID -> thread started by the bot
}

// maxThreadOwners bounds threadOwners.
const maxThreadOwners = 10000

func (t *threadOwners) lookup(id string) (own, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	own, ok = t.own[id]
	return own, ok
}

func (t *threadOwners) remember(id string, own bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.own == nil || len(t.own) >= maxThreadOwners {
		t.own = map[string]bool{}
	}
	t.own[id] = own
}

// threadName names a thread after its question, within Discord's 100
// characters.
func threadName(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if q == "" {
		q = "Question"
	}
	return text.Truncate(q, 90)
}
