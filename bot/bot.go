// Package bot is missionbot's Discord front end: it connects to the gateway
// through discordgo, registers the slash commands, answers /ask and
// mentions with streamed, cited answers, and gives moderators /refresh,
// /add-source, /remove-source and /feedback.
//
// Intents: slash commands need none; answering mentions needs
// GuildMessages. The privileged MessageContent intent is not requested
// unless Options.MessageContent asks for it: Discord still delivers the
// content of messages that mention the bot, so without it a follow-up in
// one of the bot's threads must mention the bot too (other messages arrive
// empty and are ignored).
package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"missionbot/answer"
	"missionbot/corpus"
	"missionbot/fetch"
	"missionbot/library"
	"missionbot/metrics"
	"missionbot/retrieval"
	"missionbot/store"
)

// Answerer answers one question. *answer.Extractive and the model answerer
// implement it; tests hand the bot a fake.
type Answerer interface {
	Answer(ctx context.Context, req answer.Request) (answer.Answer, error)
}

// Library is the corpus and index the bot serves from and changes;
// *library.Library implements it. Refresh returns library.ErrBusy while
// another writer runs (Add and Remove wait their turn), and Add and Remove
// return library.ErrReadOnly when the corpus is the built-in one.
type Library interface {
	// Refresh re-ingests the corpus incrementally, reporting progress.
	Refresh(ctx context.Context, opts library.RefreshOptions) (retrieval.RefreshStats, error)
	// Add saves a document in the corpus folder and refreshes.
	Add(ctx context.Context, doc library.NewDocument, progress func(retrieval.Progress)) (library.Added, error)
	// Remove deletes a document from the corpus folder and refreshes.
	Remove(ctx context.Context, docID string, progress func(retrieval.Progress)) (retrieval.RefreshStats, error)
	// Writable reports whether Add and Remove can work.
	Writable() bool
	// Documents lists the corpus folder's files, indexed or not.
	Documents() ([]corpus.Meta, error)
	Sources() []retrieval.SourceInfo
	Stats() retrieval.Stats
	// Folds lists the documents folded into others as copies of one story.
	Folds() []retrieval.Fold
}

// Store keeps answers, votes, thread history and the refresh log;
// store/sqlite implements it.
type Store interface {
	SaveAnswer(ctx context.Context, r store.AnswerRecord) (int64, error)
	Vote(ctx context.Context, answerID int64, userHash string, up bool, at time.Time) error
	Feedback(ctx context.Context, recent int) (store.FeedbackSummary, error)
	AppendTurn(ctx context.Context, threadID string, t answer.Turn, at time.Time) error
	History(ctx context.Context, threadID string, max int) ([]answer.Turn, error)
	RecordRefresh(ctx context.Context, r store.RefreshRecord) error
	LastRefresh(ctx context.Context) (store.RefreshRecord, bool, error)
}

// Fetcher downloads the document at a URL a moderator gives to
// /add-source; *fetch.Fetcher implements it.
type Fetcher interface {
	Fetch(ctx context.Context, rawURL string) (fetch.Document, error)
}

// Options configure a Bot. Token, Answerer and Library are required; the
// other fields have working zero values.
type Options struct {
	// Token is the bot token, without the "Bot " prefix. It never appears
	// in logs or errors.
	Token string
	// APIURL is the base of every REST call and of gateway discovery;
	// default https://discord.com.
	APIURL string
	// GuildID, when set, registers the commands to that guild only
	// (instant updates); otherwise they are global.
	GuildID string
	// ModeratorRoles are role IDs that count as moderators in addition to
	// members with Manage Server or Administrator.
	ModeratorRoles []string
	Answerer       Answerer
	Library        Library
	// Store keeps answers, votes, thread history and the refresh log; nil
	// disables feedback buttons and thread follow-ups.
	Store Store
	// Fetcher downloads /add-source URLs and attachments; nil disables
	// /add-source.
	Fetcher Fetcher
	// Limiter is the per-user rate limit; nil means no limit.
	Limiter *UserLimiter
	// Gate bounds concurrent model calls; nil means no bound.
	Gate *Gate
	// UserSalt salts the hashes of user IDs kept in the store.
	UserSalt string
	// AnswerTimeout bounds one answer; default 60 s.
	AnswerTimeout time.Duration
	// EditInterval is the least time between streamed edits of one
	// message; default 1 s.
	EditInterval time.Duration
	// MaxUploadBytes bounds /add-source documents; default 10 MiB.
	MaxUploadBytes int64
	// ShutdownTimeout is how long Run waits for in-flight answers after
	// its context ends before interrupting them; default 10 s.
	ShutdownTimeout time.Duration
	// Metrics records questions, latencies, votes and refreshes; nil
	// records nothing.
	Metrics *metrics.Metrics
	// MessageContent requests the privileged Message Content intent, so
	// follow-ups in the bot's threads are answered without a mention. It
	// must be enabled for the application in the developer portal too, or
	// Discord refuses the connection.
	MessageContent bool
	// NoGateway serves only through the HTTP interactions endpoint: Run
	// checks the token and registers the commands but opens no gateway
	// connection, so mentions are not answered.
	NoGateway bool
	// Models names the models in use, for /about.
	Models string
	Logger *slog.Logger
	Now    func() time.Time
	// HTTPClient supplies the base transport for REST calls (tests); nil
	// means http.DefaultTransport.
	HTTPClient *http.Client
}

