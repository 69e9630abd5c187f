package corpus

import (
	"bytes"
	"fmt"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlPage is what extractHTML finds in a web page: its main text, with
// paragraphs separated by blank lines and list items as bullets, the
// metadata its markup states, and how its numeric dates read.
type htmlPage struct {
	Text string
	Meta Meta
	// Modified is the page's stated last-modified date (YYYY-MM-DD), for
	// when it states no publication date.
	Modified string
	// DayFirst is false when the page declares a United States English
	// locale, where 05/06/2025 is May 6.
	DayFirst bool
}

// Meta tag names (property, name or itemprop, lower case) that state each
// field, in order of preference.
var (
	metaTitleKeys     = []string{"og:title", "twitter:title", "dc.title"}
	metaPublishedKeys = []string{"article:published_time", "og:article:published_time", "datepublished",
		"parsely-pub-date", "sailthru.date", "dc.date.issued", "dc.date", "dcterms.issued", "dcterms.date",
		"citation_publication_date", "article.published", "publish-date", "publish_date", "publication_date",
		"pubdate", "date"}
	metaModifiedKeys  = []string{"article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified"}
	metaAuthorKeys    = []string{"author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl"}
	metaPublisherKeys = []string{"og:site_name", "application-name", "publisher", "dc.publisher"}
)

// maxReadabilityElements: pages with more elements than this skip the
// readability pass (its scoring makes several passes over the tree) and
// use their <body> as the main text.
const maxReadabilityElements = 20000

// minArticleWords: an <article> or <main> with fewer paragraph words
// than this is a teaser card, not the story.
const minArticleWords = 50

// extractHTML returns the main text and stated metadata of an HTML page.
//
// Metadata: the title is the page's visible headline (the first <h1> of
// the article, else the first outside the page chrome), else JSON-LD
// "headline", og:title or the <title> without the site's name; the date is
// JSON-LD "datePublished", else a publication meta tag
// (article:published_time, parsely-pub-date, dc.date …), else the
// article's <time datetime> (one marked pubdate or itemprop=datePublished,
// else the first before the story's prose); the author is JSON-LD
// "author" (a name, an object or a list), else a meta tag; the publisher
// is JSON-LD "publisher.name", else og:site_name. Modified dates are kept
// apart for when nothing states a publication date. Visible bylines and
// datelines are read later, from the text, by cleanText.
//
// Main text: page chrome is removed first (see chrome.go), then the
// story is the <article> with the most paragraph text, else <main>, else
// what readability finds (for pages built of bare <div>s), else <body>.
func extractHTML(data []byte) (htmlPage, error) {
	root, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return htmlPage{}, fmt.Errorf("parse HTML: %w", err)
	}
	s := scanHTML(root)
	page := htmlPage{DayFirst: s.dayFirst()}
	headline := s.headline()
	ld := parseJSONLD(s.ldBlocks)

	page.Meta.Title = firstNonEmpty(nodeText(headline), ld.Headline, s.metaValue(metaTitleKeys), s.titleTag())
	page.Meta.Author = firstNonEmpty(ld.Author, s.metaAuthor())
	page.Meta.Publisher = firstNonEmpty(ld.Publisher, s.metaValue(metaPublisherKeys), s.titleSite(page.Meta.Title))
	page.Meta.URL = firstNonEmpty(s.canonical, s.metaValue([]string{"og:url"}))
	page.Meta.Published = firstNonEmpty(statedDate(ld.Published, page.DayFirst), s.metaDate(metaPublishedKeys, page.DayFirst), s.timeDate(page.DayFirst))
	page.Modified = firstNonEmpty(statedDate(ld.Modified, page.DayFirst), s.metaDate(metaModifiedKeys, page.DayFirst))

	removeChrome(root, headline)
	content := largestWithWords(s.articles)
	if content == nil {
		content = largestWithWords(s.mains)
	}
	byline := ""
	if content == nil {
		content, byline = readableContent(root)
	}
	if content == nil {
		content = s.body
	}
	if content == nil {
		return page, nil
	}
	w := htmlTextWriter{skip: headline}
	w.walk(content, content.DataAtom == atom.Article || content.DataAtom == atom.Main)
	page.Text = w.String()
	if isBylineText(byline, page.DayFirst) {
		// Readability takes the byline or dateline out of the story; put it
		// back at the top, where cleanText reads bylines and datelines.
		// Anything else it took for one (a photo credit) stays out.
		page.Text = byline + "\n\n" + page.Text
	}
	return page, nil
}

