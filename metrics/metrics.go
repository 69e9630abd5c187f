// Package metrics holds missionbot's Prometheus metrics and the operator
// endpoints that expose them: /metrics, /healthz and /readyz.
//
// Every metric lives on the Metrics value's own registry, never on the
// client library's global default one, so two bots in one test binary do
// not collide and nothing is registered at package load.
package metrics

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics records what the bot does for Prometheus. Build it with New. A nil
// *Metrics is valid and records nothing, so callers and tests need no
// guards. All methods are safe for concurrent use.
//
// Label values (command, outcome, mode, reason) must come from small fixed
// sets chosen by the program, never from user input, so that the number of
// series stays bounded.
type Metrics struct {
	reg *prometheus.Registry

	questions      *prometheus.CounterVec
	ack            prometheus.Histogram
	answer         *prometheus.HistogramVec
	retrieval      prometheus.Histogram
	tokens         *prometheus.CounterVec
	refusals       prometheus.Counter
	fallbacks      *prometheus.CounterVec
	rateLimited    prometheus.Counter
	votes          *prometheus.GaugeVec
	refreshRuns    *prometheus.CounterVec
	refreshSeconds prometheus.Histogram
	docs           prometheus.Gauge
	chunks         prometheus.Gauge
}

// Outcomes of a question, the values Question expects for its outcome label.
const (
	OutcomeAnswered    = "answered"
	OutcomeRefused     = "refused"
	OutcomeFallback    = "fallback"
	OutcomeRateLimited = "rate_limited"
	OutcomeBusy        = "busy"
	OutcomeError       = "error"
	OutcomeInvalid     = "invalid"
)

// Histogram buckets, in seconds. Acks must land well inside Discord's 3 s
// window, so their buckets are fine-grained under 100 ms.
var (
	ackBuckets       = []float64{.005, .01, .025, .05, .075, .1, .15, .25, .5, 1, 2, 2.5, 3}
	answerBuckets    = []float64{.05, .1, .25, .5, 1, 2, 3, 5, 8, 13, 20, 30, 60}
	retrievalBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}
	refreshBuckets   = []float64{.1, .5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800}
)

// New returns Metrics registered on a fresh registry that also carries the
// Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "missionbot_questions_total",
			Help: "Questions handled, by command and outcome (answered, refused, fallback, rate_limited, busy, error, invalid).",
		}, []string{"command", "outcome"}),
		ack: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "missionbot_ack_seconds",
			Help:    "Time from receiving an interaction to its initial response; Discord allows 3 s.",
			Buckets: ackBuckets,
		}),
		answer: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "missionbot_answer_seconds",
			Help:    "Time to produce a complete answer, by answering mode.",
			Buckets: answerBuckets,
		}, []string{"mode"}),
		retrieval: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "missionbot_retrieval_seconds",
			Help:    "Time to retrieve passages for one question.",
			Buckets: retrievalBuckets,
		}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "missionbot_model_tokens_total",
			Help: "Tokens used by the chat model, by kind (prompt, completion).",
		}, []string{"kind"}),
		refusals: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "missionbot_refusals_total",
			Help: "Questions refused because the corpus holds nothing relevant.",
		}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "missionbot_fallbacks_total",
			Help: "Answers that fell back to the extractive answerer, by reason.",
		}, []string{"reason"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "missionbot_rate_limited_total",
			Help: "Requests turned away by the per-user rate limit.",
		}),
		votes: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "missionbot_feedback_votes",
			Help: "Feedback votes on answers as the store holds them, by vote (up, down): one per user and answer, so a changed vote moves from one to the other and a repeated click counts once.",
		}, []string{"vote"}),
		refreshRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "missionbot_refresh_runs_total",
			Help: "Index refresh runs, by result (ok, error).",
		}, []string{"result"}),
		refreshSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "missionbot_refresh_seconds",
			Help:    "Duration of index refresh runs.",
			Buckets: refreshBuckets,
		}),
		docs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "missionbot_index_documents",
			Help: "Documents in the serving index.",
		}),
		chunks: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "missionbot_index_chunks",
			Help: "Chunks in the serving index.",
		}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.questions, m.ack, m.answer, m.retrieval, m.tokens, m.refusals,
		m.fallbacks, m.rateLimited, m.votes, m.refreshRuns, m.refreshSeconds,
		m.docs, m.chunks,
	)
	// Series with fixed label sets start at zero, so rate() and alerts work
	// before the first event.
	for _, k := range []string{"prompt", "completion"} {
		m.tokens.WithLabelValues(k)
	}
	for _, v := range []string{"up", "down"} {
		m.votes.WithLabelValues(v)
	}
	for _, r := range []string{"ok", "error"} {
		m.refreshRuns.WithLabelValues(r)
	}
	return m
}

