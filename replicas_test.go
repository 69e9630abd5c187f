package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"missionbot/corpus"
	"missionbot/internal/fakediscord"
	"missionbot/internal/fakeopenai"
	"missionbot/store/postgres/pgtest"
)

// replicaSet is several `serve` processes sharing one data directory, one
// corpus folder and one PostgreSQL database, behind one Discord fake, as
// replicas behind a load balancer are.
type replicaSet struct {
	t       *testing.T
	fake    *fakediscord.Server
	priv    ed25519.PrivateKey
	env     map[string]string
	dataDir string
	corpus  string
	dbURL   string
}

// newReplicaSet prepares the shared parts: a corpus folder seeded with the
// built-in documents, a data directory, a fresh database, a key pair.
func newReplicaSet(t *testing.T, env map[string]string) *replicaSet {
	t.Helper()
	dbURL := pgtest.URL(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	rs := &replicaSet{t: t, fake: fakediscord.New(t, fakediscord.Options{}), priv: priv,
		dataDir: t.TempDir(), corpus: t.TempDir(), dbURL: dbURL}
	if err := os.CopyFS(rs.corpus, corpus.Embedded()); err != nil {
		t.Fatal(err)
	}
	rs.env = map[string]string{
		"DISCORD_TOKEN":                 rs.fake.Token(),
		"DISCORD_API_URL":               rs.fake.URL(),
		"DISCORD_PUBLIC_KEY":            hex.EncodeToString(pub),
		"MISSIONBOT_GATEWAY":            "false",
		"MISSIONBOT_DATA_DIR":           rs.dataDir,
		"MISSIONBOT_CORPUS_DIR":         rs.corpus,
		"MISSIONBOT_DATABASE_URL":       dbURL,
		"MISSIONBOT_ALLOW_PRIVATE_URLS": "true", // attachments are on the fake, on loopback
		"MISSIONBOT_RELOAD_INTERVAL":    "1s",
		"MISSIONBOT_LOG_FORMAT":         "text",
		"MISSIONBOT_LOG_LEVEL":          "debug",
		"MISSIONBOT_RATE_LIMIT":         "1000",
	}
	for k, v := range env {
		rs.env[k] = v
	}
	return rs
}

// replica is one running `serve` process.
type replica struct {
	name string
	addr string
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{} // closed when the process has exited
}

// start runs one more replica and waits until it is ready to serve.
func (rs *replicaSet) start(name string) *replica {
	rs.t.Helper()
	r, err := rs.launch(name)
	if err != nil {
		rs.t.Fatal(err)
	}
	return r
}

// launch is start for any goroutine: it reports failure as an error.
func (rs *replicaSet) launch(name string) (*replica, error) {
	t := rs.t
	r := &replica{name: name, addr: freeAddr(t), logs: &syncBuffer{}, done: make(chan struct{})}
	r.cmd = exec.Command(os.Args[0], "serve")
	r.cmd.Env = []string{runAsMainEnv + "=1", "MISSIONBOT_HTTP_ADDR=" + r.addr,
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	if d := os.Getenv("GOCOVERDIR"); d != "" {
		r.cmd.Env = append(r.cmd.Env, "GOCOVERDIR="+d)
	}
	for k, v := range rs.env {
		r.cmd.Env = append(r.cmd.Env, k+"="+v)
	}
	r.cmd.Stdout, r.cmd.Stderr = io.Discard, r.logs
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		_ = r.cmd.Wait()
		close(r.done)
	}()
	t.Cleanup(func() { r.stop(t) })
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + r.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r, nil
			}
		}
		select {
		case <-r.done:
			return nil, fmt.Errorf("replica %s exited while starting:\n%s", name, r.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("replica %s not ready after 60 s:\n%s", name, r.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the replica as an orchestrator does (SIGTERM, then SIGKILL).
func (r *replica) stop(t *testing.T) {
	select {
	case <-r.done:
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(20 * time.Second):
		t.Errorf("replica %s did not stop on SIGTERM", r.name)
		_ = r.cmd.Process.Kill()
		<-r.done
	}
}

// kill ends the replica with SIGKILL and waits until it is gone.
func (r *replica) kill() {
	_ = r.cmd.Process.Kill()
	<-r.done
}

// post sends body to the replica's interactions endpoint signed as Discord
// signs, with the given timestamp, and returns the status and the reply.
func (rs *replicaSet) post(r *replica, body []byte, ts string) (int, []byte) {
	t := rs.t
	t.Helper()
	sig := hex.EncodeToString(ed25519.Sign(rs.priv, append([]byte(ts), body...)))
	return rs.postWith(r, body, ts, sig)
}

// postWith sends body with the given signature headers.
func (rs *replicaSet) postWith(r *replica, body []byte, ts, sig string) (int, []byte) {
	t := rs.t
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+r.addr+"/interactions", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post to replica %s: %v", r.name, err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, reply
}

// interact delivers one interaction to a replica as Discord would, and
// records the HTTP reply as the interaction's initial response.
func (rs *replicaSet) interact(r *replica, in fakediscord.Interaction) fakediscord.Sent {
	t := rs.t
	t.Helper()
	sent, body, err := rs.fake.Payload(in)
	if err != nil {
		t.Fatal(err)
	}
	code, reply := rs.post(r, body, strconv.FormatInt(time.Now().Unix(), 10))
	if code != http.StatusOK {
		t.Fatalf("replica %s answered %s with %d %s", r.name, in.Name, code, reply)
	}
	rs.fake.Acknowledge(sent, reply)
	return sent
}

// final waits for the interaction's last message: a finished or a failed
// corpus change.
func (rs *replicaSet) final(sent fakediscord.Sent, timeout time.Duration) (fakediscord.Message, error) {
	return rs.fake.WaitOriginal(sent.Token, timeout, func(m fakediscord.Message) bool {
		return m.Contains("Refresh done") || m.Contains("failed") || m.Contains("already running") || m.Contains("went wrong")
	})
}

var moderator = &fakediscord.Member{User: fakediscord.User{ID: "300000000000000009", Username: "mod"}, Permissions: fakediscord.PermManageGuild}

// TestReplicasAddSourcesConcurrently is issue 12's first bar: two replicas
// on one PostgreSQL database, 15 rounds of two simultaneous /add-source
// (one to each), and every one of the 30 documents is in the corpus with
// its metadata and in the index. With a lock that held within one process
// only, manifest entries were lost or the second add was refused.
func TestReplicasAddSourcesConcurrently(t *testing.T) {
	rs := newReplicaSet(t, nil)
	a := rs.start("A")
	b := rs.start("B")
	replicas := []*replica{a, b}

	type doc struct{ title, publisher, date, text string }
	var want []doc
	const rounds = 15
	for round := range rounds {
		var wg sync.WaitGroup
		msgs := make([]string, len(replicas))
		for i, r := range replicas {
			d := doc{
				title:     fmt.Sprintf("Patrol bulletin %02d-%c", round, 'A'+i),
				publisher: fmt.Sprintf("District desk %c", 'A'+i),
				date:      fmt.Sprintf("2024-%02d-%02d", 7+i, round+1),
			}
			d.text = fmt.Sprintf("%s\n\nOn %s officers of unit %d-%c logged %d checkpoint inspections in sector %d, the desk reported.",
				d.title, d.date, round, 'A'+i, 100+round*7+i, round*3+i)
			want = append(want, d)
			name := fmt.Sprintf("bulletin-%02d-%c.txt", round, 'a'+i)
			u := rs.fake.AddAttachment(name, "text/plain; charset=utf-8", []byte(d.text))
			attID := fmt.Sprint(9000 + round*2 + i)
			sent, body, err := rs.fake.Payload(fakediscord.Interaction{Name: "add-source", Member: moderator,
				Options: []fakediscord.Option{
					{Name: "file", Type: 11, Value: attID},
					{Name: "title", Type: 3, Value: d.title},
					{Name: "publisher", Type: 3, Value: d.publisher},
					{Name: "date", Type: 3, Value: d.date},
				},
				Attachments: map[string]fakediscord.Attachment{attID: {URL: u, Filename: name, ContentType: "text/plain", Size: len(d.text)}},
			})
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, reply := rs.post(r, body, strconv.FormatInt(time.Now().Unix(), 10))
				if code != http.StatusOK {
					msgs[i] = fmt.Sprintf("HTTP %d %s", code, reply)
					return
				}
				rs.fake.Acknowledge(sent, reply)
				m, err := rs.final(sent, 60*time.Second)
				if err != nil {
					msgs[i] = err.Error()
					return
				}
				msgs[i] = m.Content
			}()
		}
		wg.Wait()
		for i, m := range msgs {
			if !strings.Contains(m, "Refresh done") {
				t.Errorf("round %d, replica %s: /add-source ended with %q", round, replicas[i].name, m)
			}
		}
		if t.Failed() {
			t.Fatalf("logs of A:\n%s\nlogs of B:\n%s", a.logs.String(), b.logs.String())
		}
	}

	// In the corpus: 30 files, 30 manifest entries with their metadata.
	m, err := corpus.ReadManifest(os.DirFS(rs.corpus))
	if err != nil {
		t.Fatal(err)
	}
	inManifest, inIndex := 0, 0
	for _, d := range want {
		e, ok := findMeta(m.Documents, d.title)
		if ok && e.Publisher == d.publisher && e.Published == d.date {
			if _, err := os.Stat(filepath.Join(rs.corpus, e.DocID)); err == nil {
				inManifest++
			}
		} else {
			t.Errorf("manifest lacks %q (%s, %s): %+v", d.title, d.publisher, d.date, e)
		}
	}
	// In the index: the snapshot the replicas wrote, as a fresh process
	// reads it.
	out, _, err := runCLI(t, rs.env, "sources", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var srcs []struct {
		DocID, Title, Publisher, Published string
		Chunks                             int
	}
	if err := json.Unmarshal([]byte(out), &srcs); err != nil {
		t.Fatalf("sources --json: %v\n%s", err, out)
	}
	for _, d := range want {
		found := false
		for _, s := range srcs {
			if s.Title == d.title && s.Publisher == d.publisher && s.Published == d.date && s.Chunks > 0 {
				found = true
			}
		}
		if found {
			inIndex++
		} else {
			t.Errorf("index lacks %q (%s, %s)", d.title, d.publisher, d.date)
		}
	}
	t.Logf("%d of %d documents with their metadata in the corpus, %d of %d in the index", inManifest, len(want), inIndex, len(want))
	// Each replica serves the last snapshot too: a question about the last
	// round's documents is answered from them on both.
	last := want[len(want)-1]
	for _, r := range replicas {
		deadline := time.Now().Add(15 * time.Second)
		for {
			sent := rs.interact(r, fakediscord.Interaction{Name: "ask", Member: member,
				Options: []fakediscord.Option{{Name: "question", Type: 3, Value: "How many checkpoint inspections did unit 14-B log in sector 43?"}}})
			msg, err := rs.fake.WaitOriginal(sent.Token, 10*time.Second, func(m fakediscord.Message) bool { return len(m.Embeds) > 0 })
			if err == nil && strings.Contains(msg.Content, strconv.Itoa(100+14*7+1)) && msg.Contains(last.title) {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("replica %s does not answer from the latest documents: %q (%v)", r.name, msg.Content, err)
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
}

func findMeta(ms []corpus.Meta, title string) (corpus.Meta, bool) {
	for _, m := range ms {
		if m.Title == title {
			return m, true
		}
	}
	return corpus.Meta{}, false
}

// TestReplicasRefuseReplays is issue 12's second bar: a signed interaction
// accepted by replica A is refused (401) by replica B, and by A again.
func TestReplicasRefuseReplays(t *testing.T) {
	rs := newReplicaSet(t, map[string]string{"MISSIONBOT_CORPUS_DIR": ""})
	a := rs.start("A")
	b := rs.start("B")
	_, body, err := rs.fake.Payload(fakediscord.Interaction{Name: "about", Member: member})
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sig := hex.EncodeToString(ed25519.Sign(rs.priv, append([]byte(ts), body...)))
	if code, reply := rs.postWith(a, body, ts, sig); code != http.StatusOK {
		t.Fatalf("replica A: %d %s, want 200", code, reply)
	}
	for _, r := range []*replica{b, a} {
		if code, reply := rs.postWith(r, body, ts, strings.ToUpper(sig)); code != http.StatusUnauthorized {
			t.Errorf("replay to replica %s: %d %s, want 401", r.name, code, reply)
		}
	}
	// A new request still goes through on B.
	_, other, _ := rs.fake.Payload(fakediscord.Interaction{Name: "about", Member: member})
	if code, reply := rs.post(b, other, strconv.FormatInt(time.Now().Unix(), 10)); code != http.StatusOK {
		t.Errorf("a new request to replica B: %d %s, want 200", code, reply)
	}
}

// TestReplicaKilledDuringRefresh is issue 12's third bar: a replica
// SIGKILLed while its /refresh holds the writer lock does not block the
// others: the other replica's next /refresh succeeds within 10 s.
func TestReplicaKilledDuringRefresh(t *testing.T) {
	var hold atomic.Bool
	held := make(chan struct{}, 1)
	emb := fakeopenai.Embeddings(fakeopenai.EmbeddingsOptions{Dim: 64})
	srv := fakeopenai.New(t, map[string]http.Handler{"/v1/embeddings": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hold.Load() {
			// An embedding service that takes its time: the refresh is
			// mid-way, holding the lock, when its process is killed.
			select {
			case held <- struct{}{}:
			default:
			}
			<-r.Context().Done()
			return
		}
		emb.ServeHTTP(w, r)
	})})
	rs := newReplicaSet(t, map[string]string{
		"MISSIONBOT_EMBEDDING_MODEL": "test-embed",
		"OPENAI_BASE_URL":            srv.BaseURL(),
		"MISSIONBOT_EMBEDDING_BATCH": "4",
	})
	a := rs.start("A")
	b := rs.start("B")
	doc := "Chad pledges police\n\nChad pledged 400 police officers to the Haiti mission on 4 June 2024, its interior minister said."
	if err := os.WriteFile(filepath.Join(rs.corpus, "chad.txt"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}

	hold.Store(true)
	rs.interact(a, fakediscord.Interaction{Name: "refresh", Member: moderator})
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatalf("replica A's refresh never reached the embedder:\n%s", a.logs.String())
	}
	if n := advisoryLocksHeld(t, rs.dbURL); n != 1 {
		t.Fatalf("%d advisory locks held during A's refresh, want 1 (the writer lock)", n)
	}
	a.kill()
	killed := time.Now()
	hold.Store(false)

	sent := rs.interact(b, fakediscord.Interaction{Name: "refresh", Member: moderator})
	msg, err := rs.final(sent, 10*time.Second-time.Since(killed))
	took := time.Since(killed)
	if err != nil || !msg.Contains("Refresh done") || !msg.Contains("1 document(s) added") {
		t.Fatalf("replica B's /refresh after A was killed: %q, %v\nlogs of B:\n%s", msg.Content, err, b.logs.String())
	}
	t.Logf("replica B's /refresh succeeded %v after replica A was killed holding the lock", took.Round(time.Millisecond))
	if took > 10*time.Second {
		t.Errorf("took %v, want within 10 s", took)
	}
	if n := advisoryLocksHeld(t, rs.dbURL); n != 0 {
		t.Errorf("%d advisory locks still held after the refresh, want none", n)
	}
}

// advisoryLocksHeld counts the granted advisory locks in the database.
func advisoryLocksHeld(t *testing.T, dbURL string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestServeDatabaseDownAtStart: with MISSIONBOT_DATABASE_URL naming a
// server that is not there, serve stops at once with a message that names
// the server and says what to check, and never shows the password.
func TestServeDatabaseDownAtStart(t *testing.T) {
	const password = "db-Pa55w0rd"
	addr := freeAddr(t) // nothing listens there
	fake := fakediscord.New(t, fakediscord.Options{})
	env := map[string]string{
		"DISCORD_TOKEN":           fake.Token(),
		"DISCORD_API_URL":         fake.URL(),
		"MISSIONBOT_DATABASE_URL": "postgres://bot:" + password + "@" + addr + "/missionbot?sslmode=disable&connect_timeout=3",
	}
	start := time.Now()
	_, stderr, err := runCLI(t, env, "serve")
	if err == nil {
		t.Fatal("serve started without its database")
	}
	msg := err.Error() + stderr
	for _, want := range []string{addr, "missionbot", "unavailable", "MISSIONBOT_DATABASE_URL"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if strings.Contains(msg, password) {
		t.Errorf("the password reached the error or the log: %s", msg)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("serve took %v to give up", d)
	}
	if len(fake.Overwrites()) != 0 {
		t.Error("serve registered commands without its database")
	}
}

// TestReplicasStartTogether: replicas started at the same moment on a new
// shared volume (as `docker compose up` starts them) all come up: one
// builds the index, the others wait for it instead of failing.
func TestReplicasStartTogether(t *testing.T) {
	rs := newReplicaSet(t, nil)
	names := []string{"A", "B", "C"}
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = rs.launch(name)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestEvalCorpusLeavesTheSharedDatabaseAlone: `eval --corpus` builds a
// throwaway index of its own, so it neither needs nor takes the writer
// lock the replicas share: it runs with the database down too.
func TestEvalCorpusLeavesTheSharedDatabaseAlone(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, corpus.Embedded()); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"MISSIONBOT_DATABASE_URL": "postgres://bot:pw@" + freeAddr(t) + "/missionbot?connect_timeout=2"}
	out, stderr, err := runCLI(t, env, "eval", "--file", "eval/dev.jsonl", "--corpus", dir)
	if err != nil {
		t.Fatalf("eval --corpus with the shared database down: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "recall") {
		t.Errorf("no report: %s", out)
	}
}