// ErrNoToken is returned by New when no Discord token is configured.
var ErrNoToken = errors.New("DISCORD_TOKEN is not set: create a bot at https://discord.com/developers/applications and set its token")

// ErrTokenRejected is returned by Run when Discord rejects the token.
var ErrTokenRejected = errors.New("Discord rejected DISCORD_TOKEN (401 Unauthorized): check the token in the developer portal")

// errShutdown is the cause given to in-flight work cancelled at shutdown.
var errShutdown = errors.New("bot shutting down")

// Bot is a running Discord bot. Create it with New and start it with Run.
type Bot struct {
	opts    Options
	log     *slog.Logger
	now     func() time.Time
	session *discordgo.Session
	// red cleans the errors of Discord calls before they are logged.
	red redactor
	// gw dials the gateway, so shutdown can break a stuck connection.
	gw *gatewayConns

	// appID and botID are set once Run has connected.
	appID atomic.Value // string
	botID atomic.Value // string

	// workCtx is the parent of every interaction's context; it is
	// cancelled with errShutdown once the shutdown drain times out.
	workCtx    context.Context
	cancelWork context.CancelCauseFunc

	mu       sync.Mutex
	closing  bool           // guarded by mu; set when Run's context ends
	inflight sync.WaitGroup // counts interactions and mentions being handled

	// threads remembers which channels are threads the bot started.
	threads threadOwners

	// connected is true while the bot can serve: between READY or RESUMED
	// and a disconnect, or (without a gateway) once commands are registered.
	connected atomic.Bool
}

// New checks opts and builds a Bot; it does not connect.
func New(opts Options) (*Bot, error) {
	if strings.TrimSpace(opts.Token) == "" {
		return nil, ErrNoToken
	}
	if opts.Answerer == nil {
		return nil, errors.New("bot: new: Options.Answerer is nil")
	}
	if opts.Library == nil {
		return nil, errors.New("bot: new: Options.Library is nil")
	}
	if opts.APIURL == "" {
		opts.APIURL = "https://discord.com"
	}
	base, err := parseAPIURL(opts.APIURL)
	if err != nil {
		return nil, fmt.Errorf("bot: new: %w", err)
	}
	if opts.AnswerTimeout <= 0 {
		opts.AnswerTimeout = 60 * time.Second
	}
	if opts.EditInterval <= 0 {
		opts.EditInterval = time.Second
	}
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = 10 << 20
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Models == "" {
		opts.Models = "extractive (no chat model)"
	}
	s, err := discordgo.New("Bot " + strings.TrimPrefix(opts.Token, "Bot "))
	if err != nil {
		return nil, fmt.Errorf("bot: new session: %w", err)
	}
	baseRT := http.DefaultTransport
	if opts.HTTPClient != nil && opts.HTTPClient.Transport != nil {
		baseRT = opts.HTTPClient.Transport
	}
	s.Client = &http.Client{Transport: &rewriteTransport{base: base, next: baseRT}, Timeout: 30 * time.Second}
	s.Identify.Intents = discordgo.IntentsGuildMessages
	if opts.MessageContent {
		s.Identify.Intents |= discordgo.IntentMessageContent
	}
	s.ShouldReconnectOnError = true
	s.LogLevel = -1 // discordgo logs through the standard logger; we log ourselves.
	s.StateEnabled = true

	b := &Bot{opts: opts, log: opts.Logger, now: opts.Now, session: s, red: redactor{base: base.String()}, gw: &gatewayConns{}}
	s.Dialer = b.gw.websocketDialer()
	b.appID.Store("")
	b.botID.Store("")
	b.workCtx, b.cancelWork = context.WithCancelCause(context.Background())
	return b, nil
}

