package bot

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"missionbot/answer"
	"missionbot/corpus"
	"missionbot/retrieval"
	"missionbot/text"
)

// Discord's documented limits on embeds, in characters.
const (
	maxEmbedTitle       = 256
	maxEmbedDescription = 4096
	maxEmbedFooter      = 2048
	// maxSourceTitle bounds one title in a source line, so that one long
	// title cannot crowd the others out of the embed.
	maxSourceTitle = 200
	// maxAlsoReported is how many corroborating publishers a line names.
	maxAlsoReported = 3
)

// emptyAnswerText stands in for an answer with no text, so a reply is
// never empty.
const emptyAnswerText = "I couldn't put an answer together this time. Please try again."

// sourcesColour is the embeds' side-bar colour.
const sourcesColour = 0x2b6cb0

// NoMentions returns allowed mentions that permit none: the explicit empty
// list serialises as {"parse":[]}, which Discord reads as "ping nobody",
// whereas a nil *MessageAllowedMentions would fall back to the defaults.
// Attach it to every message that echoes user or model text.
func NoMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// massMention matches the mentions that ping everyone in a channel.
var massMention = regexp.MustCompile(`(?i)@(everyone|here)`)

// Sanitize neutralises, in text the bot echoes back (answers, document
// titles and text, streamed partial answers):
//   - @everyone and @here, by putting a zero-width space after the @, so
//     they render but cannot ping even if allowed mentions were ever
//     dropped (NoMentions is the first line of defence; this is the
//     second);
//   - masked links, [text](url), which Discord renders as "text" linking
//     anywhere ("[click me](https://evil.example/phish)", or a citation
//     marker "[[1]](…)"): a zero-width space between "]" and "(" breaks the
//     link, so the URL shows as written and Discord links it only as the
//     plain URL it is.
//
// The bot's own links (source titles in the Sources embed) are built
// after their text has been sanitised and escaped.
func Sanitize(s string) string {
	s = massMention.ReplaceAllString(s, "@\u200b$1")
	return strings.ReplaceAll(s, "](", "]\u200b(")
}

// Rendered is an answer laid out as Discord messages: one message per part,
// in order, with Embeds attached to the last part.
type Rendered struct {
	Parts  []string
	Embeds []*discordgo.MessageEmbed
}

// RenderAnswer lays out an answer for Discord: the text it was given (with
// its notice, if any, as a final italic line) split into parts within
// MaxContent, and a sources embed for the last part. A refusal has no
// embed. Parts is never empty.
func RenderAnswer(a answer.Answer) Rendered {
	text := strings.TrimSpace(a.Text)
	if text == "" {
		text = emptyAnswerText
	}
	if n := strings.TrimSpace(a.Notice); n != "" {
		text += "\n\n*" + escapeMarkdown(strings.Join(strings.Fields(n), " ")) + "*"
	}
	r := Rendered{Parts: SplitMessage(Sanitize(text), MaxContent)}
	if !a.Refused && len(a.Citations) > 0 {
		r.Embeds = []*discordgo.MessageEmbed{SourcesEmbed(a.Citations)}
	}
	return r
}

// SourcesEmbed renders citations as a "Sources" embed with one line per
// citation, "n. Title — Publisher, 5 Mar 2024", the title linked when the
// URL is known, and other outlets that carried the same passage named as
// "also reported by …". Lines that do not fit Discord's limits are dropped
// with a count of what was left out. It returns nil for no citations.
func SourcesEmbed(cits []answer.Citation) *discordgo.MessageEmbed {
	if len(cits) == 0 {
		return nil
	}
	lines := make([]string, 0, len(cits))
	for _, c := range cits {
		line := sourceLine(c.N, c.Meta)
		if also := alsoReported(c.Publisher, c.Corroborating); also != "" {
			line += "\n   " + also
		}
		lines = append(lines, line)
	}
	return &discordgo.MessageEmbed{
		Title:       "Sources",
		Description: joinWithin(lines, maxEmbedDescription),
		Color:       sourcesColour,
	}
}

