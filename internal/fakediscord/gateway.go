package fakediscord

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// gateway is the fake's websocket side: one live connection at a time,
// like a single-shard bot.
type gateway struct {
	upgrader websocket.Upgrader

	mu         sync.Mutex
	conn       *websocket.Conn   // guarded by mu; the live, identified connection
	writer     func(any) error   // guarded by mu; writes to conn
	all        []*websocket.Conn // guarded by mu
	seq        int64             // guarded by mu
	sessionID  string
	identifies int           // guarded by mu
	resumes    int           // guarded by mu
	connected  chan struct{} // guarded by mu; closed once conn is live
}

func (g *gateway) init() {
	g.connected = make(chan struct{})
	g.sessionID = "fake-session-1"
}

type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
}

func (g *gateway) serve(s *Server, w http.ResponseWriter, r *http.Request) {
	c, err := g.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	g.mu.Lock()
	g.all = append(g.all, c)
	g.mu.Unlock()
	var wmu sync.Mutex
	write := func(v any) error {
		wmu.Lock()
		defer wmu.Unlock()
		_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		return c.WriteJSON(v)
	}
	if err := write(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": s.opts.HeartbeatInterval.Milliseconds()}}); err != nil {
		return
	}
	for {
		var f frame
		if err := c.ReadJSON(&f); err != nil {
			g.mu.Lock()
			if g.conn == c {
				g.conn = nil
				g.connected = make(chan struct{})
			}
			g.mu.Unlock()
			return
		}
		switch f.Op {
		case 1:
			_ = write(map[string]any{"op": 11, "d": nil})
		case 2:
			var id struct {
				Token string `json:"token"`
			}
			_ = json.Unmarshal(f.D, &id)
			if id.Token != "Bot "+s.opts.Token && id.Token != s.opts.Token {
				wmu.Lock()
				_ = c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
				wmu.Unlock()
				_ = c.Close()
				return
			}
			g.mu.Lock()
			g.identifies++
			g.mu.Unlock()
			if s.opts.WithholdReady {
				continue
			}
			g.ready(s, c, write, "READY", map[string]any{
				"v": 9, "session_id": g.sessionID, "resume_gateway_url": s.gatewayURL(),
				"user": s.botUser(), "guilds": []any{}, "private_channels": []any{},
				"application": map[string]any{"id": s.opts.AppID, "flags": 0},
			})
		case 6:
			g.mu.Lock()
			g.resumes++
			g.mu.Unlock()
			g.ready(s, c, write, "RESUMED", map[string]any{})
		}
	}
}

// ready sends READY or RESUMED and makes c the live connection.
func (g *gateway) ready(s *Server, c *websocket.Conn, write func(any) error, t string, d any) {
	g.mu.Lock()
	g.seq++
	seq := g.seq
	g.conn = c
	g.writer = write
	ch := g.connected
	g.mu.Unlock()
	_ = write(map[string]any{"op": 0, "s": seq, "t": t, "d": d})
	select {
	case <-ch:
	default:
		close(ch)
	}
}

// closeAll closes every connection, for cleanup.
func (g *gateway) closeAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range g.all {
		_ = c.Close()
	}
	g.conn = nil
}

// ErrNotConnected is returned by Dispatch when no gateway connection became
// ready in time.
var ErrNotConnected = errors.New("fakediscord: no gateway connection")

// WaitConnected waits until a gateway connection has identified or resumed.
func (s *Server) WaitConnected(timeout time.Duration) error {
	s.gw.mu.Lock()
	ch := s.gw.connected
	s.gw.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("wait %s: %w", timeout, ErrNotConnected)
	}
}

// Dispatch sends a gateway dispatch (op 0) event of type t with data d to
// the live connection, waiting up to 5 s for one to be ready.
func (s *Server) Dispatch(t string, d any) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.gw.mu.Lock()
		write := s.gw.writer
		live := s.gw.conn != nil
		ch := s.gw.connected
		if live {
			s.gw.seq++
			seq := s.gw.seq
			s.gw.mu.Unlock()
			if err := write(map[string]any{"op": 0, "s": seq, "t": t, "d": d}); err != nil {
				return fmt.Errorf("fakediscord: dispatch %s: %w", t, err)
			}
			return nil
		}
		s.gw.mu.Unlock()
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("fakediscord: dispatch %s: %w", t, ErrNotConnected)
		}
		select {
		case <-ch:
		case <-time.After(left):
		}
	}
}

// DropConnection closes the live gateway connection abruptly (no close
// frame), as a network failure would; discordgo should reconnect and resume.
func (s *Server) DropConnection() {
	s.gw.mu.Lock()
	c := s.gw.conn
	s.gw.conn = nil
	s.gw.connected = make(chan struct{})
	s.gw.mu.Unlock()
	if c != nil {
		_ = c.UnderlyingConn().Close()
	}
}

// GatewayCounts reports how many Identify and Resume handshakes the fake
// has completed.
func (s *Server) GatewayCounts() (identifies, resumes int) {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.identifies, s.gw.resumes
}
