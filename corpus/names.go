package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// FileNameFor returns a safe file name made from title: lower-case ASCII
// letters, digits and single hyphens, at most 60 characters, "document"
// when nothing usable remains, followed by ext (a leading dot is added;
// anything but letters and digits is dropped from it).
func FileNameFor(title, ext string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(title) {
		r = foldLatin(r)
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			hyphen = false
		} else if !hyphen && b.Len() > 0 && (unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || r > unicode.MaxASCII) {
			b.WriteByte('-')
			hyphen = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	slug := strings.Trim(b.String(), "-")
	if slug == "" {
		slug = "document"
	}
	switch slug {
	case "con", "prn", "aux", "nul", "com1", "lpt1":
		slug += "-document" // reserved device names on Windows
	}
	var e strings.Builder
	for _, r := range strings.ToLower(ext) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			e.WriteRune(r)
		}
	}
	if e.Len() == 0 {
		return slug
	}
	return slug + "." + e.String()
}

// foldLatin maps common accented Latin letters to their base letter, so
// "Haïti" becomes "haiti" rather than "ha-ti".
func foldLatin(r rune) rune {
	const from, to = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿ", "aaaaaaceeeeiiiinoooooouuuuyy"
	if i := strings.IndexRune(from, r); i >= 0 {
		return rune(to[utf8.RuneCountInString(from[:i])])
	}
	return r
}
