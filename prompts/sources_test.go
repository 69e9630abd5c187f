package prompts

// sourceTokens estimates what s costs inside the user prompt.
func sourceTokens(s Source) int {
	return headerTokens(s.Meta) + EstimateTokens(s.Text)
}
