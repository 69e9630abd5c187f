package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// sourcesPerPage is how many documents one /sources page lists.
const sourcesPerPage = 10

// sources handles /sources: the first page of the document list.
func (b *Bot) sources(ctx context.Context, x *exchange) {
	if err := x.reply(ctx, b.sourcesMessage(0)); err != nil {
		x.err = err
	}
}

// sourcesMessage renders page (from 0) of the source list with pager
// buttons when there is more than one page.
func (b *Bot) sourcesMessage(page int) outgoing {
	srcs := b.opts.Library.Sources()
	if len(srcs) == 0 {
		return outgoing{Content: "The corpus is empty: no documents are indexed yet."}
	}
	embed, pages := SourcesPage(srcs, page, sourcesPerPage)
	o := outgoing{
		Content: fmt.Sprintf("%d document(s) in the corpus.", len(srcs)),
		Embeds:  []*discordgo.MessageEmbed{embed},
	}
	if pages > 1 {
		o.Components = PageButtons("sources", page, pages)
	}
	return o
}

// page handles a pager button, "page:<kind>:<n>", by updating the message
// it is on.
func (b *Bot) page(ctx context.Context, x *exchange, customID string) {
	parts := strings.Split(customID, ":")
	if len(parts) != 3 || parts[1] != "sources" {
		x.fail(ctx, fmt.Errorf("%w: pager %q", errUnknownCommand, customID))
		return
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil || n < 0 {
		x.fail(ctx, fmt.Errorf("%w: pager %q", errUnknownCommand, customID))
		return
	}
	err = x.respond(&discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseUpdateMessage,
		Data: b.sourcesMessage(n).responseData(),
	})
	if err != nil {
		x.err = err
	}
}
