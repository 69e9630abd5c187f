package bot

import (
	"slices"

	"github.com/bwmarrin/discordgo"
)

// checkModerator returns nil when the invoking member may use moderator
// commands: they have Manage Server or Administrator in the interaction's
// permissions, or one of Options.ModeratorRoles. Discord's default member
// permissions only hide commands; server admins can change them, so this
// runs on every call. Outside a server (no member) it refuses.
func (b *Bot) checkModerator(i *discordgo.Interaction) error {
	if i.Member == nil {
		return &notModeratorError{reason: "moderator commands work only inside a server, not in direct messages"}
	}
	if i.Member.Permissions&(discordgo.PermissionManageGuild|discordgo.PermissionAdministrator) != 0 {
		return nil
	}
	for _, r := range i.Member.Roles {
		if slices.Contains(b.opts.ModeratorRoles, r) {
			return nil
		}
	}
	return &notModeratorError{reason: "you need the Manage Server permission or a moderator role"}
}
