package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"missionbot/answer"
	"missionbot/corpus"
	"missionbot/fetch"
	"missionbot/internal/fakediscord"
	"missionbot/library"
	"missionbot/retrieval"
	"missionbot/store/sqlite"
)

// fakeAnswerer streams a few deltas and returns a cited answer. With
// block set it waits for its context instead, like a stuck model.
type fakeAnswerer struct {
	deltas []string
	pause  time.Duration
	block  bool

	mu   sync.Mutex
	reqs []answer.Request // guarded by mu
}

var _ Answerer = (*fakeAnswerer)(nil)

func (f *fakeAnswerer) Answer(ctx context.Context, req answer.Request) (answer.Answer, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, answer.Request{Question: req.Question, History: slices.Clone(req.History)})
	f.mu.Unlock()
	if f.block {
		<-ctx.Done()
		return answer.Answer{}, ctx.Err()
	}
	text := ""
	for _, d := range f.deltas {
		select {
		case <-ctx.Done():
			return answer.Answer{}, ctx.Err()
		case <-time.After(f.pause):
		}
		text += d
		if req.OnDelta != nil {
			req.OnDelta(d)
		}
	}
	return answer.Answer{
		Question: req.Question, Query: req.Question, Text: text, Mode: answer.ModeExtractive,
		Citations: []answer.Citation{{N: 1, Meta: corpus.Meta{DocID: "001.txt", Title: "Kenyan police land in Haiti", Publisher: "Reuters", Published: "2024-06-25", URL: "https://example.com/a"}, Quote: "The first contingent arrived."}},
	}, nil
}

func (f *fakeAnswerer) requests() []answer.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

// fakeLibrary reports progress while it "embeds" and can fail; it keeps
// the documents it is given to add.
type fakeLibrary struct {
	sources  []retrieval.SourceInfo
	steps    int
	pause    time.Duration
	err      error
	writable bool
	folds    []retrieval.Fold
	// took, when set, is the Duration the refresh reports, whatever it
	// really took (the index's part of a refresh whose loading was slow).
	took time.Duration

	// files are the folder's files (Documents), indexed or not.
	files []corpus.Meta

	mu    sync.Mutex
	added []library.NewDocument // guarded by mu
}

var _ Library = (*fakeLibrary)(nil)

func (l *fakeLibrary) Refresh(ctx context.Context, opts library.RefreshOptions) (retrieval.RefreshStats, error) {
	for n := 1; n <= l.steps; n++ {
		select {
		case <-ctx.Done():
			return retrieval.RefreshStats{}, ctx.Err()
		case <-time.After(l.pause):
		}
		if opts.Progress != nil {
			opts.Progress(retrieval.Progress{Embedded: n * 40, Total: l.steps * 40})
		}
	}
	if l.err != nil {
		return retrieval.RefreshStats{}, l.err
	}
	took := l.took
	if took == 0 {
		took = time.Duration(l.steps) * l.pause
	}
	return retrieval.RefreshStats{DocsAdded: 2, DocsUpdated: 1, ChunksEmbedded: l.steps * 40, ChunksTotal: 480, Duration: took}, nil
}

func (l *fakeLibrary) Add(ctx context.Context, doc library.NewDocument, progress func(retrieval.Progress)) (library.Added, error) {
	if !l.writable {
		return library.Added{}, library.ErrReadOnly
	}
	if len(doc.Data) == 0 {
		return library.Added{}, errors.New("empty document")
	}
	l.mu.Lock()
	l.added = append(l.added, doc)
	l.mu.Unlock()
	meta := doc.Meta
	meta.DocID = corpus.FileNameFor(meta.Title, doc.Ext)
	stats, err := l.Refresh(ctx, library.RefreshOptions{Progress: progress})
	return library.Added{Meta: meta, Stats: stats}, err
}

func (l *fakeLibrary) Remove(ctx context.Context, docID string, progress func(retrieval.Progress)) (retrieval.RefreshStats, error) {
	if !l.writable {
		return retrieval.RefreshStats{}, library.ErrReadOnly
	}
	return l.Refresh(ctx, library.RefreshOptions{Progress: progress})
}

func (l *fakeLibrary) Writable() bool { return l.writable }

func (l *fakeLibrary) Documents() ([]corpus.Meta, error) {
	if !l.writable {
		return nil, library.ErrReadOnly
	}
	return l.files, nil
}

