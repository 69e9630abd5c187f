package prompts

import "unicode"

// EstimateTokens is a conservative (high) estimate of how many tokens s
// costs a BPE tokenizer: the larger of 1.4 tokens a word and a quarter
// token per ASCII character plus one per other character, rounded up.
// English prose averages about 1.3 tokens a word and 4 to 5 characters a
// token; scripts outside ASCII cost about a token a character. So the
// estimate errs on the side of sending less; no tokenizer is needed.
func EstimateTokens(s string) int {
	ascii, other, words := 0, 0, 0
	inWord := false
	for _, r := range s {
		if r < 0x80 {
			ascii++
		} else {
			other++
		}
		space := unicode.IsSpace(r)
		if !space && !inWord {
			words++
		}
		inWord = !space
	}
	byChars := (ascii+3)/4 + other
	byWords := (words*14 + 9) / 10
	return max(byChars, byWords)
}
