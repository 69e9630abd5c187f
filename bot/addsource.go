package bot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"missionbot/corpus"
	"missionbot/fetch"
	"missionbot/library"
	"missionbot/retrieval"
	"missionbot/text"
)

// maxChoices is Discord's limit on autocomplete choices.
const maxChoices = 25

// addSource handles /add-source: fetch a file attachment or a URL, then
// hand it to the library, which checks that it loads, saves it with its
// metadata and refreshes.
func (b *Bot) addSource(ctx context.Context, x *exchange, data discordgo.ApplicationCommandInteractionData) {
	if !b.opts.Library.Writable() {
		x.fail(ctx, library.ErrReadOnly)
		return
	}
	if b.opts.Fetcher == nil {
		x.fail(ctx, userErrorf("Adding documents is not configured on this bot."))
		return
	}
	src, err := addSourceURL(data, b.opts.MaxUploadBytes)
	if err != nil {
		x.fail(ctx, err)
		return
	}
	meta := corpus.Meta{
		Title:     strings.TrimSpace(optionString(data.Options, "title")),
		Publisher: strings.TrimSpace(optionString(data.Options, "publisher")),
		Published: strings.TrimSpace(optionString(data.Options, "date")),
	}
	if meta.Published != "" {
		if _, err := time.Parse(time.DateOnly, meta.Published); err != nil {
			x.fail(ctx, userErrorf("The date %q is not a valid YYYY-MM-DD date.", text.Truncate(meta.Published, 40)))
			return
		}
	}
	if !src.attachment {
		meta.URL = src.url
	}
	b.changeCorpus(ctx, x, "Adding the document…", func(ctx context.Context, progress func(retrieval.Progress)) (string, retrieval.RefreshStats, error) {
		f, err := b.opts.Fetcher.Fetch(ctx, src.url)
		if err != nil {
			return "", retrieval.RefreshStats{}, &unchangedError{fmt.Errorf("add source: fetch: %w", err)}
		}
		name := strings.TrimSuffix(src.name, path.Ext(src.name))
		if name == "" {
			name = f.Name
		}
		ext := f.Ext
		if src.attachment && path.Ext(src.name) != "" {
			ext = path.Ext(src.name)
		}
		added, err := b.opts.Library.Add(ctx, library.NewDocument{Data: f.Data, Ext: ext, Name: name, Meta: meta}, progress)
		if err != nil && added.Meta.DocID == "" {
			return "", added.Stats, &unchangedError{fmt.Errorf("add source: %w", err)}
		}
		return fmt.Sprintf("Added “%s” as %s.", Sanitize(text.Truncate(added.Meta.Title, 200)), added.Meta.DocID), added.Stats, err
	})
}

// sourceRef is where /add-source reads a document from.
type sourceRef struct {
	url        string
	name       string
	attachment bool
}

// addSourceURL picks the file attachment or the url option; exactly one
// must be given.
func addSourceURL(data discordgo.ApplicationCommandInteractionData, maxBytes int64) (sourceRef, error) {
	raw := strings.TrimSpace(optionString(data.Options, "url"))
	attID := optionString(data.Options, "file")
	switch {
	case raw != "" && attID != "":
		return sourceRef{}, userErrorf("Give either a file or a url, not both.")
	case raw == "" && attID == "":
		return sourceRef{}, userErrorf("Attach a file (.txt, .md, .html or .pdf) or give a url.")
	case attID != "":
		var att *discordgo.MessageAttachment
		if data.Resolved != nil {
			att = data.Resolved.Attachments[attID]
		}
		if att == nil || att.URL == "" {
			return sourceRef{}, userErrorf("I couldn't find the attached file; please try attaching it again.")
		}
		switch strings.ToLower(path.Ext(att.Filename)) {
		case ".txt", ".md", ".html", ".htm", ".pdf":
		default:
			return sourceRef{}, &fetch.Error{Kind: fetch.ErrUnsupportedType, Detail: "attachment " + text.Truncate(att.Filename, 60)}
		}
		if maxBytes > 0 && int64(att.Size) > maxBytes {
			return sourceRef{}, &fetch.Error{Kind: fetch.ErrTooLarge, Detail: fmt.Sprintf("attachment of %d bytes, limit %d", att.Size, maxBytes)}
		}
		return sourceRef{url: att.URL, name: att.Filename, attachment: true}, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return sourceRef{}, userErrorf("The url must be an http:// or https:// link.")
	}
	return sourceRef{url: u.String(), name: path.Base(u.Path)}, nil
}