func (l *fakeLibrary) Sources() []retrieval.SourceInfo { return l.sources }

func (l *fakeLibrary) Folds() []retrieval.Fold { return l.folds }

func (l *fakeLibrary) Stats() retrieval.Stats {
	return retrieval.Stats{Documents: len(l.sources), Chunks: 480}
}

const streamedText = "The first Kenyan police officers arrived in Port-au-Prince on 25 June 2024 [1]."

// isFinal reports whether a message holds the final answer rather than a
// streamed partial one (which ends with " …").
func isFinal(m fakediscord.Message) bool {
	return m.Contains(streamedText) && !strings.HasSuffix(m.Content, " …")
}

func newFakeAnswerer() *fakeAnswerer {
	return &fakeAnswerer{deltas: []string{"The first Kenyan police officers ", "arrived in Port-au-Prince ", "on 25 June 2024 [1]."}, pause: 30 * time.Millisecond}
}

// harness is a bot running against a fake Discord.
type harness struct {
	t     *testing.T
	fake  *fakediscord.Server
	bot   *Bot
	store *sqlite.DB
	ans   *fakeAnswerer
	lib   *fakeLibrary
	stop  context.CancelFunc
	done  chan error
}

var (
	ordinary  = &fakediscord.Member{User: fakediscord.User{ID: "500000000000000001", Username: "reader"}, Permissions: fakediscord.PermSendMessages}
	moderator = &fakediscord.Member{User: fakediscord.User{ID: "500000000000000002", Username: "mod"}, Permissions: fakediscord.PermManageGuild}
)

// start runs a bot against fake until the test ends. edit may change the
// options before New.
func start(t *testing.T, fake *fakediscord.Server, edit func(*Options)) *harness {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "missionbot.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	h := &harness{t: t, fake: fake, store: st, ans: newFakeAnswerer(), lib: &fakeLibrary{
		sources: []retrieval.SourceInfo{
			{Meta: corpus.Meta{DocID: "001.txt", Title: "Kenyan police land in Haiti", Publisher: "Reuters", Published: "2024-06-25"}, Chunks: 12},
			{Meta: corpus.Meta{DocID: "002.txt", Title: "Gangs and the transition council", Publisher: "AP"}, Chunks: 9},
		},
		steps: 4, pause: 60 * time.Millisecond,
	}}
	opts := Options{
		Token: fake.Token(), APIURL: fake.URL(), Answerer: h.ans, Library: h.lib, Store: st,
		Limiter: NewUserLimiter(600, 200, time.Now), Gate: NewGate(200, 200), UserSalt: "salt",
		EditInterval: 50 * time.Millisecond, AnswerTimeout: 10 * time.Second, ShutdownTimeout: 2 * time.Second,
		Logger: slog.New(slog.DiscardHandler),
	}
	if edit != nil {
		edit(&opts)
	}
	b, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.bot = b
	ctx, cancel := context.WithCancel(context.Background())
	h.stop, h.done = cancel, make(chan error, 1)
	go func() { h.done <- b.Run(ctx) }()
	t.Cleanup(func() { h.shutdown() })
	deadline := time.Now().Add(5 * time.Second)
	for len(fake.Overwrites()) == 0 {
		select {
		case err := <-h.done:
			t.Fatalf("Run returned early: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("commands not registered within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return h
}

// shutdown stops Run and waits for it, once.
func (h *harness) shutdown() {
	if h.stop == nil {
		return
	}
	h.stop()
	h.stop = nil
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		h.t.Error("Run did not return within 15 s of shutdown")
	}
}

func (h *harness) ask(member *fakediscord.Member, q string, private bool) fakediscord.Sent {
	h.t.Helper()
	opts := []fakediscord.Option{{Name: "question", Type: 3, Value: q}}
	if private {
		opts = append(opts, fakediscord.Option{Name: "private", Type: 5, Value: true})
	}
	s, err := h.fake.Interact(fakediscord.Interaction{Name: "ask", Options: opts, Member: member})
	if err != nil {
		h.t.Fatalf("dispatch /ask: %v", err)
	}
	return s
}

func (h *harness) command(member *fakediscord.Member, name string) fakediscord.Sent {
	h.t.Helper()
	s, err := h.fake.Interact(fakediscord.Interaction{Name: name, Member: member})
	if err != nil {
		h.t.Fatalf("dispatch /%s: %v", name, err)
	}
	return s
}

// allowedMentions is allowed_mentions as Discord reads it.
type allowedMentions struct {
	Parse       *[]string `json:"parse"`
	Users       []string  `json:"users"`
	Roles       []string  `json:"roles"`
	RepliedUser bool      `json:"replied_user"`
}

// assertNoMentions checks that every message write carried
// allowed_mentions {"parse":[]}.
func assertNoMentions(t *testing.T, fake *fakediscord.Server) {
	t.Helper()
	writes := fake.AllMessageWrites()
	if len(writes) == 0 {
		t.Fatal("no message writes recorded")
	}
	for _, w := range writes {
		var body struct {
			AllowedMentions *allowedMentions `json:"allowed_mentions"`
			Data            struct {
				AllowedMentions *allowedMentions `json:"allowed_mentions"`
			} `json:"data"`
		}
		if err := json.Unmarshal(w.Body, &body); err != nil {
			t.Fatalf("%s %s: body is not JSON: %v", w.Method, w.Path, err)
		}
		am := body.AllowedMentions
		if strings.HasPrefix(w.Path, "/interactions/") {
			am = body.Data.AllowedMentions
		}
		if am == nil || am.Parse == nil || len(*am.Parse) != 0 || len(am.Users) != 0 || len(am.Roles) != 0 || am.RepliedUser {
			t.Errorf("%s %s: allowed_mentions in %s, want an explicit empty parse list", w.Method, w.Path, w.Body)
		}
	}
}

func TestRunRegistersCommandsWithOneBulkOverwrite(t *testing.T) {
	tests := []struct {
		name     string
		guild    string
		wantPath string
	}{
		{name: "global", wantPath: "/applications/100000000000000001/commands"},
		{name: "guild", guild: "300000000000000009", wantPath: "/applications/100000000000000001/guilds/300000000000000009/commands"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := fakediscord.New(t, fakediscord.Options{})
			h := start(t, fake, func(o *Options) { o.GuildID = tc.guild })
			h.shutdown()
			var puts []fakediscord.Request
			for _, r := range fake.Requests() {
				if r.Method == "PUT" {
					puts = append(puts, r)
				}
			}
			if len(puts) != 1 || puts[0].Path != tc.wantPath {
				t.Fatalf("PUT requests = %+v, want one to %s", puts, tc.wantPath)
			}
			var cmds []struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal(puts[0].Body, &cmds); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range cmds {
				names = append(names, c.Name)
			}
			want := []string{"ask", "sources", "about", "refresh", "add-source", "remove-source", "feedback"}
			if !slices.Equal(names, want) {
				t.Errorf("registered %v, want %v", names, want)
			}
		})
	}
}

