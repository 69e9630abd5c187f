package bot

import (
	"encoding/json"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// encodeResponse returns the JSON of an interaction's initial response,
// for the gateway callback and the HTTP endpoint's reply alike. An
// autocomplete result always carries "choices": discordgo's field is
// omitempty, so an empty list would vanish, and Discord reads a result
// without choices as malformed ("Loading options failed") rather than as
// "nothing matches".
func encodeResponse(r *discordgo.InteractionResponse) ([]byte, error) {
	if r == nil {
		return nil, fmt.Errorf("encode interaction response: nil response")
	}
	if r.Type == discordgo.InteractionApplicationCommandAutocompleteResult && (r.Data == nil || len(r.Data.Choices) == 0) {
		return []byte(`{"type":8,"data":{"choices":[]}}`), nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode interaction response: %w", err)
	}
	return b, nil
}
