package answer

import "missionbot/retrieval"

// sourcesOf makes one source per passage, showing its whole text.
func sourcesOf(passages []retrieval.Passage) []source {
	out := make([]source, len(passages))
	for i, p := range passages {
		out[i] = source{meta: p.Meta, text: p.Text, passages: []retrieval.Passage{p}}
	}
	return out
}