func TestRunRejectsBadToken(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{Token: "right"})
	b, err := New(Options{Token: "wrong-secret-token", APIURL: fake.URL(), Answerer: newFakeAnswerer(), Library: &fakeLibrary{}})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Run(context.Background())
	if !errors.Is(err, ErrTokenRejected) {
		t.Fatalf("Run = %v, want ErrTokenRejected", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-token") {
		t.Errorf("error %q leaks the token", err)
	}
}

func TestAskIsAcknowledgedThenEditedWithCitedAnswer(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, nil)
	sent := h.ask(ordinary, "When did the Kenyan police arrive?", false)
	cb, err := fake.WaitCallback(sent.ID, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Type != 5 {
		t.Errorf("callback type = %d, want 5 (deferred)", cb.Type)
	}
	if d := cb.At.Sub(sent.At); d > 3*time.Second {
		t.Errorf("acknowledged after %s, want < 3 s", d)
	}
	msg, err := fake.WaitOriginal(sent.Token, 5*time.Second, func(m fakediscord.Message) bool {
		return m.Contains(streamedText) && len(m.Embeds) > 0
	})
	if err != nil {
		t.Fatal(err)
	}
	if !msg.Contains("Kenyan police land in Haiti") {
		t.Errorf("sources embed does not name the cited document: %s", msg.Embeds)
	}
	if msg.Writes < 3 {
		t.Errorf("original written %d times, want the ack, at least one streamed edit and the final", msg.Writes)
	}
	if !strings.Contains(string(msg.Components), "fb:up:") {
		t.Errorf("final answer has no vote buttons: %s", msg.Components)
	}
	h.shutdown()
	assertNoMentions(t, fake)
}

