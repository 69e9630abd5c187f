package corpus

import (
	"missionbot/text"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleaned is the outcome of cleaning one document's raw text: the main
// text and the metadata its header lines stated (title, byline, date).
type cleaned struct {
	Text      string
	Title     string
	Author    string
	Published string
	// Removed lists the paragraphs dropped as boilerplate or metadata, in
	// order, for tests and debugging.
	Removed []string
}

// Cleaning thresholds, in words.
const (
	// shortLineWords: a paragraph this short without sentence punctuation
	// is a label, tagline, heading or widget text, not content.
	shortLineWords = 8
	// headlineMaxWords: a paragraph without final punctuation up to this
	// long reads as a headline (of this page or of a promoted one).
	headlineMaxWords = 30
	// proseMinWords: a paragraph at least this long ending in sentence
	// punctuation is article prose.
	proseMinWords = 12
)

// cleanText removes boilerplate from a news page's text and picks up the
// metadata stated in its header. knownTitle, when set (from a manifest
// or HTML metadata), is the title to look for; otherwise the title is the
// first headline-like paragraph near the top. Lines that repeat the title,
// bylines, dates and read times, taglines, promos for other articles and
// the headline after a promo label, tag lists, share prompts, author bios,
// ads, photo captions and credits, image file names and section labels
// are dropped. Bullets keep their text, without the glyph, as sentences.
func cleanText(raw, knownTitle string) cleaned {
	paras := paragraphs(normalizeSpace(raw))
	var c cleaned

	titleIdx := -1
	if knownTitle != "" {
		c.Title = knownTitle
		key := titleKey(knownTitle)
		for i, p := range paras {
			if titleKey(p.text) == key {
				titleIdx = i
				break
			}
		}
	} else {
		titleIdx = findTitle(paras)
		if titleIdx >= 0 {
			c.Title = paras[titleIdx].text
		}
	}
	tkey := titleKey(c.Title)

	var kept []string
	drop := func(p string) { c.Removed = append(c.Removed, p) }
	for i := 0; i < len(paras); i++ {
		p := paras[i]
		para := p.text
		switch {
		case i == titleIdx || (tkey != "" && titleKey(para) == tkey):
			drop(para)
			continue
		case p.bullet:
			kept = append(kept, asSentence(para))
			continue
		}
		if date, author, ok := metaLine(para); ok {
			if c.Published == "" {
				c.Published = date
			}
			if c.Author == "" {
				c.Author = author
			}
			drop(para)
			continue
		}
		if avatarRe.MatchString(para) {
			drop(para)
			if i+1 < len(paras) && isNameLike(paras[i+1].text) {
				i++
				if c.Author == "" {
					c.Author = paras[i].text
				}
				drop(paras[i].text)
			}
			continue
		}
		if name, ok := aboutHeading(para); ok {
			drop(para)
			if i+1 < len(paras) && startsWithName(paras[i+1].text, name) {
				i++
				drop(paras[i].text)
			}
			if c.Author == "" {
				c.Author = name
			}
			continue
		}
		if bioRe.MatchString(para) && text.WordCount(para) < 60 {
			drop(para)
			continue
		}
		if isCaption(para) {
			drop(para)
			continue
		}
		if isImageToken(para) {
			drop(para)
			// The line after an image file name is its caption.
			if i+1 < len(paras) && !paras[i+1].bullet && isCaptionLike(paras[i+1].text) {
				i++
				drop(paras[i].text)
			}
			continue
		}
		if rest, ok := promoLabel(para); ok {
			drop(para)
			if rest != "" {
				continue
			}
			// A bare label: the promoted headlines, links and short
			// widget lines follow it until real prose resumes.
			for i+1 < len(paras) && !paras[i+1].bullet && !isProse(paras[i+1].text) {
				i++
				drop(paras[i].text)
			}
			continue
		}
		if isSectionLabel(para) || isShortNonSentence(para) {
			drop(para)
			continue
		}
		kept = append(kept, tidySentence(para))
	}
	c.Text = strings.Join(kept, "\n\n")
	return c
}

// paragraph is one unit of text after joining hard-wrapped lines.
type paragraph struct {
	text   string
	bullet bool
}

// normalizeSpace unifies line endings, turns non-breaking and other
// unusual spaces into plain spaces, drops zero-width characters and
// collapses runs of spaces.
func normalizeSpace(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
			space = false
			continue
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u00ad':
			continue
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		case unicode.IsControl(r):
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// bulletRe matches a list-item glyph or number at the start of a line.
var bulletRe = regexp.MustCompile(`^(?:[•·▪◦‣●○■□➢►✓✔–—*+-]|\d{1,2}[.)])\s+`)

// paragraphs splits text into paragraphs: blank lines separate them, and
// within a block a line continues the previous one when that one was
// hard-wrapped (long, or followed by a lower-case continuation, and not
// ending a sentence). Bullets always start a paragraph.
func paragraphs(s string) []paragraph {
	var out []paragraph
	prevBlank := true
	prevLen := 0
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			prevBlank = true
			continue
		}
		bullet := false
		if loc := bulletRe.FindStringIndex(line); loc != nil && loc[1] < len(line) {
			bullet = true
			line = strings.TrimSpace(line[loc[1]:])
		}
		if !prevBlank && !bullet && len(out) > 0 && continues(out[len(out)-1].text, line, prevLen) {
			out[len(out)-1].text += " " + line
		} else {
			out = append(out, paragraph{text: line, bullet: bullet})
		}
		prevBlank = false
		prevLen = len(line)
	}
	return out
}

