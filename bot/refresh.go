package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
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
	if !b.refreshing.CompareAndSwap(false, true) {
		x.fail(ctx, errRefreshBusy)
		return
	}
	defer b.refreshing.Store(false)
	if err := x.deferReply(false); err != nil {
		x.err = err
		return
	}
	b.runRefresh(ctx, x, "Refreshing the corpus…")
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

	var (
		mu      sync.Mutex
		last    retrieval.Progress // guarded by mu
		changed bool               // guarded by mu
	)
	progress := func(p retrieval.Progress) {
		mu.Lock()
		last, changed = p, true
		mu.Unlock()
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(b.opts.EditInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			mu.Lock()
			p, dirty := last, changed
			changed = false
			mu.Unlock()
			if !dirty {
				continue
			}
			msg := fmt.Sprintf("%s\nEmbedding chunks: %d/%d", headline, p.Embedded, p.Total)
			if err := x.hook.editOriginal(ctx, outgoing{Content: msg}); err != nil {
				b.log.Debug("refresh progress edit failed", "err", err)
			}
		}
	}()
	start := b.now()
	stats, err := b.opts.Library.Refresh(ctx, progress)
	close(stop)
	wg.Wait()

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
