package bot

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// gatewayConns dials the gateway's TCP connections and keeps track of
// them, so that shutdown can break one discordgo holds: Session.Open waits
// for READY with no deadline while holding the session's lock, so neither
// a context nor Session.Close can stop a gateway that sends Hello but
// never READY. Once closed it dials nothing more, so discordgo's endless
// reconnect loop (it has no stop) cannot reconnect after shutdown.
type gatewayConns struct {
	mu     sync.Mutex
	conns  map[*trackedConn]struct{} // guarded by mu
	closed bool                      // guarded by mu
	dialer net.Dialer
}

// errGatewayClosed is what dials get after closeAll.
var errGatewayClosed = errors.New("gateway connections closed for shutdown")

// websocketDialer is gorilla's default dialer with connections dialled
// through g.
func (g *gatewayConns) websocketDialer() *websocket.Dialer {
	return &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 45 * time.Second, NetDialContext: g.dial}
}

func (g *gatewayConns) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	g.mu.Lock()
	closed := g.closed
	g.mu.Unlock()
	if closed {
		return nil, errGatewayClosed
	}
	c, err := g.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, g: g}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		c.Close()
		return nil, errGatewayClosed
	}
	if g.conns == nil {
		g.conns = map[*trackedConn]struct{}{}
	}
	g.conns[tc] = struct{}{}
	return tc, nil
}

// closeAll closes every open gateway connection and refuses new ones.
func (g *gatewayConns) closeAll() {
	g.mu.Lock()
	g.closed = true
	conns := g.conns
	g.conns = nil
	g.mu.Unlock()
	for c := range conns {
		_ = c.Conn.Close()
	}
}

// trackedConn forgets itself when closed.
type trackedConn struct {
	net.Conn
	g *gatewayConns
}

// Close implements net.Conn.
func (c *trackedConn) Close() error {
	c.g.mu.Lock()
	delete(c.g.conns, c)
	c.g.mu.Unlock()
	return c.Conn.Close()
}