// htmlScan is what one pass over a page's tree collects.
type htmlScan struct {
	lang, titleText, canonical string
	meta                       map[string][]string // lower-case key → contents in order
	ldBlocks                   []string
	h1s                        []*html.Node
	times                      []*html.Node
	itemDates                  []string // itemprop=datePublished values
	articles, mains            []*html.Node
	body                       *html.Node
}

// scanHTML walks the tree once and collects its metadata and landmarks.
func scanHTML(root *html.Node) htmlScan {
	s := htmlScan{meta: map[string][]string{}}
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if strings.EqualFold(attr(n, "itemprop"), "datePublished") && n.DataAtom != atom.Meta {
			s.itemDates = append(s.itemDates, firstNonEmpty(attr(n, "datetime"), attr(n, "content"), nodeText(n)))
		}
		switch n.DataAtom {
		case atom.Html:
			s.lang = attr(n, "lang")
		case atom.Title:
			if s.titleText == "" {
				s.titleText = nodeText(n)
			}
		case atom.Meta:
			content := strings.TrimSpace(attr(n, "content"))
			for _, k := range []string{"property", "name", "itemprop", "http-equiv"} {
				if key := strings.ToLower(strings.TrimSpace(attr(n, k))); key != "" && content != "" {
					s.meta[key] = append(s.meta[key], content)
				}
			}
		case atom.Link:
			if strings.EqualFold(attr(n, "rel"), "canonical") && s.canonical == "" {
				s.canonical = strings.TrimSpace(attr(n, "href"))
			}
		case atom.Script:
			if strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json") && n.FirstChild != nil {
				s.ldBlocks = append(s.ldBlocks, n.FirstChild.Data)
			}
		case atom.H1:
			s.h1s = append(s.h1s, n)
		case atom.Time:
			s.times = append(s.times, n)
		case atom.Article:
			s.articles = append(s.articles, n)
		case atom.Main:
			s.mains = append(s.mains, n)
		case atom.Body:
			s.body = n
		}
	}
	return s
}

// dayFirst reports how the page's all-numeric dates read: month first only
// when it declares United States English (lang="en-US", og:locale en_US).
func (s htmlScan) dayFirst() bool {
	for _, l := range append([]string{s.lang}, s.meta["og:locale"]...) {
		if l = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(l), "_", "-")); l == "en-us" {
			return false
		}
	}
	return true
}

// metaValue returns the first content stated under any of keys.
func (s htmlScan) metaValue(keys []string) string {
	for _, k := range keys {
		for _, v := range s.meta[k] {
			if v = strings.Join(strings.Fields(v), " "); v != "" {
				return v
			}
		}
	}
	return ""
}

// metaAuthor returns the author a meta tag names; a profile address is
// not a name, and a leading "By" is dropped.
func (s htmlScan) metaAuthor() string {
	for _, k := range metaAuthorKeys {
		for _, v := range s.meta[k] {
			v = strings.Join(strings.Fields(v), " ")
			if g := bylineRe.FindStringSubmatch(v); g != nil && strings.HasPrefix(strings.ToLower(v), "by") {
				v = strings.TrimSpace(g[1])
			}
			if v != "" && !strings.Contains(v, "://") {
				return v
			}
		}
	}
	return ""
}

// metaDate returns the first date stated under any of keys.
func (s htmlScan) metaDate(keys []string, dayFirst bool) string {
	for _, k := range keys {
		for _, v := range s.meta[k] {
			if d := statedDate(v, dayFirst); d != "" {
				return d
			}
		}
	}
	return ""
}