// Run connects to Discord, registers the commands with one bulk
// overwrite, and serves until ctx is done. It then stops taking new
// interactions, waits up to ShutdownTimeout for in-flight answers, ends any
// still running with a message saying so, and closes the session. Closing
// the store is the caller's job.
func (b *Bot) Run(ctx context.Context) error {
	me, err := b.session.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("bot: check token: %w", b.red.error(classifyREST(err)))
	}
	b.botID.Store(me.ID)
	b.appID.Store(me.ID)

	removeI := b.session.AddHandler(b.onInteractionCreate)
	removeM := b.session.AddHandler(b.onMessageCreate)
	removeR := b.session.AddHandler(func(*discordgo.Session, *discordgo.Ready) { b.connected.Store(true) })
	removeRs := b.session.AddHandler(func(*discordgo.Session, *discordgo.Resumed) { b.connected.Store(true) })
	removeD := b.session.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) { b.connected.Store(false) })
	defer removeI()
	defer removeM()
	defer removeR()
	defer removeRs()
	defer removeD()
	defer b.connected.Store(false)

	if !b.opts.NoGateway {
		if err := b.openGateway(ctx); err != nil {
			if ctx.Err() != nil {
				// Asked to stop while connecting; interactions may have
				// come in over HTTP meanwhile.
				b.shutdown()
				return nil
			}
			var ce *websocket.CloseError
			if errors.As(err, &ce) && ce.Code == 4004 {
				return ErrTokenRejected
			}
			return fmt.Errorf("bot: connect to gateway: %w", b.red.error(classifyREST(err)))
		}
		if id := b.readyAppID(); id != "" {
			b.appID.Store(id)
		}
	}
	if err := b.registerCommands(ctx); err != nil {
		b.shutdown()
		if ctx.Err() != nil {
			return nil // asked to stop while registering
		}
		return err
	}
	if b.opts.NoGateway {
		b.connected.Store(true)
	}
	st := b.opts.Library.Stats()
	b.opts.Metrics.IndexSize(st.Documents, st.Chunks)
	b.recordVotes(ctx)
	b.log.Info("discord bot connected", "user", me.Username, "app_id", b.appID.Load(), "guild", b.opts.GuildID)

	<-ctx.Done()
	b.shutdown()
	return nil
}

// Connected reports whether the bot can serve interactions now: its gateway
// session is up (or, without a gateway, it has registered its commands)
// and it is not shutting down. It backs the /readyz probe.
func (b *Bot) Connected() bool {
	b.mu.Lock()
	closing := b.closing
	b.mu.Unlock()
	return b.connected.Load() && !closing
}

// openGateway opens the gateway session, or gives up when ctx ends: the
// connection is then broken, which makes discordgo's Open return, since
// it waits for READY with no deadline of its own.
func (b *Bot) openGateway(ctx context.Context) error {
	opened := make(chan error, 1)
	go func() { opened <- b.session.Open() }()
	select {
	case err := <-opened:
		return err
	case <-ctx.Done():
	}
	b.gw.closeAll()
	select {
	case <-opened:
	case <-time.After(gatewayGiveUp):
		// Open is in a REST call (gateway discovery), bounded by the
		// client's timeout; its goroutine ends on its own.
		b.log.Warn("shutdown: gateway connection attempt abandoned")
	}
	return context.Cause(ctx)
}

// gatewayGiveUp bounds how long shutdown waits for a gateway connection
// attempt, or for the session to close, once it has broken the connection.
const gatewayGiveUp = 3 * time.Second

// readyAppID returns the application ID from the READY event, if any.
func (b *Bot) readyAppID() string {
	st := b.session.State
	if st == nil {
		return ""
	}
	st.RLock()
	defer st.RUnlock()
	if st.Application != nil {
		return st.Application.ID
	}
	return ""
}

// begin registers one unit of in-flight work; it returns false once
// shutdown has started.
func (b *Bot) begin() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closing {
		return false
	}
	b.inflight.Add(1)
	return true
}

// shutdown stops new work, drains in-flight work for up to
// ShutdownTimeout, interrupts the rest and closes the session.
func (b *Bot) shutdown() {
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		b.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(b.opts.ShutdownTimeout):
		b.log.Warn("shutdown: interrupting in-flight answers")
		b.cancelWork(errShutdown)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			b.log.Error("shutdown: in-flight work did not finish")
		}
	}
	b.cancelWork(errShutdown)
	b.closeSession()
}

// closeSession closes the gateway session. A reconnect stuck waiting for
// READY holds the session's lock, so Close would wait for ever: after
// gatewayGiveUp the connection is broken under it.
func (b *Bot) closeSession() {
	closed := make(chan error, 1)
	go func() { closed <- b.session.Close() }()
	var err error
	select {
	case err = <-closed:
	case <-time.After(gatewayGiveUp):
		b.gw.closeAll()
		select {
		case err = <-closed:
		case <-time.After(gatewayGiveUp):
			b.log.Error("shutdown: the discord session did not close")
		}
	}
	// Nothing may reconnect after shutdown.
	b.gw.closeAll()
	if err != nil {
		b.log.Warn("close discord session", "err", b.red.text(err.Error()))
	}
}
