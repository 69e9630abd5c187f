package corpus

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlPage is what extractHTML finds in a web page: its main text, with
// paragraphs separated by blank lines and list items as bullets, and the
// metadata its head states.
type htmlPage struct {
	Text string
	Meta Meta
}

// extractHTML returns the main text and stated metadata of an HTML page.
// The main text comes from the first <article>, else <main>, else <body>,
// without scripts, styles, navigation, headers, footers, asides, forms,
// figures and their captions. The title is og:title, else the first <h1>,
// else <title>; the date is article:published_time, else the first
// <time datetime>; the author is meta author; the publisher og:site_name;
// the URL the canonical link, else og:url.
func extractHTML(data []byte) (htmlPage, error) {
	root, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return htmlPage{}, fmt.Errorf("parse HTML: %w", err)
	}
	var page htmlPage
	var titleTag, h1, ogTitle, timeAttr, canonical, ogURL string
	var article, main, body *html.Node
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Title:
			if titleTag == "" {
				titleTag = nodeText(n)
			}
		case atom.H1:
			if h1 == "" && !insideSkipped(n) {
				h1 = nodeText(n)
			}
		case atom.Meta:
			key := strings.ToLower(attr(n, "property"))
			if key == "" {
				key = strings.ToLower(attr(n, "name"))
			}
			content := strings.TrimSpace(attr(n, "content"))
			switch key {
			case "og:title":
				ogTitle = content
			case "og:site_name":
				page.Meta.Publisher = content
			case "og:url":
				ogURL = content
			case "author", "article:author":
				if page.Meta.Author == "" && !strings.Contains(content, "://") {
					page.Meta.Author = content
				}
			case "article:published_time", "datepublished", "date", "pubdate":
				if page.Meta.Published == "" {
					page.Meta.Published = isoDay(content)
				}
			}
		case atom.Link:
			if strings.EqualFold(attr(n, "rel"), "canonical") {
				canonical = strings.TrimSpace(attr(n, "href"))
			}
		case atom.Time:
			if timeAttr == "" {
				timeAttr = isoDay(attr(n, "datetime"))
			}
		case atom.Article:
			if article == nil {
				article = n
			}
		case atom.Main:
			if main == nil {
				main = n
			}
		case atom.Body:
			body = n
		}
	}
	page.Meta.Title = firstNonEmpty(ogTitle, h1, titleTag)
	if page.Meta.Published == "" {
		page.Meta.Published = timeAttr
	}
	page.Meta.URL = firstNonEmpty(canonical, ogURL)
	content := firstNode(article, main, body)
	if content == nil {
		return page, nil
	}
	var w htmlTextWriter
	w.walk(content)
	page.Text = w.String()
	return page, nil
}

// firstNode returns the first non-nil node.
func firstNode(ns ...*html.Node) *html.Node {
	for _, n := range ns {
		if n != nil {
			return n
		}
	}
	return nil
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// isoDay returns the YYYY-MM-DD day of an ISO 8601 timestamp, or "".
func isoDay(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 10 && validDate(s[:10]) && s[4] == '-' && s[7] == '-' {
		return s[:10]
	}
	return ""
}

// attr returns the value of n's attribute key, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// skippedElement reports whether an element holds page chrome rather
// than article text.
func skippedElement(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Nav, atom.Header, atom.Footer, atom.Aside,
		atom.Form, atom.Noscript, atom.Figure, atom.Figcaption, atom.Iframe,
		atom.Svg, atom.Button, atom.Template, atom.Select, atom.Object, atom.Canvas:
		return true
	}
	return n.Type == html.ElementNode && (n.Data == "svg" || strings.EqualFold(attr(n, "aria-hidden"), "true") || attr(n, "hidden") != "" && n.DataAtom != atom.Input)
}

// insideSkipped reports whether n lies inside page chrome.
func insideSkipped(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && skippedElement(p) {
			return true
		}
	}
	return false
}

// nodeText returns the collapsed text inside n.
func nodeText(n *html.Node) string {
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
	// pending is the break owed before the next text: -1 a space, 0
	// none, 1 line, 2 paragraph.
	pending int
	// bullet is set inside a list item until its first text is written.
	bullet bool
}

// walk renders n and its descendants.
func (w *htmlTextWriter) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
		if skippedElement(n) {
			return
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
		w.walk(c)
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
		atom.Body, atom.Center:
		return true
	}
	return false
}
