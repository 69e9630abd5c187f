package corpus

import (
	"encoding/json"
	"strings"
)

// ldArticle is what a page's JSON-LD states about the article: the
// schema.org fields missionbot reads.
type ldArticle struct {
	Headline, Author, Publisher string
	Published, Modified         string // as stated, not yet parsed
}

// articleTypes are the schema.org types that describe a news story,
// most specific first; any of them counts.
var articleTypes = map[string]int{
	"newsarticle": 3, "reportagenews": 3, "analysisnewsarticle": 3, "backgroundnewsarticle": 3,
	"opinionnewsarticle": 3, "reviewnewsarticle": 3, "askpublicnewsarticle": 3,
	"article": 2, "blogposting": 2, "report": 2, "scholarlyarticle": 2, "liveblogposting": 2,
	"webpage": 1, "itempage": 1,
}

// maxLDDepth bounds how deep parseJSONLD looks into nested objects, so a
// hostile page cannot make it recurse without end.
const maxLDDepth = 12

// parseJSONLD reads the JSON-LD blocks of a page and returns what the
// best article-typed object among them states: a NewsArticle (or
// ReportageNews …) before an Article, before a WebPage; objects are found
// at the top level, in lists, in "@graph" arrays and nested (a WebPage's
// "mainEntity"). Blocks that are not valid JSON are skipped.
func parseJSONLD(blocks []string) ldArticle {
	var best map[string]any
	bestRank := 0
	var visit func(v any, depth int)
	visit = func(v any, depth int) {
		if depth > maxLDDepth {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				visit(e, depth+1)
			}
		case map[string]any:
			if r := ldTypeRank(x["@type"]); r > bestRank {
				best, bestRank = x, r
			}
			for k, e := range x {
				if k == "@type" || k == "@context" {
					continue
				}
				switch e.(type) {
				case map[string]any, []any:
					visit(e, depth+1)
				}
			}
		}
	}
	for _, b := range blocks {
		var v any
		if err := json.Unmarshal([]byte(cleanLDBlock(b)), &v); err != nil {
			continue
		}
		visit(v, 0)
	}
	if best == nil {
		return ldArticle{}
	}
	return ldArticle{
		Headline:  firstNonEmpty(ldString(best["headline"]), ldString(best["name"])),
		Author:    strings.Join(ldNames(best["author"]), ", "),
		Publisher: firstNonEmpty(ldNames(best["publisher"])...),
		Published: ldString(best["datePublished"]),
		Modified:  ldString(best["dateModified"]),
	}
}

// cleanLDBlock removes the HTML comment and CDATA wrappers some sites put
// around a JSON-LD script.
func cleanLDBlock(s string) string {
	s = strings.TrimSpace(s)
	for _, w := range [][2]string{{"<!--", "-->"}, {"//<![CDATA[", "//]]>"}, {"<![CDATA[", "]]>"}} {
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, w[0]), w[1]))
	}
	return s
}

// ldTypeRank rates an "@type" value (a string or a list of them): the
// best rank of an article type it names, 0 if none.
func ldTypeRank(t any) int {
	best := 0
	switch x := t.(type) {
	case string:
		s := strings.ToLower(x)
		if i := strings.LastIndexAny(s, "/:"); i >= 0 {
			s = s[i+1:] // "schema:NewsArticle", "https://schema.org/NewsArticle"
		}
		best = articleTypes[s]
	case []any:
		for _, e := range x {
			best = max(best, ldTypeRank(e))
		}
	}
	return best
}

// ldString returns a JSON-LD value as text: a string, the first string
// of a list, or an object's "@value".
func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.Join(strings.Fields(x), " ")
	case []any:
		for _, e := range x {
			if s := ldString(e); s != "" {
				return s
			}
		}
	case map[string]any:
		return ldString(x["@value"])
	}
	return ""
}

// ldNames returns the names a JSON-LD person or organisation value
// states: a string, an object's "name", or a list of either. Addresses
// (an author given only as a profile URL) are not names and are skipped.
func ldNames(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		if s := strings.Join(strings.Fields(x), " "); s != "" && !strings.Contains(s, "://") {
			out = append(out, s)
		}
	case []any:
		for _, e := range x {
			out = append(out, ldNames(e)...)
		}
	case map[string]any:
		out = append(out, ldNames(x["name"])...)
	}
	return out
}
