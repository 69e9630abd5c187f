package corpus

import (
	"regexp"
	"strings"
)

// Markdown syntax, for stripMarkdown.
var (
	mdImageRe     = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]`)
	mdLinkRe      = regexp.MustCompile(`\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)|\[([^\]]+)\]\[[^\]]*\]`)
	mdRefDefRe    = regexp.MustCompile(`^\s{0,3}\[[^\]]+\]:\s+\S+.*$`)
	mdHeadingRe   = regexp.MustCompile(`^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$`)
	mdRuleRe      = regexp.MustCompile(`^\s{0,3}(?:[-*_]\s*){3,}$`)
	mdQuoteRe     = regexp.MustCompile(`^\s{0,3}>\s?`)
	mdStrongRe    = regexp.MustCompile(`(\*\*|__)(\S(?:.*?\S)?)(\*\*|__)`)
	mdEmRe        = regexp.MustCompile(`(^|[^\p{L}\p{N}*_])[*_](\S(?:[^*_]*?\S)?)[*_]([^\p{L}\p{N}*_]|$)`)
	mdCodeRe      = regexp.MustCompile("`([^`]+)`")
	mdFenceRe     = regexp.MustCompile("^\\s{0,3}(```|~~~)")
	mdSetextRe    = regexp.MustCompile(`^\s{0,3}(?:=+|-+)\s*$`)
	mdHTMLCommRe  = regexp.MustCompile(`<!--.*?-->`)
	mdStrikeRe    = regexp.MustCompile(`~~(.+?)~~`)
	mdAutolinkRe  = regexp.MustCompile(`<(https?://[^>]+)>`)
	mdTableSepRe  = regexp.MustCompile(`^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$`)
	mdListIndent  = regexp.MustCompile(`^\s+([-*+]|\d{1,2}[.)])\s+`)
	mdLeadingList = regexp.MustCompile(`^([*+])\s+`)
)

// stripMarkdown turns Markdown into plain text: heading markers,
// emphasis, strike-through and inline code marks go, links become their
// text, images and reference definitions are dropped, block quotes lose
// their marker, and fenced code is kept as text without the fences.
// List items keep a bullet so the cleaner treats them as bullets. title
// is the text of the first level-one heading ("# Title" or a line
// underlined with "="), the document's title by Markdown convention, or "".
func stripMarkdown(s string) (plain, title string) {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := make([]string, 0, len(lines))
	inFence := false
	inline := func(line string) string {
		line = mdHTMLCommRe.ReplaceAllString(line, "")
		line = mdImageRe.ReplaceAllString(line, "")
		line = mdLinkRe.ReplaceAllString(line, "$1$2")
		line = mdAutolinkRe.ReplaceAllString(line, "$1")
		line = mdCodeRe.ReplaceAllString(line, "$1")
		line = mdStrongRe.ReplaceAllString(line, "$2")
		line = mdEmRe.ReplaceAllString(line, "$1$2$3")
		return mdStrikeRe.ReplaceAllString(line, "$1")
	}
	for _, line := range lines {
		if mdFenceRe.MatchString(line) {
			inFence = !inFence
			out = append(out, "")
			continue
		}
		if inFence {
			out = append(out, line)
			continue
		}
		if mdRefDefRe.MatchString(line) || mdRuleRe.MatchString(line) || mdTableSepRe.MatchString(line) {
			out = append(out, "")
			continue
		}
		if mdSetextRe.MatchString(line) && len(out) > 0 && strings.TrimSpace(out[len(out)-1]) != "" {
			// The line above was a heading; keep it as its own paragraph.
			if title == "" && strings.HasPrefix(strings.TrimSpace(line), "=") {
				title = strings.TrimSpace(out[len(out)-1])
			}
			out = append(out, "")
			continue
		}
		for mdQuoteRe.MatchString(line) {
			line = mdQuoteRe.ReplaceAllString(line, "")
		}
		heading, level1 := false, false
		if m := mdHeadingRe.FindStringSubmatch(line); m != nil {
			level1 = strings.HasPrefix(strings.TrimSpace(line), "# ")
			line, heading = m[1], true
		}
		line = mdListIndent.ReplaceAllString(line, "$1 ")
		line = mdLeadingList.ReplaceAllString(line, "• ")
		line = inline(line)
		if heading {
			if level1 && title == "" {
				title = strings.TrimSpace(line)
			}
			out = append(out, "", line, "")
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n"), title
}
