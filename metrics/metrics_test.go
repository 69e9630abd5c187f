package metrics

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// scrape GETs path from a mux built by Routes and returns status and body.
func scrape(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

func TestMetricsScrape(t *testing.T) {
	m := New()
	m.Question("ask", OutcomeAnswered)
	m.Question("ask", OutcomeAnswered)
	m.Question("summary", OutcomeRateLimited)
	m.Question("", "\xff") // bad label values must not panic
	m.Ack(40 * time.Millisecond)
	m.Ack(-time.Second)
	m.Answer("llm", 1500*time.Millisecond)
	m.Retrieval(3 * time.Millisecond)
	m.Tokens(120, 30)
	m.Tokens(-5, 0)
	m.Refusal()
	m.Fallback("timeout")
	m.RateLimited()
	m.Votes(3, 4)
	m.Votes(2, 1)
	m.Refresh(true, 2*time.Second)
	m.Refresh(false, time.Second)
	m.IndexSize(42, 1234)

	mux := http.NewServeMux()
	Routes(mux, m, nil)
	code, body := scrape(t, mux, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics status %d, want 200", code)
	}
	tests := []struct {
		name string
		line string
	}{
		{"questions answered", `missionbot_questions_total{command="ask",outcome="answered"} 2`},
		{"questions rate limited", `missionbot_questions_total{command="summary",outcome="rate_limited"} 1`},
		{"bad labels sanitised", `missionbot_questions_total{command="unknown",outcome="` + "\uFFFD" + `"} 1`},
		{"ack count", `missionbot_ack_seconds_count 2`},
		{"ack fine bucket", `missionbot_ack_seconds_bucket{le="0.05"} 2`},
		{"ack below 40ms bucket", `missionbot_ack_seconds_bucket{le="0.025"} 1`},
		{"answer by mode", `missionbot_answer_seconds_count{mode="llm"} 1`},
		{"answer sum", `missionbot_answer_seconds_sum{mode="llm"} 1.5`},
		{"retrieval", `missionbot_retrieval_seconds_count 1`},
		{"prompt tokens", `missionbot_model_tokens_total{kind="prompt"} 120`},
		{"completion tokens", `missionbot_model_tokens_total{kind="completion"} 30`},
		{"refusals", `missionbot_refusals_total 1`},
		{"fallbacks", `missionbot_fallbacks_total{reason="timeout"} 1`},
		{"rate limited", `missionbot_rate_limited_total 1`},
		{"votes up", `missionbot_feedback_votes{vote="up"} 2`},
		{"votes down", `missionbot_feedback_votes{vote="down"} 1`},
		{"refresh ok", `missionbot_refresh_runs_total{result="ok"} 1`},
		{"refresh error", `missionbot_refresh_runs_total{result="error"} 1`},
		{"refresh seconds", `missionbot_refresh_seconds_sum 3`},
		{"documents", `missionbot_index_documents 42`},
		{"chunks", `missionbot_index_chunks 1234`},
		{"go collector", `go_goroutines `},
		{"process collector", `process_resident_memory_bytes `},
	}
	lines := strings.Split(body, "\n")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, l := range lines {
				if strings.HasPrefix(l, tc.line) {
					return
				}
			}
			t.Errorf("scrape lacks %q", tc.line)
		})
	}
}

func TestMetricsZeroSeries(t *testing.T) {
	_, body := scrape(t, New().Handler(), "/")
	for _, want := range []string{
		`missionbot_feedback_votes{vote="down"} 0`,
		`missionbot_refresh_runs_total{result="error"} 0`,
		`missionbot_model_tokens_total{kind="completion"} 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("fresh scrape lacks %q", want)
		}
	}
}

func TestMetricsSeparateRegistries(t *testing.T) {
	a, b := New(), New()
	a.Refusal()
	_, body := scrape(t, b.Handler(), "/")
	if !strings.Contains(body, "missionbot_refusals_total 0\n") {
		t.Errorf("second Metrics saw the first one's refusal:\n%s", body)
	}
}

func TestMetricsNilReceiver(t *testing.T) {
	var m *Metrics
	calls := []struct {
		name string
		call func()
	}{
		{"Question", func() { m.Question("ask", OutcomeError) }},
		{"Ack", func() { m.Ack(time.Second) }},
		{"Answer", func() { m.Answer("llm", time.Second) }},
		{"Retrieval", func() { m.Retrieval(time.Second) }},
		{"Tokens", func() { m.Tokens(1, 2) }},
		{"Refusal", func() { m.Refusal() }},
		{"Fallback", func() { m.Fallback("timeout") }},
		{"RateLimited", func() { m.RateLimited() }},
		{"Votes", func() { m.Votes(1, 0) }},
		{"Refresh", func() { m.Refresh(true, time.Second) }},
		{"IndexSize", func() { m.IndexSize(1, 2) }},
		{"Registry", func() {
			if m.Registry() != nil {
				t.Error("nil Metrics has a registry")
			}
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panicked on nil receiver: %v", r)
				}
			}()
			c.call()
		})
	}
	t.Run("Handler", func(t *testing.T) {
		mux := http.NewServeMux()
		Routes(mux, m, nil)
		if code, body := scrape(t, mux, "/metrics"); code != http.StatusNotFound || !strings.Contains(body, "disabled") {
			t.Errorf("nil /metrics = %d %q, want 404 metrics disabled", code, body)
		}
		if code, _ := scrape(t, mux, "/healthz"); code != http.StatusOK {
			t.Errorf("nil Metrics broke /healthz: %d", code)
		}
	})
}

func TestHealthAndReadiness(t *testing.T) {
	tests := []struct {
		name     string
		ready    func() error
		path     string
		method   string
		wantCode int
		wantBody string
	}{
		{"healthz up", nil, "/healthz", http.MethodGet, 200, "ok\n"},
		{"healthz while not ready", func() error { return errors.New("index not loaded") }, "/healthz", http.MethodGet, 200, "ok\n"},
		{"readyz nil func", nil, "/readyz", http.MethodGet, 200, "ok\n"},
		{"readyz ready", func() error { return nil }, "/readyz", http.MethodGet, 200, "ok\n"},
		{"readyz index", func() error { return errors.New("index not loaded") }, "/readyz", http.MethodGet, 503, "not ready: index not loaded\n"},
		{"readyz discord", func() error { return errors.New("discord not connected") }, "/readyz", http.MethodGet, 503, "not ready: discord not connected\n"},
		{"healthz POST", nil, "/healthz", http.MethodPost, 405, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mux := http.NewServeMux()
			Routes(mux, New(), tc.ready)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			if rec.Code != tc.wantCode {
				t.Errorf("%s %s = %d, want %d", tc.method, tc.path, rec.Code, tc.wantCode)
			}
			if tc.wantBody != "" && rec.Body.String() != tc.wantBody {
				t.Errorf("body %q, want %q", rec.Body.String(), tc.wantBody)
			}
			if tc.wantCode < 300 && rec.Header().Get("Cache-Control") != "no-store" {
				t.Error("probe reply may be cached")
			}
		})
	}
}

func BenchmarkQuestion(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.Question("ask", OutcomeAnswered)
		m.Ack(30 * time.Millisecond)
	}
}
