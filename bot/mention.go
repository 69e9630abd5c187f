package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

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

// mentionPattern matches a user mention, <@id> or <@!id>.
var mentionPattern = regexp.MustCompile(`<@!?(\d+)>`)

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
// started on it) or that is posted in a thread the bot started (a
// follow-up, answered with the thread's earlier turns as history).
func (b *Bot) HandleMessage(ctx context.Context, m *discordgo.Message) {
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
	var history []answer.Turn
	inThread := false
	if b.opts.Store != nil {
		h, err := b.opts.Store.History(ctx, m.ChannelID, historyTurns)
		if err != nil {
			b.log.Error("load thread history", "channel", m.ChannelID, "err", err)
		}
		history, inThread = h, len(h) > 0
	}
	if !mentioned && !inThread {
		return
	}
	question := strings.TrimSpace(mentionPattern.ReplaceAllStringFunc(m.Content, func(s string) string {
		if mentionPattern.FindStringSubmatch(s)[1] == botID {
			return ""
		}
		return s
	}))
	var (
		mode     string
		refused  bool
		fallback bool
		err      error
	)
	defer func() {
		attrs := []any{"id", m.ID, "command", "mention", "latency", b.now().Sub(start), "mode", mode, "refused", refused, "follow_up", inThread}
		if err != nil {
			attrs = append(attrs, "error", err.Error())
		}
		b.log.Info("message", attrs...)
		b.opts.Metrics.Question("mention", outcome(err, refused, fallback))
	}()

	threadID := m.ChannelID
	if !inThread {
		th, terr := b.session.MessageThreadStartComplex(m.ChannelID, m.ID, &discordgo.ThreadStart{
			Name: threadName(question), AutoArchiveDuration: 1440,
		}, discordgo.WithContext(ctx))
		if terr != nil {
			// A message already in a thread (not ours) cannot start one:
			// answer where it was asked.
			b.log.Warn("start thread", "message", m.ID, "err", terr)
		} else {
			threadID = th.ID
		}
	}
	ch := channel{s: b.session, id: threadID}
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
	if b.opts.Store != nil {
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

// threadName names a thread after its question, within Discord's 100
// characters.
func threadName(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if q == "" {
		q = "Question"
	}
	return text.Truncate(q, 90)
}