// Question counts one question handled by command (e.g. "ask") with its
// outcome, one of the Outcome constants.
func (m *Metrics) Question(command, outcome string) {
	if m == nil {
		return
	}
	m.questions.WithLabelValues(label(command), label(outcome)).Inc()
}

// Ack records how long an interaction waited for its initial response.
func (m *Metrics) Ack(d time.Duration) {
	if m == nil {
		return
	}
	m.ack.Observe(seconds(d))
}

// Answer records how long a complete answer took in mode (e.g.
// "extractive", "llm").
func (m *Metrics) Answer(mode string, d time.Duration) {
	if m == nil {
		return
	}
	m.answer.WithLabelValues(label(mode)).Observe(seconds(d))
}

// Retrieval records how long one retrieval took.
func (m *Metrics) Retrieval(d time.Duration) {
	if m == nil {
		return
	}
	m.retrieval.Observe(seconds(d))
}

// Tokens adds the chat model's prompt and completion token counts for one
// call. Negative counts are ignored.
func (m *Metrics) Tokens(prompt, completion int) {
	if m == nil {
		return
	}
	if prompt > 0 {
		m.tokens.WithLabelValues("prompt").Add(float64(prompt))
	}
	if completion > 0 {
		m.tokens.WithLabelValues("completion").Add(float64(completion))
	}
}

// Refusal counts a question refused for lack of relevant passages.
func (m *Metrics) Refusal() {
	if m == nil {
		return
	}
	m.refusals.Inc()
}

// Fallback counts an answer that fell back to the extractive answerer;
// reason is a short fixed word such as "timeout", "rate_limited" or
// "unavailable", never an error message.
func (m *Metrics) Fallback(reason string) {
	if m == nil {
		return
	}
	m.fallbacks.WithLabelValues(label(reason)).Inc()
}

// RateLimited counts a request refused by the per-user rate limit.
func (m *Metrics) RateLimited() {
	if m == nil {
		return
	}
	m.rateLimited.Inc()
}

// Votes sets the feedback vote totals, as the store counts them: votes,
// not clicks.
func (m *Metrics) Votes(up, down int) {
	if m == nil {
		return
	}
	m.votes.WithLabelValues("up").Set(float64(up))
	m.votes.WithLabelValues("down").Set(float64(down))
}

// Refresh records one index refresh run: whether it succeeded and how long
// it took.
func (m *Metrics) Refresh(ok bool, d time.Duration) {
	if m == nil {
		return
	}
	r := "error"
	if ok {
		r = "ok"
	}
	m.refreshRuns.WithLabelValues(r).Inc()
	m.refreshSeconds.Observe(seconds(d))
}

// IndexSize sets the number of documents and chunks in the serving index.
func (m *Metrics) IndexSize(docs, chunks int) {
	if m == nil {
		return
	}
	m.docs.Set(float64(docs))
	m.chunks.Set(float64(chunks))
}

// Handler serves the metrics in the Prometheus text format, for /metrics.
// On a nil *Metrics it answers 404 "metrics disabled".
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "metrics disabled", http.StatusNotFound)
		})
	}
	return promhttp.InstrumentMetricHandler(m.reg, promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry: m.reg,
		// A failing collector should not blank the whole scrape.
		ErrorHandling: promhttp.ContinueOnError,
	}))
}

// Registry returns the registry the metrics live on, so other packages can
// register collectors of their own; nil on a nil *Metrics.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// maxLabelLen bounds a label value; longer values are cut.
const maxLabelLen = 64

// label makes s a safe label value: the client library panics on invalid
// UTF-8, and an empty value would merge with "label absent".
func label(s string) string {
	if s == "" {
		return "unknown"
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) > maxLabelLen {
		s = strings.ToValidUTF8(s[:maxLabelLen], "")
	}
	return s
}

// seconds converts d for a histogram; negative durations (a clock step)
// count as zero.
func seconds(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return d.Seconds()
}