func TestAskPrivateIsEphemeral(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, nil)
	sent := h.ask(ordinary, "When did the Kenyan police arrive?", true)
	cb, err := fake.WaitCallback(sent.ID, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Flags int `json:"flags"`
	}
	_ = json.Unmarshal(cb.Data, &d)
	if cb.Type != 5 || d.Flags&64 == 0 {
		t.Errorf("callback type %d flags %d, want deferred and ephemeral (64)", cb.Type, d.Flags)
	}
	if _, err := fake.WaitOriginalContains(sent.Token, streamedText, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestAskRefusesBadInputPolitely(t *testing.T) {
	tests := []struct {
		name     string
		question string
		limiter  *UserLimiter
		want     string
	}{
		{name: "blank question", question: "   ", want: "the question is empty"},
		{name: "rate limited", question: "ok?", limiter: NewUserLimiter(1, 1, time.Now), want: "try again in"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := fakediscord.New(t, fakediscord.Options{})
			h := start(t, fake, func(o *Options) {
				if tc.limiter != nil {
					o.Limiter = tc.limiter
				}
			})
			var sent fakediscord.Sent
			for range 2 { // the second question trips a 1-per-minute limit
				sent = h.ask(ordinary, tc.question, false)
				if _, err := fake.WaitCallback(sent.ID, 3*time.Second); err != nil {
					t.Fatal(err)
				}
			}
			cb, _ := fake.CallbackFor(sent.ID)
			var d struct {
				Content string `json:"content"`
				Flags   int    `json:"flags"`
			}
			_ = json.Unmarshal(cb.Data, &d)
			if cb.Type != 4 || d.Flags&64 == 0 || !strings.Contains(d.Content, tc.want) {
				t.Errorf("callback type %d flags %d content %q, want an ephemeral reply containing %q", cb.Type, d.Flags, d.Content, tc.want)
			}
		})
	}
}

func TestRefreshIsForModeratorsOnly(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, nil)

	t.Run("ordinary member refused", func(t *testing.T) {
		sent := h.command(ordinary, "refresh")
		cb, err := fake.WaitCallback(sent.ID, 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Content string `json:"content"`
			Flags   int    `json:"flags"`
		}
		_ = json.Unmarshal(cb.Data, &d)
		if cb.Type != 4 || d.Flags&64 == 0 || !strings.Contains(d.Content, "only moderators") {
			t.Errorf("got type %d flags %d %q, want an ephemeral refusal", cb.Type, d.Flags, d.Content)
		}
	})
	t.Run("moderator gets progress and summary", func(t *testing.T) {
		sent := h.command(moderator, "refresh")
		cb, err := fake.WaitCallback(sent.ID, 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if cb.Type != 5 {
			t.Errorf("callback type %d, want 5", cb.Type)
		}
		if _, err := fake.WaitOriginalContains(sent.Token, "Embedding chunks:", 3*time.Second); err != nil {
			t.Fatal(err)
		}
		msg, err := fake.WaitOriginalContains(sent.Token, "Refresh done", 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"2 document(s) added", "1 updated", "160 chunk(s) embedded"} {
			if !strings.Contains(msg.Content, want) {
				t.Errorf("summary %q lacks %q", msg.Content, want)
			}
		}
		r, ok, err := h.store.LastRefresh(context.Background())
		if err != nil || !ok || r.Stats.DocsAdded != 2 {
			t.Errorf("LastRefresh = %+v, %v, %v; want the refresh recorded", r, ok, err)
		}
	})
}

func TestFeedbackButtonsRecordVotes(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, nil)
	sent := h.ask(ordinary, "When did the Kenyan police arrive?", false)
	msg, err := fake.WaitOriginal(sent.Token, 5*time.Second, func(m fakediscord.Message) bool {
		return strings.Contains(string(m.Components), "fb:down:")
	})
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Components []struct {
			CustomID string `json:"custom_id"`
		} `json:"components"`
	}
	if err := json.Unmarshal(msg.Components, &rows); err != nil {
		t.Fatal(err)
	}
	var down string
	for _, r := range rows {
		for _, c := range r.Components {
			if strings.HasPrefix(c.CustomID, "fb:down:") {
				down = c.CustomID
			}
		}
	}
	click, err := fake.Interact(fakediscord.Interaction{Type: 3, CustomID: down, Member: moderator, MessageToken: sent.Token})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := fake.WaitCallback(click.ID, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cb.Data), "Thanks for the feedback") {
		t.Errorf("click reply = %s", cb.Data)
	}
	sum, err := h.store.Feedback(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Down != 1 || sum.Up != 0 || len(sum.RecentDown) != 1 || !strings.Contains(sum.RecentDown[0].Answer, "Port-au-Prince") {
		t.Errorf("Feedback = %+v, want one down vote on the answer", sum)
	}
}

