package answer

import (
	"regexp"
	"strings"
)

// Marker formats models write besides the bracketed ones citeMarker reads.
var (
	// mdLink is a Markdown link [text](url): Discord shows it as a masked
	// link, which must never reach it. Its text may itself be a marker
	// ("[[1]](https://…)").
	mdLink = regexp.MustCompile(`\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*<?[A-Za-z][A-Za-z0-9+.-]*:[^)\s>]*>?(?:\s+"[^"\n]*")?\s*\)`)
	// footnoteDef is a footnote definition line "[^1]: …" a model appends.
	footnoteDef = regexp.MustCompile(`(?m)^[ \t]*\[\^\d+\]:.*(?:\n|$)`)
	// footnoteRef is a footnote reference [^1].
	footnoteRef = regexp.MustCompile(`\[\^(\d+)\]`)
	// superscript is a run of superscript digits, "¹" or "¹²" or "¹,³".
	superscript = regexp.MustCompile(`[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:\s*,\s*[⁰¹²³⁴⁵⁶⁷⁸⁹]+)*`)
	// parenMarker is "(1)", "(1, 2)", "(Source 2)", "(sources 1 and 3)".
	parenMarker = regexp.MustCompile(`(?i)\(\s*((?:sources?|src|refs?|docs?|documents?|passages?|s)\.?\s*:?\s*)?(\d+(?:\s*(?:,|;|-|–|and|&)\s*\d+)*)\s*\)`)
	// proseMarker is "Source 3" or "sources 1 and 2" in running text, as in
	// "According to Source 3, …".
	proseMarker = regexp.MustCompile(`(?i)\b(sources?)\s+(\d+(?:\s*(?:,|and|&)\s*\d+)*)\b`)
	// bareNumber is a link text that is only a number, "1" or "[1]".
	bareNumber = regexp.MustCompile(`^\s*\[?\s*(\d+)\s*\]?\s*$`)
)

var superDigits = strings.NewReplacer("⁰", "0", "¹", "1", "²", "2", "³", "3", "⁴", "4", "⁵", "5", "⁶", "6", "⁷", "7", "⁸", "8", "⁹", "9")

// normaliseFormats rewrites the citation forms models write into the
// bracketed ones citeMarker reads, outside code: Markdown links lose their
// URL (a link whose text is a marker becomes the marker), footnotes [^1]
// and superscripts ¹ become [1] and footnote definitions go, "(Source 2)"
// becomes [2] and so does "(2)" when 2 names one of the n sources (and the
// parenthesis does not open a line or follow a colon, as a list item
// would), and "Source 3" in prose becomes "Source [3]" so that renumbering
// keeps it in step with the markers.
func normaliseFormats(s string, n int) string {
	var b strings.Builder
	for _, sp := range splitCode(s) {
		if sp.code {
			b.WriteString(sp.text)
			continue
		}
		t := mdLink.ReplaceAllStringFunc(sp.text, func(m string) string {
			inner := mdLink.FindStringSubmatch(m)[1]
			if num := bareNumber.FindStringSubmatch(inner); num != nil {
				return "[" + num[1] + "]"
			}
			return inner
		})
		t = footnoteDef.ReplaceAllString(t, "")
		t = footnoteRef.ReplaceAllString(t, "[$1]")
		t = superscript.ReplaceAllStringFunc(t, func(m string) string {
			var out strings.Builder
			for _, part := range strings.Split(m, ",") {
				out.WriteString("[" + superDigits.Replace(strings.TrimSpace(part)) + "]")
			}
			return out.String()
		})
		t = replaceParenMarkers(t, n)
		t = replaceProseMarkers(t)
		b.WriteString(t)
	}
	return b.String()
}

// replaceParenMarkers rewrites parenthesised markers as bracketed ones.
func replaceParenMarkers(t string, n int) string {
	locs := parenMarker.FindAllStringSubmatchIndex(t, -1)
	if len(locs) == 0 {
		return t
	}
	var b strings.Builder
	last := 0
	for _, loc := range locs {
		labelled := loc[2] >= 0
		nums := t[loc[4]:loc[5]]
		if !labelled {
			before := strings.TrimRight(t[:loc[0]], " \t")
			if before == "" || strings.HasSuffix(before, "\n") || strings.HasSuffix(before, ":") {
				continue // a list item, "(1) Kenya"
			}
			ok := true
			for _, k := range markerNumbers(nums) {
				if k < 1 || k > n {
					ok = false
				}
			}
			if !ok {
				continue // "(2024)" is a year, not a source
			}
		}
		b.WriteString(t[last:loc[0]])
		b.WriteString("[" + nums + "]")
		last = loc[1]
	}
	b.WriteString(t[last:])
	return b.String()
}

// replaceProseMarkers rewrites "Source 3" in running text as "Source [3]";
// inside brackets or parentheses ("[Source 3]") it is already a marker.
func replaceProseMarkers(t string) string {
	locs := proseMarker.FindAllStringSubmatchIndex(t, -1)
	var b strings.Builder
	last := 0
	for _, loc := range locs {
		before := strings.TrimRight(t[:loc[0]], " \t")
		if strings.HasSuffix(before, "[") || strings.HasSuffix(before, "(") || strings.HasSuffix(before, "【") {
			continue
		}
		b.WriteString(t[last:loc[0]])
		b.WriteString(t[loc[2]:loc[3]] + " [" + t[loc[4]:loc[5]] + "]")
		last = loc[1]
	}
	b.WriteString(t[last:])
	return b.String()
}