// timeDate returns the publication date a <time> element or an
// itemprop=datePublished states: one marked as the publication date
// wins, else the first <time> inside the article (or the page, when it
// has no article) that comes before the story's prose.
func (s htmlScan) timeDate(dayFirst bool) string {
	for _, v := range s.itemDates {
		if d := statedDate(v, dayFirst); d != "" {
			return d
		}
	}
	read := func(t *html.Node) string {
		return firstNonEmpty(statedDate(attr(t, "datetime"), dayFirst), statedDate(nodeText(t), dayFirst))
	}
	for _, t := range s.times {
		if _, ok := attrPresent(t, "pubdate"); ok || strings.Contains(strings.ToLower(attr(t, "class")), "publish") {
			if d := read(t); d != "" {
				return d
			}
		}
	}
	scope := largestWithWords(s.articles)
	if scope == nil {
		scope = s.body
	}
	if scope == nil {
		return ""
	}
	for n := range scope.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if n.DataAtom == atom.P && len(strings.Fields(nodeText(n))) >= 25 {
			return "" // the story has begun; a later <time> dates an event
		}
		if n.DataAtom == atom.Time && !insideChrome(n) {
			if d := read(n); d != "" {
				return d
			}
		}
	}
	return ""
}

// headline returns the page's visible headline element: the first <h1>
// inside the story's <article>, else the first <h1> outside the page
// chrome, when it has at least two words; nil if there is none.
func (s htmlScan) headline() *html.Node {
	ok := func(h *html.Node) bool { return len(strings.Fields(nodeText(h))) >= 2 }
	if a := largestWithWords(s.articles); a != nil {
		for _, h := range s.h1s {
			if isAncestor(a, h) && ok(h) {
				return h
			}
		}
	}
	for _, h := range s.h1s {
		if !insideChrome(h) && ok(h) {
			return h
		}
	}
	return nil
}

// titleTag returns the <title> without the site name that pages append or
// prepend ("Headline | Site", "Headline - Site").
func (s htmlScan) titleTag() string {
	t := s.titleText
	site := titleKey(s.metaValue(metaPublisherKeys))
	for _, sep := range titleSeparators {
		parts := strings.Split(t, sep)
		if len(parts) < 2 {
			continue
		}
		last, first := parts[len(parts)-1], parts[0]
		switch {
		case site != "" && titleKey(last) == site, len(strings.Fields(last)) <= 4 && len(strings.Fields(first)) > len(strings.Fields(last)):
			return strings.TrimSpace(strings.Join(parts[:len(parts)-1], sep))
		case site != "" && titleKey(first) == site:
			return strings.TrimSpace(strings.Join(parts[1:], sep))
		}
	}
	return strings.TrimSpace(t)
}

// titleSeparators set a site's name apart from the headline in a <title>.
var titleSeparators = []string{" | ", " - ", " — ", " – ", " :: ", " · "}

// titleSite returns the site's name a <title> adds to the page's headline
// ("Canal cuts transits | Maritime Ledger"), or "" when the <title> is
// something else: the publisher of a page that states it nowhere else.
func (s htmlScan) titleSite(headline string) string {
	h := s.titleTag()
	if key := titleKey(headline); key == "" || titleKey(h) != key || len(h) == len(s.titleText) {
		return ""
	}
	site := strings.TrimSpace(strings.Replace(s.titleText, h, "", 1))
	for _, sep := range titleSeparators {
		site = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(site, strings.TrimSpace(sep)), strings.TrimSpace(sep)))
	}
	if n := len(strings.Fields(site)); n == 0 || n > 5 {
		return ""
	}
	return site
}

// largestWithWords returns the node among ns with the most paragraph
// words, if it has at least minArticleWords; nil otherwise.
func largestWithWords(ns []*html.Node) *html.Node {
	var best *html.Node
	bestWords := 0
	for _, n := range ns {
		if n.Parent == nil && n.Type != html.DocumentNode {
			continue // removed as chrome
		}
		if w := paragraphWords(n); w > bestWords {
			best, bestWords = n, w
		}
	}
	if bestWords < minArticleWords {
		return nil
	}
	return best
}

// isBylineText reports whether s reads as a byline or a dateline.
func isBylineText(s string, dayFirst bool) bool {
	if s == "" {
		return false
	}
	if _, _, ok := standaloneDateline(s, dayFirst); ok {
		return true
	}
	_, ok := metaLine(s, dayFirst)
	return ok
}

// readableContent returns the main content readability finds in a page
// without <article> or <main>, and the byline it took out of it ("PANAMA
// CITY, March 15, 2024 — By Jane Roe"); nil when it finds none, the page
// is too large for it, or it fails (a panic in the library on a malformed
// page is recovered: one bad page must not stop a load).
func readableContent(root *html.Node) (content *html.Node, byline string) {
	defer func() {
		if recover() != nil {
			content, byline = nil, ""
		}
	}()
	p := readability.NewParser()
	p.MaxElemsToParse = maxReadabilityElements
	p.DisableJSONLD = true // read by parseJSONLD already
	article, err := p.ParseAndMutate(root, nil)
	if err != nil || article.Node == nil || paragraphWords(article.Node) < minArticleWords {
		return nil, ""
	}
	return article.Node, strings.TrimSpace(article.Byline())
}