// continues reports whether line continues a hard-wrapped paragraph
// whose last line was prevLen bytes long.
func continues(prev, line string, prevLen int) bool {
	last, _ := utf8.DecodeLastRuneInString(prev)
	if strings.ContainsRune(".!?:…\"”'’", last) {
		first, _ := utf8.DecodeRuneInString(line)
		return unicode.IsLower(first) && !strings.ContainsRune(".!?:…", last)
	}
	first, _ := utf8.DecodeRuneInString(line)
	if unicode.IsLower(first) || prevLen >= 60 {
		return true
	}
	// A line ending in a lower-case word ("... in the capital on") was
	// cut mid-sentence; headings end in capitalised words.
	lastWord, _ := utf8.DecodeRuneInString(text.LastWord(prev))
	return unicode.IsLower(lastWord) && text.WordCount(prev) >= 6
}

// titleKey reduces a title to lower-case letters and digits, so a repeat
// with different quotes, case or spacing still matches.
func titleKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// taglineRe matches a site slogan: a few single words separated by
// commas, pipes or dots ("Reliable, Fast, Local").
var taglineRe = regexp.MustCompile(`^(?:\p{L}+\s*[,|·•.]\s*){1,5}\p{L}+\.?$`)

// findTitle returns the index of the first headline-like paragraph among
// the first few, before any prose; -1 if there is none.
func findTitle(paras []paragraph) int {
	for i, p := range paras {
		if i >= 8 || isProse(p.text) {
			break
		}
		t := p.text
		n := text.WordCount(t)
		if p.bullet || n < 3 || n > headlineMaxWords || text.EndsSentence(t) && strings.HasSuffix(t, ".") {
			continue
		}
		if taglineRe.MatchString(t) || isCaption(t) || isImageToken(t) || avatarRe.MatchString(t) {
			continue
		}
		if _, _, ok := metaLine(t); ok {
			continue
		}
		if _, ok := promoLabel(t); ok {
			continue
		}
		return i
	}
	return -1
}

// isProse reports whether p reads as article prose rather than a label,
// headline or widget line.
func isProse(p string) bool {
	return text.WordCount(p) >= proseMinWords && text.EndsSentence(p)
}

// isShortNonSentence reports whether p is a short line without sentence
// punctuation ("Key Takeaways", "Updated On", a slogan) or so short that it
// cannot carry a fact ("latest lineup.").
func isShortNonSentence(p string) bool {
	n := text.WordCount(p)
	return (n <= shortLineWords && !text.EndsSentence(p)) || n <= 2
}

// sectionLabelRe matches a short label ending in a colon ("In Summary:").
var sectionLabelRe = regexp.MustCompile(`^[\p{L}\p{N}'’ &-]{1,40}:$`)

// isSectionLabel reports whether p is a short label ending in a colon.
func isSectionLabel(p string) bool {
	return text.WordCount(p) <= 5 && sectionLabelRe.MatchString(p)
}

// promoRe matches labels that introduce links to other content, share or
// follow prompts, tag lists and ads, alone or followed by the promoted
// headline after a colon, pipe or dash.
var promoRe = regexp.MustCompile(`(?i)^(?:keep reading|continue reading|read more|read also|also read|read next|see also|more news|more stories|more from [\p{L} .]{1,30}|related(?: articles?| posts?| stories| news| content| coverage| reading)?|recommended(?: for you| stories| articles)?|you may also like|you might also like|must read|don'?t miss|trending(?: now)?|top stories|latest news|popular(?: posts| stories)?|tags?|topics|filed under|share(?: this)?(?: article| story| post| on \p{L}+)?|follow us(?: on \p{L}+)?|subscribe(?: to [\p{L} ]{1,30})?|sign up for [\p{L} ]{1,30}|newsletter|our books|our products|advertisement|sponsored(?: content)?|comments?|leave a (?:comment|reply)|about the author|watch|listen)\s*(?:[:|–—-]\s*(.*))?$`)

// promoLabel reports whether p is a promo or widget label and returns
// the text after the label ("" for a bare label).
func promoLabel(p string) (rest string, ok bool) {
	m := promoRe.FindStringSubmatch(strings.TrimSpace(p))
	if m == nil {
		return "", false
	}
	return strings.TrimSpace(m[1]), true
}