// sourceLine formats one numbered source.
func sourceLine(n int, m corpus.Meta) string {
	title := strings.Join(strings.Fields(m.Title), " ")
	if title == "" {
		title = m.DocID
	}
	title = Sanitize(escapeMarkdown(text.Truncate(title, maxSourceTitle)))
	if u, ok := linkURL(m.URL); ok {
		title = "[" + escapeLinkText(title) + "](" + u + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d. %s", n, title)
	var tail []string
	if p := strings.Join(strings.Fields(m.Publisher), " "); p != "" {
		tail = append(tail, Sanitize(escapeMarkdown(text.Truncate(p, 100))))
	}
	if d := corpus.FormatDate(m.Published); d != "" {
		tail = append(tail, d)
	}
	if len(tail) > 0 {
		b.WriteString(" — " + strings.Join(tail, ", "))
	}
	// Not Sanitize(b.String()): that would break the title's own link.
	return b.String()
}

// alsoReported renders corpus.AlsoReportedBy for Discord, or "" when
// there are none besides own.
func alsoReported(own string, copies []corpus.Meta) string {
	names := corpus.AlsoReportedBy(own, copies)
	if len(names) == 0 {
		return ""
	}
	for i, n := range names {
		names[i] = escapeMarkdown(text.Truncate(n, 80))
	}
	if len(names) > maxAlsoReported {
		names = append(names[:maxAlsoReported], fmt.Sprintf("%d more", len(names)-maxAlsoReported))
	}
	return Sanitize("*also reported by " + strings.Join(names, ", ") + "*")
}

// joinWithin joins lines with newlines within limit characters. When not
// all fit, it keeps as many as leave room for a final "…and N more" line.
func joinWithin(lines []string, limit int) string {
	if all := strings.Join(lines, "\n"); utf8.RuneCountInString(all) <= limit {
		return all
	}
	var b strings.Builder
	n := 0 // characters in b
	for i, line := range lines {
		sep := ""
		if i > 0 {
			sep = "\n"
		}
		reserve := 0
		if i < len(lines)-1 {
			reserve = utf8.RuneCountInString(moreLine(len(lines) - i - 1))
		}
		add := utf8.RuneCountInString(sep + line)
		if n+add+reserve > limit {
			if i == 0 {
				return text.Truncate(line, limit)
			}
			b.WriteString(moreLine(len(lines) - i))
			return b.String()
		}
		b.WriteString(sep + line)
		n += add
	}
	return b.String()
}

// moreLine says how many lines were left out.
func moreLine(n int) string {
	return fmt.Sprintf("\n…and %d more", n)
}

// markdownEscaper backslash-escapes the characters Discord's inline
// markdown treats specially; brackets are escaped so that no text of ours
// can start a masked link.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, "~", `\~`, "`", "\\`", "|", `\|`,
	"[", `\[`, "]", `\]`,
)

// linkTextEscaper also escapes the parentheses, which inside a masked
// link's text could end it early.
var linkTextEscaper = strings.NewReplacer("(", `\(`, ")", `\)`)

// escapeMarkdown makes s render literally.
func escapeMarkdown(s string) string {
	return markdownEscaper.Replace(s)
}

// escapeLinkText makes s, already passed through escapeMarkdown (so every
// backslash in it is escaped), safe as masked-link text.
func escapeLinkText(s string) string {
	return linkTextEscaper.Replace(s)
}

// linkURL returns u fit for a markdown link target, or false when it is not
// an absolute http(s) URL. Parentheses and spaces, which would end the
// target early, are percent-encoded.
func linkURL(u string) (string, bool) {
	u = strings.TrimSpace(u)
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return "", false
	}
	s := p.String()
	s = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(s)
	if len(s) > 1000 {
		return "", false
	}
	return s, true
}

// feedbackPrefix starts the custom ids of the feedback buttons.
const feedbackPrefix = "fb:"

// FeedbackButtons returns one action row with 👍 and 👎 buttons for the
// answer with the given store id; their custom ids are "fb:up:<id>" and
// "fb:down:<id>" (see ParseFeedbackID).
func FeedbackButtons(answerID int64) []discordgo.MessageComponent {
	id := strconv.FormatInt(answerID, 10)
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{
			Style:    discordgo.SecondaryButton,
			Emoji:    &discordgo.ComponentEmoji{Name: "👍"},
			CustomID: feedbackPrefix + "up:" + id,
		},
		discordgo.Button{
			Style:    discordgo.SecondaryButton,
			Emoji:    &discordgo.ComponentEmoji{Name: "👎"},
			CustomID: feedbackPrefix + "down:" + id,
		},
	}}}
}