func TestMentionIsAnsweredInThreadWithFollowUpHistory(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, nil)
	author := fakediscord.User{ID: "500000000000000003", Username: "asker"}
	first, err := fake.PostMessage(fakediscord.ChannelID, author, "<@"+fake.AppID()+"> when did the Kenyan police arrive?", true)
	if err != nil {
		t.Fatal(err)
	}
	// The thread started on a message gets that message's ID.
	thread := first.ID
	if _, err := fake.WaitChannelMessage(thread, 5*time.Second, isFinal); err != nil {
		t.Fatal(err)
	}
	// The turn is saved just after the final edit.
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if turns, _ := h.store.History(context.Background(), thread, 10); len(turns) == 1 {
			break
		}
	}
	if reqs := h.ans.requests(); len(reqs) != 1 || reqs[0].Question != "when did the Kenyan police arrive?" {
		t.Fatalf("answerer requests = %+v, want the question without the mention", reqs)
	}
	// A follow-up in the thread, without a mention.
	if _, err := fake.PostMessage(thread, author, "and how many of them?", false); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(h.ans.requests()) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	reqs := h.ans.requests()
	if len(reqs) != 2 {
		t.Fatalf("follow-up not answered: %d requests", len(reqs))
	}
	if len(reqs[1].History) != 1 || reqs[1].History[0].Question != "when did the Kenyan police arrive?" || !strings.Contains(reqs[1].History[0].Answer, "Port-au-Prince") {
		t.Errorf("follow-up history = %+v, want the first turn", reqs[1].History)
	}
	// A message in an ordinary channel that doesn't mention the bot is ignored.
	if _, err := fake.PostMessage(fakediscord.ChannelID, author, "unrelated chatter", false); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if turns, _ := h.store.History(context.Background(), thread, 10); len(turns) == 2 {
			break
		}
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(h.ans.requests()); n != 2 {
		t.Errorf("answerer called %d times, want 2 (chatter ignored)", n)
	}
	h.shutdown()
	assertNoMentions(t, fake)
}

func TestConcurrentAsksAreAnsweredInParallel(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	const n = 100
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, nil)
	fake.SetLatency(100 * time.Millisecond)
	sent := make([]fakediscord.Sent, n)
	begin := time.Now()
	for k := range sent {
		sent[k] = h.ask(&fakediscord.Member{User: fakediscord.User{ID: fmt.Sprint(600000000000000000 + k), Username: "u"}, Permissions: fakediscord.PermSendMessages}, fmt.Sprintf("question %d?", k), false)
	}
	var acks []time.Duration
	for _, s := range sent {
		cb, err := fake.WaitCallback(s.ID, 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		acks = append(acks, cb.At.Sub(s.At))
	}
	for _, s := range sent {
		if _, err := fake.WaitOriginal(s.Token, time.Until(begin.Add(5*time.Second)), isFinal); err != nil {
			t.Fatalf("not answered within 5 s of the first dispatch: %v", err)
		}
	}
	sort.Slice(acks, func(a, b int) bool { return acks[a] < acks[b] })
	p50, p99 := acks[n/2], acks[n*99/100]
	t.Logf("%d concurrent /ask at 100 ms REST latency: ack p50 %s p99 %s (dispatch to callback arrival); all answered in %s", n, p50, p99, time.Since(begin))
	if p99 > ackP99Budget {
		t.Errorf("ack p99 %s, want < %s", p99, ackP99Budget)
	}
}