// removeSource handles /remove-source: the library removes the chosen
// document and refreshes.
func (b *Bot) removeSource(ctx context.Context, x *exchange, data discordgo.ApplicationCommandInteractionData) {
	if !b.opts.Library.Writable() {
		x.fail(ctx, library.ErrReadOnly)
		return
	}
	docID := strings.TrimSpace(optionString(data.Options, "document"))
	title := ""
	for _, d := range b.removable() {
		if d.DocID == docID {
			title = d.label()
		}
	}
	if title == "" {
		x.fail(ctx, userErrorf("No document matches %q; pick one from the suggestions.", text.Truncate(docID, 100)))
		return
	}
	b.changeCorpus(ctx, x, fmt.Sprintf("Removing “%s”…", Sanitize(text.Truncate(title, 200))), func(ctx context.Context, progress func(retrieval.Progress)) (string, retrieval.RefreshStats, error) {
		stats, err := b.opts.Library.Remove(ctx, docID, progress)
		if err != nil {
			return "", stats, fmt.Errorf("remove source %s: %w", docID, err)
		}
		return fmt.Sprintf("Removed “%s”.", Sanitize(text.Truncate(title, 200))), stats, nil
	})
}

// removableDoc is a document /remove-source can remove.
type removableDoc struct {
	corpus.Meta
	// indexed is false for a file in the folder that failed to load.
	indexed bool
}

// label names the document for a moderator.
func (d removableDoc) label() string {
	l := strings.Join(strings.Fields(d.Title), " ")
	if l == "" {
		l = d.DocID
	}
	if !d.indexed {
		l += " (not indexed: " + d.DocID + ")"
	}
	return l
}

// removable lists what /remove-source can remove: the indexed documents,
// then the folder's files that are not indexed (a saved document that
// failed to load would otherwise stay for ever).
func (b *Bot) removable() []removableDoc {
	var out []removableDoc
	seen := map[string]bool{}
	for _, s := range b.opts.Library.Sources() {
		out = append(out, removableDoc{Meta: s.Meta, indexed: true})
		seen[s.DocID] = true
	}
	files, err := b.opts.Library.Documents()
	if err != nil && !errors.Is(err, library.ErrReadOnly) {
		b.log.Warn("list corpus folder", "err", err)
	}
	for _, f := range files {
		if !seen[f.DocID] {
			out = append(out, removableDoc{Meta: f})
		}
	}
	return out
}

// autocomplete suggests documents for /remove-source by title.
func (b *Bot) autocomplete(ctx context.Context, x *exchange, data discordgo.ApplicationCommandInteractionData) {
	typed := ""
	for _, o := range data.Options {
		if o.Focused {
			typed, _ = o.Value.(string)
		}
	}
	typed = strings.ToLower(strings.TrimSpace(typed))
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	// Suggestions are for moderators only; others see none.
	if data.Name == cmdRemoveSource && b.checkModerator(x.i) == nil {
		for _, d := range b.removable() {
			if len(choices) == maxChoices {
				break
			}
			label := d.label()
			if typed != "" && !strings.Contains(strings.ToLower(label), typed) && !strings.Contains(strings.ToLower(d.DocID), typed) {
				continue
			}
			if len(d.DocID) > 100 {
				continue // Discord caps choice values at 100 characters.
			}
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: text.Truncate(label, 100), Value: d.DocID})
		}
	}
	err := x.respond(&discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	})
	if err != nil {
		x.err = err
	}
}
