package metrics

import (
	"io"
	"net/http"
)

// Routes registers the operator endpoints on mux:
//
//   - /metrics: m's metrics (404 when m is nil);
//   - /healthz: 200 "ok" while the process is up, for liveness probes and
//     the Docker HEALTHCHECK;
//   - /readyz: 200 "ok" when ready returns nil, else 503 with ready's error
//     text (e.g. "index not loaded", "discord not connected"), for load
//     balancers and readiness probes. A nil ready means always ready.
//
// The reason text is shown to anyone who can reach the listener, so ready
// must never return secrets in its errors.
func Routes(mux *http.ServeMux, m *Metrics, ready func() error) {
	mux.Handle("GET /metrics", m.Handler())
	mux.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		plain(w, http.StatusOK, "ok")
	}))
	mux.Handle("GET /readyz", Readiness(ready))
}

// Readiness returns the /readyz handler: 200 "ok" when ready returns nil
// (or is nil), else 503 "not ready: " and the reason.
func Readiness(ready func() error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if ready != nil {
			if err := ready(); err != nil {
				plain(w, http.StatusServiceUnavailable, "not ready: "+err.Error())
				return
			}
		}
		plain(w, http.StatusOK, "ok")
	})
}

// plain writes a short uncached text/plain reply.
func plain(w http.ResponseWriter, code int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, body+"\n")
}
