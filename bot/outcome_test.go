package bot

import (
	"errors"
	"fmt"
	"testing"

	"missionbot/answer"
	"missionbot/metrics"
)

func TestOutcome(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		refused  bool
		fallback bool
		want     string
	}{
		{"answered", nil, false, false, metrics.OutcomeAnswered},
		{"refused", nil, true, false, metrics.OutcomeRefused},
		{"fallback", nil, false, true, metrics.OutcomeFallback},
		{"rate limited", fmt.Errorf("ask: %w", &rateLimitedError{}), false, false, metrics.OutcomeRateLimited},
		{"busy", fmt.Errorf("wait: %w", ErrBusy), false, false, metrics.OutcomeBusy},
		{"invalid", fmt.Errorf("%w: empty", answer.ErrInvalidQuestion), false, false, metrics.OutcomeInvalid},
		{"error wins over refusal", errors.New("boom"), true, false, metrics.OutcomeError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := outcome(tc.err, tc.refused, tc.fallback); got != tc.want {
				t.Errorf("outcome = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestIsFallback(t *testing.T) {
	tests := []struct {
		a    answer.Answer
		want bool
	}{
		{answer.Answer{Mode: answer.ModeLLM, Notice: "The language model timed out"}, true},
		{answer.Answer{Mode: answer.ModeLLM}, false},
		{answer.Answer{Mode: answer.ModeLLM, Notice: "x", Refused: true}, false},
		{answer.Answer{Mode: answer.ModeExtractive, Notice: "x"}, false},
	}
	for i, tc := range tests {
		if got := isFallback(tc.a); got != tc.want {
			t.Errorf("case %d: isFallback = %v, want %v", i, got, tc.want)
		}
	}
}
