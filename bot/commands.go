package bot

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"missionbot/answer"
)

// The slash command names.
const (
	cmdAsk          = "ask"
	cmdSources      = "sources"
	cmdAbout        = "about"
	cmdRefresh      = "refresh"
	cmdAddSource    = "add-source"
	cmdRemoveSource = "remove-source"
	cmdFeedback     = "feedback"
)

// commandData is the data of a slash command interaction.
type commandData = discordgo.ApplicationCommandInteractionData

// route is one slash command: its definition as registered with Discord,
// whether it is for moderators, and its handler.
type route struct {
	def       *discordgo.ApplicationCommand
	moderator bool
	handle    func(b *Bot, ctx context.Context, x *exchange, data commandData)
}

// routes lists every slash command in one place. Moderator commands default
// to members with Manage Server; the bot checks again on every call
// because server admins can change who sees them.
func routes() []route {
	manage := int64(discordgo.PermissionManageGuild)
	noDM := false
	yesDM := true
	minQ, maxQ := 1, min(answer.MaxQuestionLength, 6000)
	forModerators := func(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommand {
		return &discordgo.ApplicationCommand{Name: name, Description: desc, DefaultMemberPermissions: &manage, DMPermission: &noDM, Options: opts}
	}
	return []route{
		{def: &discordgo.ApplicationCommand{
			Name: cmdAsk, Description: "Ask a question about the MSS mission in Haiti; answered from the news corpus with citations",
			DMPermission: &yesDM,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question", Required: true, MinLength: &minQ, MaxLength: maxQ},
				{Type: discordgo.ApplicationCommandOptionBoolean, Name: "private", Description: "Only you see the answer"},
			},
		}, handle: (*Bot).ask},
		{def: &discordgo.ApplicationCommand{Name: cmdSources, Description: "List the documents the bot answers from", DMPermission: &yesDM},
			handle: func(b *Bot, ctx context.Context, x *exchange, _ commandData) { b.sources(ctx, x) }},
		{def: &discordgo.ApplicationCommand{Name: cmdAbout, Description: "What this bot is, how big its corpus is and which models it uses", DMPermission: &yesDM},
			handle: func(b *Bot, ctx context.Context, x *exchange, _ commandData) { b.about(ctx, x) }},
		{def: forModerators(cmdRefresh, "Re-ingest the corpus (moderators)"), moderator: true,
			handle: func(b *Bot, ctx context.Context, x *exchange, _ commandData) { b.refreshCommand(ctx, x) }},
		{def: forModerators(cmdAddSource, "Add a document to the corpus (moderators)",
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionAttachment, Name: "file", Description: "A .txt, .md, .html or .pdf file"},
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "An http(s) link to an article"},
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: "title", Description: "The document's title"},
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: "publisher", Description: "Who published it"},
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: "date", Description: "Publication date, YYYY-MM-DD"},
		), moderator: true, handle: (*Bot).addSource},
		{def: forModerators(cmdRemoveSource, "Remove a document from the corpus (moderators)",
			&discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: "document", Description: "The document to remove", Required: true, Autocomplete: true},
		), moderator: true, handle: (*Bot).removeSource},
		{def: forModerators(cmdFeedback, "Votes on answers and the latest down-voted ones (moderators)"), moderator: true,
			handle: func(b *Bot, ctx context.Context, x *exchange, _ commandData) { b.feedback(ctx, x) }},
	}
}

// Commands returns the application commands the bot registers.
func Commands() []*discordgo.ApplicationCommand {
	rs := routes()
	out := make([]*discordgo.ApplicationCommand, len(rs))
	for i, r := range rs {
		out[i] = r.def
	}
	return out
}

// routeFor returns the route of the command name, and false for a name the
// bot does not know.
func routeFor(name string) (route, bool) {
	for _, r := range routes() {
		if r.def.Name == name {
			return r, true
		}
	}
	return route{}, false
}

// registerCommands replaces the registered commands with Commands() in one
// bulk overwrite, which is idempotent: running it again changes nothing.
func (b *Bot) registerCommands(ctx context.Context) error {
	appID, _ := b.appID.Load().(string)
	cmds, err := b.session.ApplicationCommandBulkOverwrite(appID, b.opts.GuildID, Commands(), discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("bot: register commands: %w", b.red.error(classifyREST(err)))
	}
	b.log.Info("registered commands", "count", len(cmds), "guild", b.opts.GuildID)
	return nil
}
