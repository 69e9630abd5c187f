package corpus

import (
	"missionbot/text"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleaned is the outcome of cleaning one document's raw text: the main
// text and the metadata its header lines stated (title, byline, date,
// masthead).
type cleaned struct {
	Text      string
	Title     string
	Author    string
	Publisher string
	// Published is the date a byline or date line near the top states,
	// else the date of a wire dateline opening the text; Updated the date
	// an "Updated on" line states.
	Published string
	Updated   string
	// Removed lists the paragraphs dropped as boilerplate or metadata, in
	// order, for tests and debugging.
	Removed []string
}

// cleanOptions says what the caller already knows about a document.
type cleanOptions struct {
	// Title, when set (from a manifest or the page's markup), is the
	// headline to look for; otherwise cleanText finds it.
	Title string
	// DayFirst reads ambiguous all-numeric dates (05/06/2025) day first.
	DayFirst bool
	// Masthead lets a masthead line above or beside the headline name the
	// publisher; it is for pasted text, where nothing else names it.
	Masthead bool
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
	// headerParas: the title, masthead and byline are looked for among
	// this many paragraphs at the top.
	headerParas = 12
	// headerLines: paragraphs() looks for byline lines among this many
	// lines at the top.
	headerLines = 40
	// headerProse: bylines and datelines count as the document's own
	// metadata until this many prose paragraphs have gone by; later ones
	// (a timeline entry, a "first published" note) are dropped but not read.
	headerProse = 2
)

// cleanText removes boilerplate from a news page's text and picks up the
// metadata stated in its header. The title is opts.Title when set,
// otherwise the headline found by findTitle. Lines that repeat the title,
// bylines, dates and read times, mastheads and taglines, promos for other
// articles and the headline after a promo label, tag lists, share
// prompts, cookie notices, copyright lines, author bios, ads, photo
// captions and credits, image file names and section labels are dropped.
// Bullets keep their text, without the glyph, as sentences.
func cleanText(raw string, opts cleanOptions) cleaned {
	paras := paragraphs(normalizeSpace(raw))
	var c cleaned

	titleIdx := -1
	if opts.Title != "" {
		c.Title = opts.Title
		key := titleKey(opts.Title)
		for i, p := range paras {
			if titleKey(p.text) == key {
				titleIdx = i
				break
			}
		}
	} else {
		titleIdx = findTitle(paras, opts.DayFirst)
		if titleIdx >= 0 {
			c.Title = paras[titleIdx].text
		}
	}
	tkey := titleKey(c.Title)
	if opts.Masthead {
		c.Publisher = findMasthead(paras, titleIdx, opts.DayFirst)
	}

	var kept []string
	prose := 0
	dateline := ""
	drop := func(p string) { c.Removed = append(c.Removed, p) }
	for i := 0; i < len(paras); i++ {
		p := paras[i]
		para := p.text
		header := prose < headerProse
		switch {
		case i == titleIdx || (tkey != "" && len(para) >= len(tkey) && titleKey(para) == tkey):
			drop(para)
			continue
		case p.bullet:
			kept = append(kept, asSentence(para))
			continue
		}
		if header {
			if d, author, ok := standaloneDateline(para, opts.DayFirst); ok {
				dateline = firstNonEmpty(dateline, d)
				if c.Author == "" {
					c.Author = author
				}
				drop(para)
				continue
			}
		}
		if lm, ok := metaLine(para, opts.DayFirst); ok {
			if header {
				c.Published = firstNonEmpty(c.Published, lm.Published)
				c.Updated = firstNonEmpty(c.Updated, lm.Updated)
				c.Author = firstNonEmpty(c.Author, lm.Author)
			}
			drop(para)
			continue
		}
		if avatarRe.MatchString(para) {
			drop(para)
			if i+1 < len(paras) && isNameLike(paras[i+1].text) {
				i++
				if c.Author == "" && header {
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
		if (bioRe.MatchString(para) || i >= len(paras)-3 && beatBioRe.MatchString(para)) && wordsUpTo(para, 60) < 60 {
			drop(para)
			continue
		}
		if isCaption(para) || isSiteNotice(para) {
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
		if header && dateline == "" {
			if d, _, ok := datelineDate(para, opts.DayFirst); ok {
				dateline = d
			}
		}
		if isProse(para) {
			prose++
		}
		kept = append(kept, tidySentence(para))
	}
	c.Published = firstNonEmpty(c.Published, dateline)
	c.Text = strings.Join(kept, "\n\n")
	return c
}

// siteNoticeRe matches a cookie or consent notice and a copyright line.
var (
	cookieRe     = regexp.MustCompile(`(?i)\bcookies?\b`)
	consentRe    = regexp.MustCompile(`(?i)\b(?:accept|consent|privacy|preferences|settings|policy|agree|brows(?:e|ing)|analytics|personali[sz]e|témoins|navigation)`)
	copyrightRe  = regexp.MustCompile(`(?i)©|\(c\)\s*\d{4}|\ball rights reserved\b|\btous droits réservés\b`)
	siteNoticeMx = 60 // words
)

// isSiteNotice reports whether p is a site's cookie notice or copyright
// line rather than article text.
func isSiteNotice(p string) bool {
	n := wordsUpTo(p, siteNoticeMx)
	if n > siteNoticeMx {
		return false
	}
	// The patterns are slow on every paragraph of a page; the words they
	// need are cheap to look for first.
	lower := strings.ToLower(p)
	if n <= 25 && (strings.Contains(p, "©") || strings.Contains(lower, "(c)") || strings.Contains(lower, "reserv") || strings.Contains(lower, "réserv")) &&
		copyrightRe.MatchString(p) {
		return true
	}
	return strings.Contains(lower, "cookie") && cookieRe.MatchString(p) && consentRe.MatchString(p)
}

// wordsUpTo counts the words of s up to n+1 and stops there: every
// cleaning rule compares a paragraph's length with a small threshold, and
// counting further (each rule over each paragraph, an 8 MB transcript
// included) was the larger part of cleaning a short document. The result
// compares with n as the full count would: above n it is n+1.
func wordsUpTo(s string, n int) int {
	count, in := 0, false
	for i := 0; i < len(s); i++ {
		space := s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r'
		if space {
			in = false
		} else if !in {
			in = true
			if count++; count > n {
				return count
			}
		}
	}
	return count
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
// ending a sentence). Bullets always start a paragraph. It is linear in
// the size of s: a paragraph is assembled from its lines once, never by
// repeated concatenation (an 8 MB transcript is one long paragraph).
func paragraphs(s string) []paragraph {
	var (
		out  []paragraph
		cur  []string // lines of the paragraph being assembled
		curW int      // its word count so far
		bul  bool     // whether it is a bullet
	)
	flush := func() {
		if len(cur) > 0 {
			out = append(out, paragraph{text: strings.Join(cur, " "), bullet: bul})
		}
		cur, curW = cur[:0], 0
	}
	prevBlank, prevMeta := true, false
	prevLen, lines := 0, 0
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
		// In the header, a byline or date line stands alone even without
		// blank lines around it ("Capital Policy Brief · Americas desk"
		// above "Date: 25 April 2024" is two lines, not one wrapped one).
		meta := false
		if lines < headerLines {
			_, meta = metaLine(line, true)
		}
		if prevBlank || bullet || len(cur) == 0 || meta || prevMeta || !continues(cur[len(cur)-1], curW, line, prevLen) {
			flush()
			bul = bullet
		}
		cur = append(cur, line)
		curW += text.WordCount(line) // lines are short
		prevBlank = false
		prevLen = len(line)
		prevMeta = meta
		lines++
	}
	flush()
	return out
}

// continues reports whether line continues a hard-wrapped paragraph
// whose last line, prev, was prevLen bytes long and which holds words
// words so far.
func continues(prev string, words int, line string, prevLen int) bool {
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
	return unicode.IsLower(lastWord) && words >= 6
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

// findTitle returns the index of the headline among the paragraphs at
// the top, or -1. When a byline or date line is near the top, the
// headline is the closest headline-shaped paragraph above it that is not
// a masthead (news pages put the headline right above the byline, and a
// masthead and its tagline above the headline, or a section line between
// them). Without a byline it is the first headline-shaped paragraph
// before the prose, mastheads skipped when something else qualifies.
func findTitle(paras []paragraph, dayFirst bool) int {
	limit := min(len(paras), headerParas)
	prose := 0
	byline := -1
	for i := 0; i < limit && prose < headerProse; i++ {
		t := paras[i].text
		if lm, ok := metaLine(t, dayFirst); (ok && lm.stated()) || avatarRe.MatchString(t) {
			byline = i
			break
		}
		if isProse(t) {
			prose++
		}
	}
	if byline > 0 {
		closest := -1
		for j := byline - 1; j >= 0; j-- {
			if !headlineShaped(paras[j], dayFirst) {
				continue
			}
			if !mastheadLike(paras[j].text) {
				return j
			}
			if closest < 0 {
				closest = j
			}
		}
		if closest >= 0 {
			return closest
		}
	}
	var candidates, others []int
	for i := 0; i < limit; i++ {
		if isProse(paras[i].text) {
			break
		}
		if !headlineShaped(paras[i], dayFirst) {
			continue
		}
		candidates = append(candidates, i)
		if !mastheadLike(paras[i].text) {
			others = append(others, i)
		}
	}
	switch {
	case len(others) == 0 && len(candidates) == 0:
		return -1
	case len(others) == 0:
		return candidates[0]
	case len(others) > 1 && others[0] == 1 && mastheadLike(paras[0].text):
		// A masthead at the very top carries its tagline on the next
		// line ("THE MORNING POST" / "Serving the lakeside since 1952").
		return others[1]
	}
	return others[0]
}

// headlineShaped reports whether p could be a headline: three to
// headlineMaxWords words, no final period, and not a tagline, caption,
// image name, avatar label, byline or promo label.
func headlineShaped(p paragraph, dayFirst bool) bool {
	t := p.text
	n := wordsUpTo(t, headlineMaxWords)
	if p.bullet || n < 3 || n > headlineMaxWords || text.EndsSentence(t) && strings.HasSuffix(t, ".") {
		return false
	}
	if taglineRe.MatchString(t) || isCaption(t) || isImageToken(t) || avatarRe.MatchString(t) || isLabelLine(t) {
		return false
	}
	if _, ok := metaLine(t, dayFirst); ok {
		return false
	}
	if _, ok := promoLabel(t); ok {
		return false
	}
	return true
}

// isLabelLine reports whether t is a row of short labels separated by
// "|", "·" or "•" ("October 2023 | Reports", "Analysis | Americas"):
// section and date labels, not a headline.
func isLabelLine(t string) bool {
	segs := strings.FieldsFunc(t, func(r rune) bool { return r == '|' || r == '·' || r == '•' })
	if len(segs) < 2 {
		return false
	}
	for _, s := range segs {
		if wordsUpTo(s, 3) > 3 {
			return false
		}
	}
	return true
}

// findMasthead returns the outlet name stated by a masthead line among
// the paragraphs above the headline (or between it and the byline), or "".
func findMasthead(paras []paragraph, titleIdx int, dayFirst bool) string {
	if titleIdx < 0 {
		return ""
	}
	for i := 0; i < min(len(paras), titleIdx+3); i++ {
		t := paras[i].text
		if i == titleIdx {
			continue
		}
		if _, ok := metaLine(t, dayFirst); ok || isProse(t) {
			if i > titleIdx {
				break
			}
			continue
		}
		if name, ok := mastheadName(t); ok && (i < titleIdx || name != t) {
			return name
		}
	}
	return ""
}

// isProse reports whether p reads as article prose rather than a label,
// headline or widget line.
func isProse(p string) bool {
	return wordsUpTo(p, proseMinWords) >= proseMinWords && text.EndsSentence(p)
}

// isShortNonSentence reports whether p is a short line without sentence
// punctuation ("Key Takeaways", "Updated On", a slogan) or so short that it
// cannot carry a fact ("latest lineup.").
func isShortNonSentence(p string) bool {
	n := wordsUpTo(p, shortLineWords)
	return (n <= shortLineWords && !text.EndsSentence(p)) || n <= 2
}

// sectionLabelRe matches a short label ending in a colon ("In Summary:").
var sectionLabelRe = regexp.MustCompile(`^[\p{L}\p{N}'’ &-]{1,40}:$`)

// isSectionLabel reports whether p is a short label ending in a colon.
func isSectionLabel(p string) bool {
	return wordsUpTo(p, 5) <= 5 && sectionLabelRe.MatchString(p)
}

// promoRe matches labels that introduce links to other content, share or
// follow prompts, tag lists and ads, alone or followed by the promoted
// headline after a colon, pipe or dash.
// promoLabels are the labels that introduce links to other content, share
// or follow prompts, tag lists and ads (regexp syntax, matched without
// case).
var promoLabels = []string{
	`keep reading`,
	`continue reading`,
	`read more`,
	`read also`,
	`also read`,
	`read next`,
	`see also`,
	`more news`,
	`more stories`,
	`more from [\p{L} .]{1,30}`,
	`related(?: articles?| posts?| stories| news| content| coverage| reading)?`,
	`recommended(?: for you| stories| articles)?`,
	`you may also like`,
	`you might also like`,
	`must read`,
	`don'?t miss`,
	`trending(?: now)?`,
	`top stories`,
	`latest news`,
	`popular(?: posts| stories)?`,
	`tags?`,
	`topics`,
	`filed under`,
	`share(?: this)?(?: article| story| post| on \p{L}+)?`,
	`follow us(?: on \p{L}+)?`,
	`subscribe(?: to [\p{L} ]{1,30})?`,
	`sign up for [\p{L} ]{1,30}`,
	`newsletter`,
	`our books`,
	`our products`,
	`advertisement`,
	`sponsored(?: content)?`,
	`comments?`,
	`leave a (?:comment|reply)`,
	`about the author`,
	`watch`,
	`listen`,
}

// promoRe matches a promo label alone or followed by the promoted headline
// after a colon, pipe or dash.
var promoRe = regexp.MustCompile(`(?i)^(?:` + strings.Join(promoLabels, "|") + `)\s*(?:[:|–—-]\s*(.*))?$`)

// promoStarts holds the first three letters of every promo label: a
// paragraph starting otherwise is no promo, which is cheap to know before
// running promoRe over it.
var promoStarts = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range promoLabels {
		m[firstLetters(l, 3)] = true
	}
	return m
}()

// firstLetters returns the first n ASCII letters of s lower-cased, stopping
// at anything else.
func firstLetters(s string, n int) string {
	var b []byte
	for i := 0; i < len(s) && len(b) < n; i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		b = append(b, c)
	}
	return string(b)
}

// promoLabel reports whether p is a promo or widget label and returns
// the text after the label ("" for a bare label).
func promoLabel(p string) (rest string, ok bool) {
	p = strings.TrimSpace(p)
	if !promoStarts[firstLetters(p, 3)] {
		return "", false
	}
	m := promoRe.FindStringSubmatch(p)
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
	return wordsUpTo(p, 80) <= 80 && mayHoldCredit(p) && creditRe.MatchString(p)
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
	return wordsUpTo(p, 30) <= 30 && len(text.SplitSentences(p)) == 1 && !strings.ContainsAny(p, `"“”`)
}

// imageFileRe matches an image file name.
var imageFileRe = regexp.MustCompile(`(?i)\.(?:jpe?g|png|gif|webp|avif|svg)$`)

// isImageToken reports whether p is a leftover image file name, such as
// "230925 d pm193 2009j" or "IMG_2041.jpg": a few tokens, no sentence
// punctuation, and most tokens carrying digits.
func isImageToken(p string) bool {
	if imageFileRe.MatchString(p) && wordsUpTo(p, 3) <= 3 {
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
var bioRe = regexp.MustCompile(`^\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){1,3}\s+is\s+(?:an?\s+|the\s+)?(?:[\p{L}'’-]+\s+){0,3}(?:editor|reporter|journalist|writer|correspondent|columnist|contributor|producer|freelancer|blogger)\b`)

// beatBioRe matches the bio that closes an article by naming what its
// author covers: "Jane Doe covers diplomacy for Example News", "John Roe
// reports on the courts".
var beatBioRe = regexp.MustCompile(`^\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){1,3}\s+(?:covers|reports on|writes (?:on|about)|has (?:covered|reported on))\s`)

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
		return s // the common case, without a regexp pass over the text
	}
	return doublePeriodRe.ReplaceAllString(s, "$1.$2")
}
