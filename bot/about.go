package bot

import (
	"context"
	"fmt"
	"missionbot/text"
	"strings"
	"time"
)

// maxAboutFolds bounds the folded copies /about names.
const maxAboutFolds = 5

// about handles /about.
func (b *Bot) about(ctx context.Context, x *exchange) {
	st := b.opts.Library.Stats()
	var sb strings.Builder
	sb.WriteString("**missionbot** answers questions about the Kenya-led Multinational Security Support (MSS) mission in Haiti from a corpus of news articles, citing its sources as [n]. It says so when the corpus doesn't cover a question.\n\n")
	fmt.Fprintf(&sb, "• Corpus: %d document(s), %d chunk(s)\n", st.Documents, st.Chunks)
	if folds := b.opts.Library.Folds(); len(folds) > 0 {
		fmt.Fprintf(&sb, "• Copies: %d document(s) repeat the story of another and are cited as that one, \"also reported by\":\n", len(folds))
		for i, f := range folds {
			if i == maxAboutFolds {
				fmt.Fprintf(&sb, "  … and %d more (see /sources)\n", len(folds)-maxAboutFolds)
				break
			}
			fmt.Fprintf(&sb, "  ◦ %s → %s\n", escapeMarkdown(text.Truncate(f.Copy.DocID, 80)), escapeMarkdown(text.Truncate(f.Into.DocID, 80)))
		}
	}
	if !st.RefreshedAt.IsZero() {
		fmt.Fprintf(&sb, "• Index built: %s (took %s)\n", st.RefreshedAt.UTC().Format("2 Jan 2006 15:04 MST"), st.RefreshDuration.Round(time.Millisecond))
	}
	if b.opts.Store != nil {
		if r, ok, err := b.opts.Store.LastRefresh(ctx); err != nil {
			b.log.Warn("about: last refresh", "err", err)
		} else if ok {
			status := "succeeded"
			if r.Err != "" {
				status = "failed"
			}
			fmt.Fprintf(&sb, "• Last /refresh: %s, %s in %s\n", r.At.UTC().Format("2 Jan 2006 15:04 MST"), status, r.Stats.Duration.Round(time.Millisecond))
		}
	}
	emb := st.Embedder.Name
	if st.Embedder.Model != "" {
		emb += " (" + st.Embedder.Model + ")"
	}
	if emb != "" {
		fmt.Fprintf(&sb, "• Embeddings: %s\n", emb)
	}
	fmt.Fprintf(&sb, "• Answers: %s\n", b.opts.Models)
	if err := x.reply(ctx, outgoing{Content: Sanitize(sb.String())}); err != nil {
		x.err = err
	}
}
