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

func TestFallbackReason(t *testing.T) {
	tests := []struct {
		name string
		a    answer.Answer
		want string
	}{
		{"model timed out", answer.Answer{Mode: answer.ModeLLM, Notice: answer.KindTimeout.Notice(), Fallback: answer.KindTimeout.String()}, "timeout"},
		{"model rate limited", answer.Answer{Mode: answer.ModeLLM, Notice: answer.KindRateLimited.Notice(), Fallback: answer.KindRateLimited.String()}, "rate_limited"},
		{"model unavailable", answer.Answer{Mode: answer.ModeLLM, Notice: answer.KindUnavailable.Notice(), Fallback: answer.KindUnavailable.String()}, "unavailable"},
		{"fallback that refused", answer.Answer{Mode: answer.ModeLLM, Notice: answer.KindAuth.Notice(), Fallback: answer.KindAuth.String(), Refused: true}, "auth"},
		{"model answer", answer.Answer{Mode: answer.ModeLLM}, ""},
		{"model answer cut by its length limit", answer.Answer{Mode: answer.ModeLLM, Notice: answer.NoticeLength}, ""},
		{"refusal with another notice", answer.Answer{Mode: answer.ModeLLM, Notice: "x", Refused: true}, ""},
		{"extractive answer with a search notice", answer.Answer{Mode: answer.ModeExtractive, Notice: "Matched keywords only."}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := fallbackReason(tc.a); got != tc.want {
				t.Errorf("fallbackReason = %q, want %q", got, tc.want)
			}
			if got := isFallback(tc.a); got != (tc.want != "") {
				t.Errorf("isFallback = %v, want %v", got, tc.want != "")
			}
		})
	}
}
