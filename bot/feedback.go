package bot

import (
	"context"
	"fmt"
	"missionbot/store"
	"missionbot/text"
	"strings"
)

// feedbackRecent is how many down-voted answers /feedback lists.
const feedbackRecent = 5

// feedback handles /feedback (moderators): vote totals and the latest
// down-voted questions with their answers, ephemerally.
func (b *Bot) feedback(ctx context.Context, x *exchange) {
	if b.opts.Store == nil {
		x.fail(ctx, errNoStore)
		return
	}
	sum, err := b.opts.Store.Feedback(ctx, feedbackRecent)
	if err != nil {
		x.fail(ctx, fmt.Errorf("feedback: %w", err))
		return
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "👍 %d  ·  👎 %d\n", sum.Up, sum.Down)
	if len(sum.RecentDown) == 0 {
		sb.WriteString("No down-voted answers yet.")
	} else {
		sb.WriteString("\nMost recent 👎:\n")
		for _, it := range sum.RecentDown {
			fmt.Fprintf(&sb, "\n**Q (%s):** %s\n**A:** %s\n", it.At.UTC().Format("2 Jan 15:04"), text.Truncate(strings.TrimSpace(it.Question), 200), text.Truncate(strings.TrimSpace(it.Answer), 250))
		}
	}
	if err := x.reply(ctx, outgoing{Content: text.Truncate(Sanitize(sb.String()), MaxContent), Ephemeral: true}); err != nil {
		x.err = err
	}
}

// recordVotes sets the vote metrics from the store's totals, so they count
// votes (one per user and answer, changed or repeated clicks included
// once) rather than clicks.
func (b *Bot) recordVotes(ctx context.Context) {
	if b.opts.Store == nil || b.opts.Metrics == nil {
		return
	}
	sum, err := b.opts.Store.Feedback(ctx, 0)
	if err != nil {
		b.log.Warn("count votes for metrics", "err", err)
		return
	}
	b.opts.Metrics.Votes(sum.Up, sum.Down)
}

// vote handles a 👍/👎 click.
func (b *Bot) vote(ctx context.Context, x *exchange, customID string) {
	id, up, ok := ParseFeedbackID(customID)
	if !ok {
		x.fail(ctx, fmt.Errorf("%w: vote %q", errUnknownCommand, customID))
		return
	}
	if b.opts.Store == nil {
		x.fail(ctx, errNoStore)
		return
	}
	if err := b.opts.Store.Vote(ctx, id, store.HashUser(b.opts.UserSalt, x.userID()), up, b.now()); err != nil {
		x.fail(ctx, fmt.Errorf("vote: %w", err))
		return
	}
	b.recordVotes(ctx)
	if err := x.reply(ctx, outgoing{Content: "Thanks for the feedback!", Ephemeral: true}); err != nil {
		x.err = err
	}
}