func TestGatewayDropResumesAndKeepsAnswering(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, nil)
	fake.DropConnection()
	// discordgo waits about a second (its close handshake) before it
	// reconnects.
	if err := fake.WaitConnected(8 * time.Second); err != nil {
		t.Fatal(err)
	}
	if ids, resumes := fake.GatewayCounts(); ids != 1 || resumes != 1 {
		t.Errorf("identifies=%d resumes=%d, want 1 and 1", ids, resumes)
	}
	sent := h.ask(ordinary, "When did the Kenyan police arrive?", false)
	if _, err := fake.WaitOriginalContains(sent.Token, streamedText, 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestShutdownEndsInFlightAnswerClearly(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, func(o *Options) {
		o.ShutdownTimeout = 200 * time.Millisecond
		o.Answerer = &fakeAnswerer{block: true}
	})
	sent := h.ask(ordinary, "When did the Kenyan police arrive?", false)
	if _, err := fake.WaitCallback(sent.ID, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	h.shutdown()
	// The public "thinking…" is replaced by a message to the asker alone.
	assertPrivateError(t, fake, sent, "interrupted")
}

// assertPrivateError checks that an interaction whose original response is
// a public deferral ended with an ephemeral follow-up saying want, and
// that the public placeholder was removed.
func assertPrivateError(t *testing.T, fake *fakediscord.Server, sent fakediscord.Sent, want string) {
	t.Helper()
	if msg, ok := fake.Original(sent.Token); !ok || !msg.Deleted {
		t.Errorf("public original %q left in the channel", msg.Content)
	}
	fs := fake.Followups(sent.Token)
	if len(fs) != 1 || !strings.Contains(fs[0].Content, want) || fs[0].Flags&64 == 0 {
		t.Errorf("follow-ups %+v, want one ephemeral message saying %q", fs, want)
	}
}

func TestAddSourceFromAttachmentSavesAndRefreshes(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	h := start(t, fake, func(o *Options) {
		// Attachments live on the fake, on loopback.
		o.Fetcher = fetch.New(fetch.Options{Timeout: 5 * time.Second, MaxBytes: 1 << 20, AllowPrivate: true})
	})
	h.lib.writable = true
	u := fake.AddAttachment("report.txt", "text/plain; charset=utf-8", []byte("Kenyan police officers arrived in Haiti in June 2024."))
	sent, err := fake.Interact(fakediscord.Interaction{Name: "add-source", Member: moderator,
		Options: []fakediscord.Option{
			{Name: "file", Type: 11, Value: "900"},
			{Name: "title", Type: 3, Value: "Arrival report"},
			{Name: "publisher", Type: 3, Value: "UN"},
			{Name: "date", Type: 3, Value: "2024-06-26"},
		},
		Attachments: map[string]fakediscord.Attachment{"900": {URL: u, Filename: "report.txt", ContentType: "text/plain", Size: 53}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitOriginalContains(sent.Token, "Refresh done", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	h.lib.mu.Lock()
	defer h.lib.mu.Unlock()
	if len(h.lib.added) != 1 {
		t.Fatalf("added %v, want one document", h.lib.added)
	}
	for _, d := range h.lib.added {
		e := d.Meta
		if e.Title != "Arrival report" || e.Publisher != "UN" || e.Published != "2024-06-26" || d.Ext != ".txt" || string(d.Data) != "Kenyan police officers arrived in Haiti in June 2024." {
			t.Errorf("saved %+v", d)
		}
	}
}

// passages is a Searcher over fixed passages, for the real extractive
// answerer.
type passages []retrieval.Passage

func (p passages) Search(_ context.Context, query string, k int) (retrieval.Results, error) {
	return retrieval.Results{Query: query, Passages: p, Coverage: 1}, nil
}

func TestAskWithExtractiveAnswerer(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Options{})
	meta := corpus.Meta{DocID: "001.txt", Title: "Kenyan police land in Haiti", Publisher: "Reuters", Published: "2024-06-25"}
	search := passages{{Rank: 1, Score: 1, Coverage: 1, Support: 1, Chunk: retrieval.Chunk{ID: "c1", Meta: meta,
		Text: "The first contingent of 400 Kenyan police officers arrived in Port-au-Prince on 25 June 2024. They were greeted by Haitian officials at the airport."}}}
	ex, err := answer.NewExtractive(search, answer.ExtractiveOptions{K: 5})
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, fake, func(o *Options) { o.Answerer = ex })
	sent := h.ask(ordinary, "When did the Kenyan police officers arrive in Port-au-Prince?", false)
	msg, err := fake.WaitOriginal(sent.Token, 5*time.Second, func(m fakediscord.Message) bool {
		return m.Contains("[1]") && len(m.Embeds) > 0 && len(m.Components) > 0
	})
	if err != nil {
		t.Fatal(err)
	}
	if !msg.Contains("25 June 2024") || !msg.Contains("Kenyan police land in Haiti") {
		t.Errorf("answer %q with embeds %s lacks the cited fact or its source", msg.Content, msg.Embeds)
	}
}
