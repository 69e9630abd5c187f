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

// Commands returns the application commands the bot registers. Moderator
// commands default to members with Manage Server; the bot checks again on
// every call because server admins can change who sees them.
func Commands() []*discordgo.ApplicationCommand {
	manage := int64(discordgo.PermissionManageGuild)
	noDM := false
	yesDM := true
	minQ, maxQ := 1, answer.MaxQuestionLength
	if maxQ > 6000 {
		maxQ = 6000
	}
	return []*discordgo.ApplicationCommand{
		{
			Name: cmdAsk, Description: "Ask a question about the MSS mission in Haiti; answered from the news corpus with citations",
			DMPermission: &yesDM,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question", Required: true, MinLength: &minQ, MaxLength: maxQ},
				{Type: discordgo.ApplicationCommandOptionBoolean, Name: "private", Description: "Only you see the answer"},
			},
		},
		{Name: cmdSources, Description: "List the documents the bot answers from", DMPermission: &yesDM},
		{Name: cmdAbout, Description: "What this bot is, how big its corpus is and which models it uses", DMPermission: &yesDM},
		{Name: cmdRefresh, Description: "Re-ingest the corpus (moderators)", DefaultMemberPermissions: &manage, DMPermission: &noDM},
		{
			Name: cmdAddSource, Description: "Add a document to the corpus (moderators)", DefaultMemberPermissions: &manage, DMPermission: &noDM,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionAttachment, Name: "file", Description: "A .txt, .md, .html or .pdf file"},
				{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "An http(s) link to an article"},
				{Type: discordgo.ApplicationCommandOptionString, Name: "title", Description: "The document's title"},
				{Type: discordgo.ApplicationCommandOptionString, Name: "publisher", Description: "Who published it"},
				{Type: discordgo.ApplicationCommandOptionString, Name: "date", Description: "Publication date, YYYY-MM-DD"},
			},
		},
		{
			Name: cmdRemoveSource, Description: "Remove a document from the corpus (moderators)", DefaultMemberPermissions: &manage, DMPermission: &noDM,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "document", Description: "The document to remove", Required: true, Autocomplete: true},
			},
		},
		{Name: cmdFeedback, Description: "Votes on answers and the latest down-voted ones (moderators)", DefaultMemberPermissions: &manage, DMPermission: &noDM},
	}
}

// moderatorOnly reports whether a command is for moderators.
func moderatorOnly(name string) bool {
	switch name {
	case cmdRefresh, cmdAddSource, cmdRemoveSource, cmdFeedback:
		return true
	}
	return false
}

// registerCommands replaces the registered commands with Commands() in one
// bulk overwrite, which is idempotent: running it again changes nothing.
func (b *Bot) registerCommands(ctx context.Context) error {
	appID, _ := b.appID.Load().(string)
	cmds, err := b.session.ApplicationCommandBulkOverwrite(appID, b.opts.GuildID, Commands(), discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("bot: register commands: %w", classifyREST(err))
	}
	b.log.Info("registered commands", "count", len(cmds), "guild", b.opts.GuildID)
	return nil
}
