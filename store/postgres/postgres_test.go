package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"missionbot/answer"
	"missionbot/store"
	"missionbot/store/postgres/pgtest"
	"missionbot/store/storetest"
)

var t0 = time.Date(2024, 6, 25, 12, 0, 0, 123456000, time.UTC)

func TestBehaviour(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		u := pgtest.URL(t)
		return func(ctx context.Context) (storetest.Backend, error) { return Open(ctx, u, Options{}) }
	})
}

// openTest opens a store on a fresh test database and closes it at the end.
func openTest(t *testing.T, u string, opts Options) *DB {
	t.Helper()
	db, err := Open(context.Background(), u, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOlderSchemaMigratesForward(t *testing.T) {
	ctx := context.Background()
	u := pgtest.URL(t)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	old := openTest(t, u, Options{})
	// Rebuild the database at version 1 only, with data in it.
	if _, err := old.pool.Exec(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
		t.Fatal(err)
	}
	if err := old.migrateTo(ctx, ms[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := old.SaveAnswer(ctx, store.AnswerRecord{Question: "kept?", Answer: "yes", At: t0}); err != nil {
		t.Fatal(err)
	}
	old.Close()
	db := openTest(t, u, Options{})
	got, err := db.Migrations(ctx)
	if err != nil || len(got) != len(ms) || got[len(got)-1] != ms[len(ms)-1].Version {
		t.Fatalf("migrations after reopening = %v, %v; want all %d", got, err, len(ms))
	}
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM answers WHERE question = 'kept?'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the old answer was lost: %d, %v", n, err)
	}
}

// TestDownAtStart: a server that is not there is a clear, prompt error
// that names the server and never the password.
func TestDownAtStart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	const password = "s3cr3t-Pa55"
	u := "postgres://bot:" + password + "@" + addr + "/missionbot?sslmode=disable&connect_timeout=3"
	start := time.Now()
	_, err = Open(context.Background(), u, Options{})
	if err == nil {
		t.Fatal("Open succeeded with no server")
	}
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("err = %v, want store.ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "missionbot") {
		t.Errorf("err = %v, want it to name %s and the database", err, addr)
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("the error shows the password: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Open took %v to fail", d)
	}
}

func TestBadConnectionStrings(t *testing.T) {
	const password = "hunter2-pw"
	tests := []struct{ name, conn string }{
		{"empty", ""},
		{"bad port", "postgres://u:" + password + "@localhost:notaport/db"},
		{"bad sslmode", "postgres://u:" + password + "@localhost/db?sslmode=sometimes"},
		{"garbage key=value", "host=localhost password=" + password + " ==="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(context.Background(), tc.conn, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("the error shows the password: %v", err)
			}
			if _, err := NewLocker(tc.conn, LockerOptions{}); err == nil || strings.Contains(err.Error(), password) {
				t.Errorf("NewLocker err = %v", err)
			}
		})
	}
}

// proxy is a loopback TCP relay to the test server that a test can cut or
// stall and restore, as a server that goes away or a network that starts
// dropping packets mid-run.
type proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	state linkState  // guarded by mu
	conns []net.Conn // every open connection, both sides; guarded by mu
	held  []net.Conn // client sides kept open and silent while stalled; guarded by mu
	wg    sync.WaitGroup
}

// linkState is what the proxy does with traffic.
type linkState int

const (
	linkUp      linkState = iota
	linkRefused           // connections are closed at once
	linkStalled           // connections stay open and nothing answers
)

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.set(linkRefused)
		p.wg.Wait()
	})
	return p
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		switch p.state {
		case linkRefused:
			c.Close()
		case linkStalled:
			p.held = append(p.held, c)
		case linkUp:
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				break
			}
			p.conns = append(p.conns, c, up)
			p.wg.Add(2)
			go func() { defer p.wg.Done(); io.Copy(up, c); up.Close() }()
			go func() {
				defer p.wg.Done()
				io.Copy(c, up)
				p.mu.Lock()
				defer p.mu.Unlock()
				if p.state == linkStalled {
					p.held = append(p.held, c) // silent, not closed
					return
				}
				c.Close()
			}()
		}
		p.mu.Unlock()
	}
}