// ParseFeedbackID decodes a feedback button's custom id; ok is false for
// any other id, including a malformed or non-positive answer id.
func ParseFeedbackID(customID string) (answerID int64, up bool, ok bool) {
	rest, found := strings.CutPrefix(customID, feedbackPrefix)
	if !found {
		return 0, false, false
	}
	dir, num, found := strings.Cut(rest, ":")
	if !found || (dir != "up" && dir != "down") {
		return 0, false, false
	}
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != num {
		return 0, false, false
	}
	return id, dir == "up", true
}

// pagePrefix starts the custom ids of pager buttons.
const pagePrefix = "page:"

// PageButtons returns an action row with "previous" and "next" buttons for
// a list of pages pages showing page (0-based); their custom ids are
// "page:<kind>:<target page>" (see ParsePageID), and each is disabled at
// its end. It returns nil when there is only one page. kind names the list
// (e.g. "sources") and must not contain ':'.
func PageButtons(kind string, page, pages int) []discordgo.MessageComponent {
	if pages <= 1 {
		return nil
	}
	page = min(max(page, 0), pages-1)
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{
			Label:    "◀ Previous",
			Style:    discordgo.SecondaryButton,
			CustomID: fmt.Sprintf("%s%s:%d", pagePrefix, kind, max(page-1, 0)),
			Disabled: page == 0,
		},
		discordgo.Button{
			Label:    "Next ▶",
			Style:    discordgo.SecondaryButton,
			CustomID: fmt.Sprintf("%s%s:%d", pagePrefix, kind, min(page+1, pages-1)),
			Disabled: page == pages-1,
		},
	}}}
}

// ParsePageID decodes a pager button's custom id into the list kind and
// the 0-based page to show; ok is false for any other id.
func ParsePageID(customID string) (kind string, page int, ok bool) {
	rest, found := strings.CutPrefix(customID, pagePrefix)
	if !found {
		return "", 0, false
	}
	kind, num, found := strings.Cut(rest, ":")
	if !found || kind == "" {
		return "", 0, false
	}
	page, err := strconv.Atoi(num)
	if err != nil || page < 0 {
		return "", 0, false
	}
	return kind, page, true
}

// SourcesPage renders page (0-based, clamped to the valid range) of the
// indexed documents, perPage to a page (10 when perPage < 1), and returns
// the embed with the number of pages, at least 1.
func SourcesPage(srcs []retrieval.SourceInfo, page, perPage int) (*discordgo.MessageEmbed, int) {
	if perPage < 1 {
		perPage = 10
	}
	pages := max(1, (len(srcs)+perPage-1)/perPage)
	page = min(max(page, 0), pages-1)
	start := page * perPage
	end := min(start+perPage, len(srcs))
	lines := make([]string, 0, end-start)
	for i := start; i < end; i++ {
		s := srcs[i]
		line := sourceLine(i+1, s.Meta)
		switch {
		case s.Chunks == 1:
			line += " · 1 passage"
		case s.Chunks > 1:
			line += fmt.Sprintf(" · %d passages", s.Chunks)
		}
		if also := alsoReported(s.Publisher, s.AlsoReportedBy); also != "" {
			line += "\n   " + also
		}
		lines = append(lines, line)
	}
	desc := joinWithin(lines, maxEmbedDescription)
	if len(srcs) == 0 {
		desc = "No documents are indexed yet."
	}
	docs := "documents"
	if len(srcs) == 1 {
		docs = "document"
	}
	return &discordgo.MessageEmbed{
		Title:       text.Truncate(fmt.Sprintf("Sources (%d %s)", len(srcs), docs), maxEmbedTitle),
		Description: desc,
		Color:       sourcesColour,
		Footer:      &discordgo.MessageEmbedFooter{Text: text.Truncate(fmt.Sprintf("Page %d of %d", page+1, pages), maxEmbedFooter)},
	}, pages
}
