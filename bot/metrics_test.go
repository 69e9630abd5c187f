package bot

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"missionbot/answer"
	"missionbot/internal/fakediscord"
	"missionbot/metrics"
)

// scraper reads a Metrics' /metrics text the way Prometheus does.
type scraper struct {
	t   *testing.T
	srv *httptest.Server
}

func newScraper(t *testing.T, m *metrics.Metrics) *scraper {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	return &scraper{t: t, srv: srv}
}

func (s *scraper) scrape() string {
	s.t.Helper()
	resp, err := s.srv.Client().Get(s.srv.URL)
	if err != nil {
		s.t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		s.t.Fatalf("scrape: status %d, %v", resp.StatusCode, err)
	}
	return string(body)
}

// waitFor scrapes until every line in want is present: the bot records an
// interaction's outcome after its last write to Discord, so a test that has
// seen the answer may scrape a moment too early.
func (s *scraper) waitFor(want ...string) {
	s.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		body := s.scrape()
		var missing []string
		for _, w := range want {
			if !strings.Contains(body, w) {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("metrics lack %q; scraped:\n%s", missing, grepMissionbot(body))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// grepMissionbot keeps the bot's own series, for readable failures.
func grepMissionbot(body string) string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "missionbot_") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestMetricsRecordAnInteractionsLife runs /ask, a vote, /refresh and a
// rate-limited /ask through the fake Discord and checks that each moved
// the counters an operator would watch.
func TestMetricsRecordAnInteractionsLife(t *testing.T) {
	m := metrics.New()
	sc := newScraper(t, m)
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, func(o *Options) {
		o.Metrics = m
		// A burst of three requests a user: the ordinary member asks four
		// times and is turned away the fourth time.
		o.Limiter = NewUserLimiter(1, 3, time.Now)
	})
	// The index size is published once the bot is connected.
	sc.waitFor("missionbot_index_documents 2", "missionbot_index_chunks 480")

	sent := h.ask(ordinary, "When did the Kenyan police arrive?", false)
	if _, err := fake.WaitOriginal(sent.Token, 5*time.Second, isFinal); err != nil {
		t.Fatal(err)
	}
	sc.waitFor(
		`missionbot_questions_total{command="ask",outcome="answered"} 1`,
		"missionbot_ack_seconds_count 1",
		`missionbot_answer_seconds_count{mode="extractive"} 1`,
		"missionbot_retrieval_seconds_count 1",
	)

	t.Run("vote", func(t *testing.T) {
		msg, err := fake.WaitOriginal(sent.Token, 5*time.Second, func(m fakediscord.Message) bool {
			return strings.Contains(string(m.Components), "fb:up:")
		})
		if err != nil {
			t.Fatal(err)
		}
		up := regexp.MustCompile(`fb:up:[0-9]+`).FindString(string(msg.Components))
		down := strings.Replace(up, "up", "down", 1)
		click := func(who *fakediscord.Member, id string) {
			t.Helper()
			s, err := fake.Interact(fakediscord.Interaction{Type: 3, CustomID: id, Member: who, MessageToken: sent.Token})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fake.WaitCallback(s.ID, 5*time.Second); err != nil {
				t.Fatal(err)
			}
		}
		click(moderator, up)
		sc.waitFor(`missionbot_feedback_votes{vote="up"} 1`, `missionbot_feedback_votes{vote="down"} 0`)
		// Votes, not clicks: a repeated click counts once, a changed vote
		// moves from up to down, and another user's vote adds one.
		click(moderator, up)
		click(moderator, down)
		click(ordinary, up)
		sc.waitFor(`missionbot_feedback_votes{vote="up"} 1`, `missionbot_feedback_votes{vote="down"} 1`)
	})

	t.Run("refresh", func(t *testing.T) {
		sent := h.command(moderator, "refresh")
		if _, err := fake.WaitOriginalContains(sent.Token, "Refresh done", 5*time.Second); err != nil {
			t.Fatal(err)
		}
		sc.waitFor(`missionbot_refresh_runs_total{result="ok"} 1`, `missionbot_refresh_runs_total{result="error"} 0`,
			"missionbot_refresh_seconds_count 1")
	})

	t.Run("rate limited", func(t *testing.T) {
		for range 3 {
			h.ask(ordinary, "Who leads the mission?", false)
		}
		sc.waitFor(
			`missionbot_questions_total{command="ask",outcome="rate_limited"} 1`,
			"missionbot_rate_limited_total 1",
			`missionbot_questions_total{command="ask",outcome="answered"} 3`,
		)
	})
}

// TestRecordAnswerCountsTokensRefusalsAndFallbacks checks the parts of an
// answer the fake answerer above never produces: model tokens, a refusal,
// and a model answer that fell back to the sources.
func TestRecordAnswerCountsTokensRefusalsAndFallbacks(t *testing.T) {
	m := metrics.New()
	sc := newScraper(t, m)
	b := &Bot{opts: Options{Metrics: m}}
	b.recordAnswer(answer.Answer{Mode: answer.ModeLLM, PromptTokens: 900, CompletionTokens: 120, Retrieve: 3 * time.Millisecond}, 2*time.Second)
	b.recordAnswer(answer.Answer{Mode: answer.ModeLLM, Refused: true, Notice: "x"}, time.Second)
	b.recordAnswer(answer.Answer{Mode: answer.ModeLLM, Notice: answer.KindTimeout.Notice(), Fallback: answer.KindTimeout.String()}, 20*time.Second)
	b.recordAnswer(answer.Answer{Mode: answer.ModeExtractive, Notice: "Matched on keywords only."}, time.Millisecond)
	body := sc.scrape()
	for _, want := range []string{
		`missionbot_model_tokens_total{kind="prompt"} 900`,
		`missionbot_model_tokens_total{kind="completion"} 120`,
		"missionbot_refusals_total 1",
		`missionbot_fallbacks_total{reason="timeout"} 1`,
		`missionbot_answer_seconds_count{mode="llm"} 3`,
		`missionbot_answer_seconds_count{mode="extractive"} 1`,
		"missionbot_retrieval_seconds_count 4",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q; scraped:\n%s", want, grepMissionbot(body))
		}
	}
	if strings.Count(body, "missionbot_fallbacks_total{") != 1 {
		t.Errorf("want exactly one fallback series; scraped:\n%s", grepMissionbot(body))
	}
}