// set changes the link: every relayed connection is dropped (towards the
// server; towards the client too unless stalled), and held ones are
// closed when the link leaves the stalled state.
func (p *proxy) set(s linkState) {
	p.mu.Lock()
	p.state = s
	conns := p.conns
	p.conns = nil
	var held []net.Conn
	if s != linkStalled {
		held, p.held = p.held, nil
	}
	p.mu.Unlock()
	for i, c := range conns {
		if s == linkStalled && i%2 == 0 {
			continue // the client side: its relay goroutine keeps it open
		}
		c.Close()
	}
	for _, c := range held {
		c.Close()
	}
}

// via returns u with its host replaced by the proxy's address.
func (p *proxy) via(t *testing.T, u string) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	pu.Host = p.ln.Addr().String()
	return pu.String()
}

func serverAddr(t *testing.T, u string) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		t.Skipf("skipped: %s is not a host:port URL", pgtest.EnvURL)
	}
	return pu.Host
}

// TestDownMidRun: when the database goes away (refusing connections, or
// silent as behind a dead network), every write fails within the
// operation timeout with store.ErrUnavailable and says it was not
// recorded; when it is back, the same store writes again without being
// reopened.
func TestDownMidRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		how  linkState
	}{{"refused", linkRefused}, {"stalled", linkStalled}} {
		t.Run(tc.name, func(t *testing.T) { testDownMidRun(t, tc.how) })
	}
}

func testDownMidRun(t *testing.T, how linkState) {
	ctx := context.Background()
	u := pgtest.URL(t)
	p := startProxy(t, serverAddr(t, u))
	const opTimeout = time.Second
	db := openTest(t, p.via(t, u), Options{OpTimeout: opTimeout, ConnectTimeout: opTimeout})
	id, err := db.SaveAnswer(ctx, store.AnswerRecord{Question: "q", Answer: "a", At: t0})
	if err != nil {
		t.Fatal(err)
	}

	p.set(how)
	writes := []struct {
		name string
		do   func() error
	}{
		{"save answer", func() error {
			_, err := db.SaveAnswer(ctx, store.AnswerRecord{Question: "q2", Answer: "a2", At: t0})
			return err
		}},
		{"vote", func() error { return db.Vote(ctx, id, "user", false, t0) }},
		{"append turn", func() error { return db.AppendTurn(ctx, "th", answer.Turn{Question: "q", Answer: "a"}, t0) }},
		{"record refresh", func() error { return db.RecordRefresh(ctx, store.RefreshRecord{At: t0}) }},
		{"replay check", func() error {
			_, err := db.ReplayCache(ReplayOptions{}).FirstSight(ctx, "sig", t0.Add(time.Hour))
			return err
		}},
		{"history", func() error { _, err := db.History(ctx, "th", 5); return err }},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			start := time.Now()
			err := w.do()
			if !errors.Is(err, store.ErrUnavailable) {
				t.Errorf("err = %v, want store.ErrUnavailable", err)
			}
			if err != nil && w.name != "replay check" && w.name != "history" && !strings.Contains(err.Error(), "not recorded") {
				t.Errorf("err = %v, want it to say what was not recorded", err)
			}
			if d := time.Since(start); d > opTimeout+2*time.Second {
				t.Errorf("failing took %v, want about the operation timeout (%v)", d, opTimeout)
			}
		})
	}

	p.set(linkUp)
	var lastErr error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if lastErr = db.Vote(ctx, id, "user", false, t0); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("writes did not resume after the database came back: %v", lastErr)
	}
	if err := db.AppendTurn(ctx, "th", answer.Turn{Question: "q", Answer: "a"}, t0); err != nil {
		t.Fatal(err)
	}
	sum, err := db.Feedback(ctx, 5)
	if err != nil || sum.Down != 1 {
		t.Errorf("Feedback after recovery = %+v, %v; want the one vote made after it", sum, err)
	}
}
