package answer

import "github.com/abadojack/whatlanggo"

// foreignConfidence is the confidence whatlanggo must have that a question
// is in another language than English before it is translated for search.
// English questions full of names ("What did the White House spokesman
// say?") score below 0.3 for any other language; even short French and
// Haitian Creole questions score above 0.7.
const foreignConfidence = 0.5

// inOtherLanguage reports whether q is, with some confidence, not English:
// then its search needs an English translation beside the original. It
// errs towards English, because a miss only costs the translation (the
// original is searched anyway and the model answers in the question's
// language) while a false alarm costs an English question an extra model
// call. whatlanggo compares the text's trigrams with profiles of 84
// languages, Haitian Creole included; no word list of ours is involved.
func inOtherLanguage(q string) bool {
	info := whatlanggo.Detect(q)
	return info.Lang != whatlanggo.Eng && info.Lang != -1 && info.Confidence >= foreignConfidence
}
