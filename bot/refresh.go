package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"missionbot/library"
	"missionbot/retrieval"
	"missionbot/store"
)

// refreshTimeout bounds one refresh, which may embed a whole corpus.
const refreshTimeout = 30 * time.Minute

// refreshCommand handles /refresh.
func (b *Bot) refreshCommand(ctx context.Context, x *exchange) {
	b.changeCorpus(ctx, x, "Refreshing the corpus…", func(ctx context.Context, progress func(retrieval.Progress)) (string, retrieval.RefreshStats, error) {
		stats, err := b.opts.Library.Refresh(ctx, library.RefreshOptions{Progress: progress})
		return "", stats, err
	})
}

// corpusChange is one change the library makes under its writer lock,
// ending in a refresh: it returns the headline for the final message (""
// to keep the first one), the refresh's stats and its error.
type corpusChange func(ctx context.Context, progress func(retrieval.Progress)) (headline string, stats retrieval.RefreshStats, err error)

// changeCorpus acknowledges the interaction and runs change, editing the
// message with progress at most once per EditInterval and ending with a
// summary (or why it failed; the previous index keeps serving). headline
// opens every edit. The change outlives the interaction's answer timeout,
// up to refreshTimeout, but still stops when the bot shuts down.
func (b *Bot) changeCorpus(ctx context.Context, x *exchange, headline string, change corpusChange) {
	if err := x.deferReply(false); err != nil {
		x.err = err
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	stopOnShutdown := context.AfterFunc(b.workCtx, cancel)
	defer stopOnShutdown()

	th := startThrottle(ctx, b.opts.EditInterval, func(ctx context.Context, p retrieval.Progress) {
		msg := headline + "\n" + p.String()
		if err := x.hook.editOriginal(ctx, outgoing{Content: msg}); err != nil {
			b.log.Debug("refresh progress edit failed", "err", err)
		}
	})
	progress := func(p retrieval.Progress) { th.Update(func(retrieval.Progress) retrieval.Progress { return p }) }
	start := b.now()
	done, stats, err := change(ctx, progress)
	th.Stop()
	if done != "" {
		headline = done
	}
	// The whole operation's time, as the moderator waited for it: fetching,
	// loading every document, embedding and writing. The index's own
	// figure covers only its part and is near zero when nothing changed.
	stats.Duration = b.now().Sub(start)

	busy := errors.Is(err, library.ErrBusy)
	var unchanged *unchangedError
	if !busy {
		b.opts.Metrics.Refresh(err == nil, stats.Duration)
		st := b.opts.Library.Stats()
		b.opts.Metrics.IndexSize(st.Documents, st.Chunks)
		b.recordRefresh(ctx, x, start, stats, err)
	}
	if err != nil {
		msg, ref := ErrorMessage(causeOf(ctx, err))
		if !busy && !errors.As(err, &unchanged) {
			msg = "Refresh failed: " + msg + "\nThe previous index keeps serving answers."
		}
		x.failWith(ctx, err, msg, ref)
		return
	}
	if err := x.hook.editOriginal(ctx, outgoing{Content: headline + "\n" + refreshSummary(stats)}); err != nil {
		x.err = err
	}
}

// unchangedError wraps the failure of a corpus change that stopped before
// anything was written or refreshed (the URL could not be fetched, the
// document was refused), so it is not reported as a failed refresh.
type unchangedError struct{ err error }

func (e *unchangedError) Error() string { return e.err.Error() }
func (e *unchangedError) Unwrap() error { return e.err }

// recordRefresh writes a refresh to the store's log.
func (b *Bot) recordRefresh(ctx context.Context, x *exchange, start time.Time, stats retrieval.RefreshStats, err error) {
	if b.opts.Store == nil {
		return
	}
	rec := store.RefreshRecord{At: start, Stats: stats, By: store.HashUser(b.opts.UserSalt, x.userID())}
	if err != nil {
		rec.Err = err.Error()
	}
	if rerr := b.opts.Store.RecordRefresh(ctx, rec); rerr != nil {
		b.log.Error("record refresh", "err", rerr)
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
