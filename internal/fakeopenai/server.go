// Package fakeopenai is an OpenAI-compatible HTTP server for tests. It
// speaks the real wire format on loopback (JSON for embeddings, SSE for
// streamed chat completions) and records every request it receives, so
// tests can assert on what a client sent and how often.
package fakeopenai

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Request is one recorded HTTP request.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// Server is a running fake. Handlers are chosen per route; a route without a
// handler answers 404 with a plain-text "404 page not found", as Ollama and
// Go servers do (a client pointed at the wrong base URL sees that, not an
// API error).
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	requests []Request // guarded by mu
	routes   map[string]http.Handler
}

// New starts a fake serving the given handlers, keyed by path such as
// "/v1/embeddings" or "/v1/chat/completions", and closes it when the test
// ends. The client's base URL is s.URL + "/v1".
func New(t testing.TB, routes map[string]http.Handler) *Server {
	t.Helper()
	s := &Server{routes: routes}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// BaseURL is the value for OPENAI_BASE_URL.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	s.mu.Unlock()
	h, ok := s.routes[r.URL.Path]
	if !ok {
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	h.ServeHTTP(w, r)
}

// Requests returns a copy of the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests were made to path.
func (s *Server) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Path == path {
			n++
		}
	}
	return n
}