// firstNonEmpty returns the first non-empty string, trimmed.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// attr returns the value of n's attribute key, or "".
func attr(n *html.Node, key string) string {
	v, _ := attrPresent(n, key)
	return v
}

// attrPresent returns the value of n's attribute key and whether n has it.
func attrPresent(n *html.Node, key string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}

// isAncestor reports whether a is n or one of its ancestors.
func isAncestor(a, n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}

// insideChrome reports whether n lies inside page chrome.
func insideChrome(n *html.Node) bool {
	inArticle := false
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Article || p.DataAtom == atom.Main {
			inArticle = true
		}
	}
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type != html.ElementNode || p.DataAtom == atom.Body || p.DataAtom == atom.Html {
			continue // a body class ("has-sidebar") says nothing of its content
		}
		if chromeTag(p, inArticle) || chromeByName(p) {
			return true
		}
	}
	return false
}

// nodeText returns the collapsed text inside n; "" for nil.
func nodeText(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// htmlTextWriter renders an element tree as plain text with paragraph
// breaks at block elements.
type htmlTextWriter struct {
	b strings.Builder
	// skip is an element left out (the headline, which is the title).
	skip *html.Node
	// pending is the break owed before the next text: -1 a space, 0
	// none, 1 line, 2 paragraph.
	pending int
	// bullet is set inside a list item until its first text is written.
	bullet bool
}

// walk renders n and its descendants; inArticle says whether n lies in
// an <article> or <main>.
func (w *htmlTextWriter) walk(n *html.Node, inArticle bool) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
		// Chrome marked by name was removed from the tree by removeChrome,
		// except what holds the story, which must be walked.
		if n == w.skip || chromeTag(n, inArticle) {
			return
		}
		if n.DataAtom == atom.Article || n.DataAtom == atom.Main {
			inArticle = true
		}
	case html.DocumentNode:
	default:
		return
	}
	block := isBlock(n)
	if block {
		w.brk(2)
	}
	switch n.DataAtom {
	case atom.Br:
		w.brk(1)
	case atom.Li:
		w.brk(2)
		w.bullet = true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, inArticle)
	}
	if block {
		w.brk(2)
	}
}

// brk owes a line (1) or paragraph (2) break before the next text.
func (w *htmlTextWriter) brk(k int) {
	if w.b.Len() > 0 && k > w.pending {
		w.pending = k
	}
}

// text writes a text node's words, collapsing white space.
func (w *htmlTextWriter) text(s string) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		if w.b.Len() > 0 && w.pending == 0 && s != "" {
			w.pending = -1 // a space between inline elements
		}
		return
	}
	lead := s[0] == ' ' || s[0] == '\n' || s[0] == '\t' || s[0] == '\r'
	switch {
	case w.pending == 2:
		w.b.WriteString("\n\n")
	case w.pending == 1:
		w.b.WriteString("\n")
	case w.b.Len() > 0 && (w.pending == -1 || lead):
		w.b.WriteByte(' ')
	}
	w.pending = 0
	if w.bullet {
		w.b.WriteString("• ")
		w.bullet = false
	}
	w.b.WriteString(strings.Join(fields, " "))
	last := s[len(s)-1]
	if last == ' ' || last == '\n' || last == '\t' || last == '\r' {
		w.pending = -1
	}
}

// String returns the rendered text.
func (w *htmlTextWriter) String() string { return strings.TrimSpace(w.b.String()) }

// isBlock reports whether n starts a new paragraph.
func isBlock(n *html.Node) bool {
	switch n.DataAtom {
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Main, atom.H1, atom.H2,
		atom.H3, atom.H4, atom.H5, atom.H6, atom.Ul, atom.Ol, atom.Li, atom.Blockquote,
		atom.Pre, atom.Table, atom.Tr, atom.Dl, atom.Dt, atom.Dd, atom.Hr, atom.Address,
		atom.Body, atom.Center, atom.Header, atom.Footer, atom.Aside, atom.Nav, atom.Figure:
		return true
	}
	return false
}
