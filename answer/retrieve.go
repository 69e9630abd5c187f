package answer

import (
	"context"
	"fmt"

	"missionbot/retrieval"
)

// Passages handed to the model: it judges relevance, so it reads more than
// the k an answer cites by default, trimmed to their best sentences (see
// prompts.Pack).
const (
	modelPassageFactor = 2
	maxModelPassages   = 20
)

// modelK is how many passages to retrieve for the model when an answer
// rests on k.
func modelK(k int) int {
	return max(k, min(modelPassageFactor*k, maxModelPassages))
}

// retrieve searches every query for k passages and merges the results:
// passages interleaved by rank, the first query's first, without repeats,
// renumbered; the best coverage; the first notice; the first query's terms
// and time frame, which the refusal checks read.
func retrieve(ctx context.Context, s Searcher, queries []string, k int) (retrieval.Results, error) {
	var all []retrieval.Results
	for _, q := range queries {
		res, err := s.Search(ctx, q, k)
		if err != nil {
			return retrieval.Results{}, fmt.Errorf("search: %w", err)
		}
		all = append(all, res)
	}
	if len(all) == 1 {
		return all[0], nil
	}
	out := retrieval.Results{Query: all[0].Query, Terms: all[0].Terms, Time: all[0].Time}
	seen := map[string]bool{}
	for rank := 0; len(out.Passages) < k; rank++ {
		more := false
		for _, res := range all {
			if rank >= len(res.Passages) {
				continue
			}
			more = true
			p := res.Passages[rank]
			if seen[p.ID] || len(out.Passages) >= k {
				continue
			}
			seen[p.ID] = true
			p.Rank = len(out.Passages) + 1
			out.Passages = append(out.Passages, p)
		}
		if !more {
			break
		}
	}
	for _, res := range all {
		out.Coverage = max(out.Coverage, res.Coverage)
		if out.Notice == "" {
			out.Notice = res.Notice
		}
	}
	return out, nil
}
