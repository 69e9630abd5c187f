package bot

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"missionbot/corpus"
)

// maxChoices is Discord's limit on autocomplete choices.
const maxChoices = 25

// addSource handles /add-source: fetch a file attachment or a URL, save it
// with its metadata through the corpus folder, then refresh.
func (b *Bot) addSource(ctx context.Context, x *exchange, data discordgo.ApplicationCommandInteractionData) {
	if b.opts.Corpus == nil {
		x.fail(ctx, errNoCorpusDir)
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
	title := strings.TrimSpace(optionString(data.Options, "title"))
	publisher := strings.TrimSpace(optionString(data.Options, "publisher"))
	date := strings.TrimSpace(optionString(data.Options, "date"))
	if date != "" {
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			x.fail(ctx, userErrorf("The date %q is not a valid YYYY-MM-DD date.", clip(date, 40)))
			return
		}
	}
	release, ok := b.startRefresh(ctx, x)
	if !ok {
		return
	}
	defer release()
	f, err := b.opts.Fetcher.Fetch(ctx, src.url)
	if err != nil {
		x.fail(ctx, fmt.Errorf("add source: fetch: %w", err))
		return
	}
	if title == "" {
		title = f.Title
	}
	if title == "" {
		title = strings.TrimSuffix(src.name, path.Ext(src.name))
	}
	ext := path.Ext(f.FileName)
	if ext == "" {
		ext = path.Ext(src.name)
	}
	name := FileNameFor(title, ext)
	entry := corpus.Meta{DocID: name, Title: title, Publisher: publisher, Published: date}
	if !src.attachment {
		entry.URL = src.url
	}
	if err := b.opts.Corpus.Add(ctx, name, f.Data, entry); err != nil {
		x.fail(ctx, fmt.Errorf("add source: save %s: %w", name, err))
		return
	}
	b.runRefresh(ctx, x, fmt.Sprintf("Added “%s” as %s. Refreshing the index…", Sanitize(clip(title, 200)), name))
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
			return sourceRef{}, fmt.Errorf("attachment %q: %w", clip(att.Filename, 60), ErrUnsupportedType)
		}
		if maxBytes > 0 && int64(att.Size) > maxBytes {
			return sourceRef{}, fmt.Errorf("attachment of %d bytes: %w", att.Size, ErrTooLarge)
		}
		return sourceRef{url: att.URL, name: att.Filename, attachment: true}, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return sourceRef{}, userErrorf("The url must be an http:// or https:// link.")
	}
	return sourceRef{url: u.String(), name: path.Base(u.Path)}, nil
}

// removeSource handles /remove-source: remove the chosen document, then
// refresh.
func (b *Bot) removeSource(ctx context.Context, x *exchange, data discordgo.ApplicationCommandInteractionData) {
	if b.opts.Corpus == nil {
		x.fail(ctx, errNoCorpusDir)
		return
	}
	docID := strings.TrimSpace(optionString(data.Options, "document"))
	title := ""
	for _, s := range b.opts.Library.Sources() {
		if s.DocID == docID {
			title = s.Title
		}
	}
	if title == "" {
		x.fail(ctx, userErrorf("No document matches %q; pick one from the suggestions.", clip(docID, 100)))
		return
	}
	release, ok := b.startRefresh(ctx, x)
	if !ok {
		return
	}
	defer release()
	if err := b.opts.Corpus.Remove(ctx, docID); err != nil {
		x.fail(ctx, fmt.Errorf("remove source %s: %w", docID, err))
		return
	}
	b.runRefresh(ctx, x, fmt.Sprintf("Removed “%s”. Refreshing the index…", Sanitize(clip(title, 200))))
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
		for _, s := range b.opts.Library.Sources() {
			if len(choices) == maxChoices {
				break
			}
			label := s.Title
			if label == "" {
				label = s.DocID
			}
			if typed != "" && !strings.Contains(strings.ToLower(label), typed) && !strings.Contains(strings.ToLower(s.DocID), typed) {
				continue
			}
			if len(s.DocID) > 100 {
				continue // Discord caps choice values at 100 characters.
			}
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: clip(label, 100), Value: s.DocID})
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
