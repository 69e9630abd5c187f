package corpus

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Page chrome: the parts of a web page that are not the article. They are
// recognised by element (navigation, asides, forms), by ARIA role, and by
// the class and id names web templates give them, the same vocabulary
// readability implementations rely on (cookie, consent, newsletter,
// share, related, sidebar, comment, promo, tags …).

// chromeParts are class or id words that mark chrome on their own, as a
// whole name or as one hyphen- or underscore-separated part of it
// ("cookie-strip", "share_bar", "side-rail").
var chromeParts = map[string]bool{
	"cookie": true, "cookies": true, "consent": true, "gdpr": true, "newsletter": true,
	"newsletters": true, "signup": true, "subscribe": true, "subscription": true,
	"share": true, "sharing": true, "social": true, "related": true, "recommended": true,
	"recirculation": true, "popular": true, "trending": true, "sidebar": true, "rail": true,
	"comment": true, "comments": true, "disqus": true, "discussion": true, "reactions": true,
	"promo": true, "promotion": true, "advert": true, "advertisement": true, "ad": true,
	"ads": true, "adslot": true, "sponsor": true, "sponsored": true, "outbrain": true,
	"taboola": true, "breadcrumb": true, "breadcrumbs": true, "tags": true, "tag": true,
	"menu": true, "nav": true, "navbar": true, "navigation": true, "footer": true,
	"masthead": true, "modal": true, "popup": true, "overlay": true, "paywall": true,
	"toolbar": true, "banner": true, "bio": true, "mostread": true, "widget": true,
}

// chromePairs are two consecutive name parts that together mark chrome
// ("most-read", "author-bio", "more-stories").
var chromePairs = map[[2]string]bool{
	{"most", "read"}: true, {"most", "popular"}: true, {"most", "viewed"}: true,
	{"author", "bio"}: true, {"author", "box"}: true, {"author", "card"}: true,
	{"author", "info"}: true, {"author", "profile"}: true, {"about", "author"}: true,
	{"writer", "box"}: true, {"more", "stories"}: true, {"read", "more"}: true,
}

// chromeRoles are ARIA roles of chrome.
var chromeRoles = map[string]bool{
	"navigation": true, "banner": true, "complementary": true, "contentinfo": true,
	"dialog": true, "alertdialog": true, "menu": true, "menubar": true, "search": true,
}

// chromeTag reports whether an element is chrome by its tag alone: scripts
// and styles, navigation, asides, footers, forms and controls, figures
// and their captions, embedded objects. Headers are chrome only outside
// an article (inside one they hold the headline and byline).
func chromeTag(n *html.Node, inArticle bool) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Nav, atom.Footer, atom.Aside, atom.Form,
		atom.Noscript, atom.Figure, atom.Figcaption, atom.Iframe, atom.Svg, atom.Button,
		atom.Template, atom.Select, atom.Object, atom.Canvas, atom.Dialog, atom.Input,
		atom.Textarea, atom.Label:
		return true
	case atom.Header:
		return !inArticle
	}
	return n.Data == "svg" || strings.EqualFold(attr(n, "aria-hidden"), "true") || attr(n, "hidden") != ""
}

// chromeByName reports whether an element's role, class or id marks it as
// chrome.
func chromeByName(n *html.Node) bool {
	if chromeRoles[strings.ToLower(strings.TrimSpace(attr(n, "role")))] {
		return true
	}
	for _, name := range strings.Fields(strings.ToLower(attr(n, "class") + " " + attr(n, "id"))) {
		if chromeParts[name] {
			return true
		}
		parts := strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' })
		for i, p := range parts {
			if chromeParts[p] || i > 0 && chromePairs[[2]string{parts[i-1], p}] {
				return true
			}
		}
	}
	return false
}

// removeChrome detaches from the tree the elements that chromeByName
// marks, except those that hold the article: the html and body elements,
// an <article> or <main>, anything containing one of them or the headline,
// and anything holding at least half of the page's paragraph words (a
// template may call the whole story column "has-sidebar").
func removeChrome(root, headline *html.Node) {
	total := paragraphWords(root)
	var marked []*html.Node
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom != atom.Html && n.DataAtom != atom.Body && chromeByName(n) && !holdsArticle(n, headline, total) {
			marked = append(marked, n)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(root)
	for _, n := range marked {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
}

// holdsArticle reports whether n must stay although its name marks
// chrome.
func holdsArticle(n, headline *html.Node, totalWords int) bool {
	for d := range n.Descendants() {
		if d == headline || d.DataAtom == atom.Article || d.DataAtom == atom.Main {
			return true
		}
	}
	if n.DataAtom == atom.Article || n.DataAtom == atom.Main {
		return true
	}
	return totalWords > 0 && paragraphWords(n)*2 >= totalWords
}

// paragraphWords counts the words in the <p> elements under n.
func paragraphWords(n *html.Node) int {
	words := 0
	for d := range n.Descendants() {
		if d.Type == html.TextNode && d.Parent != nil && hasAncestor(d, atom.P, n) {
			words += len(strings.Fields(d.Data))
		}
	}
	return words
}

// hasAncestor reports whether n has an ancestor element a, looking no
// higher than stop.
func hasAncestor(n *html.Node, a atom.Atom, stop *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == a {
			return true
		}
		if p == stop {
			break
		}
	}
	return false
}