// creditRe matches photo credits and image sources inside a caption.
var creditRe = regexp.MustCompile(`(?i)(?:\b(?:photo|image|picture|photograph|file photo|image file|graphic|video)\s*(?:[|/:]|—|–)\s*(?:courtesy|file|\p{Lu}[\p{L}.]*)|\bimage source\s*:|\bphoto(?:graph)?\s+(?:credit|by|courtesy)\b|\bcredit\s*:\s*\p{Lu}|/\s*courtesy\b|\|\s*courtesy\b|\(\s*(?:photo|image|file)[^)]*\)\s*$|\bgetty images\b|\b(?:afp|ap|reuters)\s+photo\b|\bshutterstock\b)`)

// isCaption reports whether p is a picture caption: it carries a credit
// or image-source marker and is not long prose.
func isCaption(p string) bool {
	return text.WordCount(p) <= 80 && mayHoldCredit(p) && creditRe.MatchString(p)
}

// creditWords are the words one of which every creditRe match contains.
var creditWords = [...]string{"photo", "image", "picture", "graphic", "video", "credit", "courtesy", "file", "getty", "shutterstock"}

// mayHoldCredit is a cheap filter in front of creditRe, whose backtracking
// costs a hundred microseconds per paragraph (the larger part of loading a
// folder of short articles): a paragraph without any of creditWords, in
// any ASCII case, cannot match it.
func mayHoldCredit(p string) bool {
	lower := strings.ToLower(p)
	for _, w := range creditWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// isCaptionLike reports whether p could be the caption under a picture:
// one short sentence without quotations.
func isCaptionLike(p string) bool {
	return text.WordCount(p) <= 30 && len(text.SplitSentences(p)) == 1 && !strings.ContainsAny(p, `"“”`)
}

// imageFileRe matches an image file name.
var imageFileRe = regexp.MustCompile(`(?i)\.(?:jpe?g|png|gif|webp|avif|svg)$`)

// isImageToken reports whether p is a leftover image file name, such as
// "230925 d pm193 2009j" or "IMG_2041.jpg": a few tokens, no sentence
// punctuation, and most tokens carrying digits.
func isImageToken(p string) bool {
	if imageFileRe.MatchString(p) && text.WordCount(p) <= 3 {
		return true
	}
	fields := strings.Fields(p)
	if len(fields) == 0 || len(fields) > 6 || text.EndsSentence(p) {
		return false
	}
	digits, mixed := 0, 0
	for _, f := range fields {
		if strings.IndexFunc(f, unicode.IsDigit) >= 0 {
			digits++
			if strings.IndexFunc(f, unicode.IsLetter) >= 0 {
				mixed++
			}
		}
	}
	// A token mixing letters and digits ("pm193") marks a file name; a
	// date such as "Feb 30, 2024" has none.
	return digits*2 > len(fields) && digits >= 2 && mixed >= 1
}

// avatarRe matches the alt text of an author picture, which precedes the
// author's name on some sites.
var avatarRe = regexp.MustCompile(`(?i)^(?:author[- ]?(?:image|photo|avatar|picture)|avatar|profile (?:image|photo))$`)

// nameRe matches a person's or outlet's name: one to five capitalised
// words (allowing particles such as "de" or "van").
var nameRe = regexp.MustCompile(`^\p{Lu}[\p{L}.'’-]*(?:\s+(?:(?:de|da|van|von|der|del|la|le|bin|al|and|&)\s+)?\p{Lu}[\p{L}.'’-]*){0,4}$`)

// isNameLike reports whether p looks like a name.
func isNameLike(p string) bool {
	return nameRe.MatchString(p)
}

// aboutRe matches an author-bio heading, "About Jane Doe".
var aboutRe = regexp.MustCompile(`^About\s+(\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){0,3})$`)

// aboutHeading reports whether p is an "About <Name>" bio heading and
// returns the name.
func aboutHeading(p string) (string, bool) {
	m := aboutRe.FindStringSubmatch(p)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// startsWithName reports whether p begins with name or its last word (a
// bio often starts with the surname or the full name).
func startsWithName(p, name string) bool {
	if strings.HasPrefix(p, name) {
		return true
	}
	f := strings.Fields(name)
	return len(f) > 0 && strings.HasPrefix(p, f[len(f)-1]+" ")
}

// bioRe matches a contributor bio sentence: "Jane Doe is a senior
// reporter at ...", "John Roe is news editor of ...".
var bioRe = regexp.MustCompile(`^\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){1,3}\s+is\s+(?:an?\s+|the\s+)?(?:[\p{L}-]+\s+){0,3}(?:editor|reporter|journalist|writer|correspondent|columnist|contributor|producer|freelancer|blogger)\b`)

// asSentence turns a bullet's text into a sentence: final punctuation is
// added when missing.
func asSentence(s string) string {
	s = tidySentence(s)
	if !text.EndsSentence(s) {
		s += "."
	}
	return s
}

// doublePeriodRe matches an accidental doubled period that is not an
// ellipsis.
var doublePeriodRe = regexp.MustCompile(`([^.])\.\.(\s|$)`)

// tidySentence fixes small typing slips that would confuse sentence
// splitting, such as a doubled final period.
func tidySentence(s string) string {
	if !strings.Contains(s, "..") {
		return s // the common case, without the regexp's cost
	}
	return doublePeriodRe.ReplaceAllString(s, "$1.$2")
}
