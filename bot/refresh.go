package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"missionbot/retrieval"
)

// refreshTimeout bounds one refresh, which may embed a whole corpus.
const refreshTimeout = 30 * time.Minute

// isRefreshRunning reports whether err says another refresh is running.
func isRefreshRunning(err error) bool {
	return errors.Is(err, retrieval.ErrRefreshRunning)
}

// refreshCommand handles /refresh.
func (b *Bot) refreshCommand(ctx context.Context, x *exchange) {
	release, ok := b.startRefresh(ctx, x)
	if !ok {
		return
	}
	defer release()
	b.runRefresh(ctx, x, "Refreshing the corpus…")
}

// startRefresh takes the one-refresh-at-a-time lock and acknowledges the
// interaction, for the commands that change the corpus. When ok is false
// the user has been answered (a refresh is already running, or the ack
// failed) and the caller must stop; otherwise it must call release.
func (b *Bot) startRefresh(ctx context.Context, x *exchange) (release func(), ok bool) {
	if !b.refreshing.CompareAndSwap(false, true) {
		x.fail(ctx, errRefreshBusy)
		return nil, false
	}
	if err := x.deferReply(false); err != nil {
		b.refreshing.Store(false)
		x.err = err
		return nil, false
	}
	return func() { b.refreshing.Store(false) }, true
}

// runRefresh runs Library.Refresh with the caller holding b.refreshing,
// editing the interaction's message with progress at most once per
// EditInterval and ending with a summary (or why it failed; the previous
// index keeps serving). headline opens every edit. The refresh outlives
// the interaction's answer timeout, up to refreshTimeout.
func (b *Bot) runRefresh(ctx context.Context, x *exchange, headline string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	// Still stop when the bot shuts down.
	stopOnShutdown := context.AfterFunc(b.workCtx, cancel)
	defer stopOnShutdown()

	th := startThrottle(ctx, b.opts.EditInterval, func(ctx context.Context, p retrieval.Progress) {
		msg := fmt.Sprintf("%s\nEmbedding chunks: %d/%d", headline, p.Embedded, p.Total)
		if err := x.hook.editOriginal(ctx, outgoing{Content: msg}); err != nil {
			b.log.Debug("refresh progress edit failed", "err", err)
		}
	})
	progress := func(p retrieval.Progress) { th.Update(func(retrieval.Progress) retrieval.Progress { return p }) }
	start := b.now()
	stats, err := b.opts.Library.Refresh(ctx, progress)
	th.Stop()

	if !isRefreshRunning(err) {
		b.opts.Metrics.Refresh(err == nil, b.now().Sub(start))
		st := b.opts.Library.Stats()
		b.opts.Metrics.IndexSize(st.Documents, st.Chunks)
	}
	rec := RefreshRecord{At: start, Stats: stats, By: HashUser(b.opts.UserSalt, x.userID())}
	if err != nil {
		rec.Err = err.Error()
	}
	if b.opts.Store != nil {
		if rerr := b.opts.Store.RecordRefresh(ctx, rec); rerr != nil {
			b.log.Error("record refresh", "err", rerr)
		}
	}
	if err != nil {
		if isRefreshRunning(err) {
			x.fail(ctx, errRefreshBusy)
			return
		}
		msg, ref := ErrorMessage(causeOf(ctx, err))
		if ref != "" {
			x.err, x.ref = err, ref
		}
		_ = x.hook.editOriginal(ctx, outgoing{Content: "Refresh failed: " + msg + "\nThe previous index keeps serving answers."})
		return
	}
	if stats.Duration == 0 {
		stats.Duration = b.now().Sub(start)
	}
	if err := x.hook.editOriginal(ctx, outgoing{Content: headline + "\n" + refreshSummary(stats)}); err != nil {
		x.err = err
	}
}

// refreshSummary describes a finished refresh in one short paragraph.
func refreshSummary(s retrieval.RefreshStats) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Refresh done in %.1f s: %d document(s) added, %d updated, %d removed; %d chunk(s) embedded, %d in the index.",
		s.Duration.Seconds(), s.DocsAdded, s.DocsUpdated, s.DocsRemoved, s.ChunksEmbedded, s.ChunksTotal)
	if s.Rebuilt {
		fmt.Fprintf(&sb, "\nThe index was rebuilt: %s.", s.RebuildReason)
	}
	if n := len(s.Warnings); n > 0 {
		fmt.Fprintf(&sb, "\n%d file(s) skipped:", n)
		for k, w := range s.Warnings {
			if k == 5 {
				fmt.Fprintf(&sb, "\n… and %d more", n-5)
				break
			}
			sb.WriteString("\n• " + Sanitize(w))
		}
	}
	return sb.String()
}
