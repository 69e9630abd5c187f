// Package config gathers every setting of missionbot from environment
// variables (and, through the command line, flags), applies defaults and
// validates them with messages a user can act on. Secrets it holds (the
// Discord token, the API key, the database URL, which may carry a
// password) are never printed: Config's String and LogValue redact them.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration. The zero value is not useful; use Load.
type Config struct {
	// DataDir holds the index snapshot and the database.
	DataDir string
	// CorpusDir is a moderator-managed corpus folder; empty means the
	// built-in corpus embedded in the binary (read-only).
	CorpusDir string
	// DatabaseURL, a postgres:// URL, moves the store from the embedded
	// SQLite file to that PostgreSQL database, and with it what replicas
	// share: the interactions replay cache and the writer lock. Empty
	// means SQLite in DataDir. It may carry a password: never log it.
	DatabaseURL string

	// OpenAI-compatible server, for embeddings and chat.
	OpenAIBaseURL string
	OpenAIAPIKey  string

	// EmbeddingModel selects the "openai" embedder when set; otherwise the
	// offline "local" one is used.
	EmbeddingModel       string
	EmbeddingBatch       int
	EmbeddingConcurrency int
	EmbeddingRetries     int
	LocalDim             int

	// ChatModel selects llm mode when set; otherwise answers are extractive.
	// Temperature is sent as given; ModelRetries and EmbeddingRetries are
	// literal counts (0 means no retries).
	ChatModel     string
	Temperature   float32
	MaxTokens     int
	ContextTokens int
	// ContextWindow is the chat model's context window in tokens: the
	// prompt and the answer must fit in it.
	ContextWindow int
	// ReasoningEffort is sent as reasoning_effort when set ("none" turns
	// Ollama's thinking off).
	ReasoningEffort string
	// FirstTokenTimeout bounds the wait for a model's first token (and a
	// query rewrite); StreamIdleTimeout every later silence of the stream.
	// MISSIONBOT_MODEL_TIMEOUT is read as the first-token timeout when
	// MISSIONBOT_FIRST_TOKEN_TIMEOUT is not set.
	FirstTokenTimeout time.Duration
	StreamIdleTimeout time.Duration
	ModelRetries      int

	// K is how many passages are retrieved per question.
	K int

	// LogLevel is the level of serve and ingest; ReportLogLevel that of the
	// commands whose output is an answer or a report (ask, chat, eval,
	// sources), which log warnings only unless MISSIONBOT_LOG_LEVEL is set.
	LogLevel       slog.Level
	ReportLogLevel slog.Level
	LogFormat      string // "auto", "text" or "json"

	Discord Discord
}

// Discord holds the settings of `missionbot serve`.
type Discord struct {
	Token          string
	GuildID        string
	APIURL         string
	ModeratorRoles []string
	PublicKey      string // hex Ed25519 key, for the HTTP interactions endpoint
	HTTPAddr       string // listen address for interactions, /metrics and health checks
	// Gateway is false to serve only through the HTTP interactions
	// endpoint (no websocket connection; mentions are not answered).
	Gateway bool
	// MessageContent requests the privileged Message Content intent, so
	// follow-ups in the bot's threads need not mention it; the intent must
	// also be enabled in the developer portal.
	MessageContent bool

	QuestionsPerMinute int
	MaxConcurrent      int
	MaxQueue           int
	AnswerTimeout      time.Duration
	// ShutdownTimeout is how long serve lets in-flight answers finish after
	// SIGTERM before interrupting them.
	ShutdownTimeout  time.Duration
	AllowPrivateURLs bool
	MaxUploadBytes   int64
	ReloadInterval   time.Duration
}

// minPromptTokens is the least room a context window must leave beside the
// answer: the instructions and a few passages.
const minPromptTokens = 1024

// Defaults.
const (
	DefaultOpenAIBaseURL = "https://api.openai.com/v1"
	DefaultDiscordAPIURL = "https://discord.com"
)

// Load reads the configuration from getenv (os.Getenv in production, a map
// in tests), applies defaults and validates it. The error lists every
// problem found, one per line, each naming the variable.
func Load(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	c := Config{
		DataDir:              p.str("MISSIONBOT_DATA_DIR", ""),
		CorpusDir:            p.str("MISSIONBOT_CORPUS_DIR", ""),
		DatabaseURL:          p.str("MISSIONBOT_DATABASE_URL", ""),
		OpenAIBaseURL:        p.str("OPENAI_BASE_URL", DefaultOpenAIBaseURL),
		OpenAIAPIKey:         p.str("OPENAI_API_KEY", ""),
		EmbeddingModel:       p.str("MISSIONBOT_EMBEDDING_MODEL", ""),
		EmbeddingBatch:       p.int("MISSIONBOT_EMBEDDING_BATCH", 64, 1, 2048),
		EmbeddingConcurrency: p.int("MISSIONBOT_EMBEDDING_CONCURRENCY", 4, 1, 64),
		EmbeddingRetries:     p.int("MISSIONBOT_EMBEDDING_RETRIES", 5, 0, 20),
		LocalDim:             p.int("MISSIONBOT_LOCAL_DIM", 384, 16, 8192),
		ChatModel:            p.str("MISSIONBOT_CHAT_MODEL", ""),
		Temperature:          float32(p.float("MISSIONBOT_TEMPERATURE", 0.2, 0, 2)),
		MaxTokens:            p.int("MISSIONBOT_MAX_ANSWER_TOKENS", 600, 16, 32768),
		ContextTokens:        p.int("MISSIONBOT_CONTEXT_TOKENS", 2800, 200, 1_000_000),
		ContextWindow:        p.int("MISSIONBOT_CONTEXT_WINDOW", 4096, 1024, 10_000_000),
		ReasoningEffort:      p.oneOf("MISSIONBOT_REASONING_EFFORT", "", "none", "minimal", "low", "medium", "high", "xhigh"),
		FirstTokenTimeout:    p.duration("MISSIONBOT_FIRST_TOKEN_TIMEOUT", p.duration("MISSIONBOT_MODEL_TIMEOUT", 30*time.Second)),
		StreamIdleTimeout:    p.duration("MISSIONBOT_STREAM_IDLE_TIMEOUT", 20*time.Second),
		ModelRetries:         p.int("MISSIONBOT_MODEL_RETRIES", 3, 0, 10),
		K:                    p.int("MISSIONBOT_K", 5, 1, 50),
		LogLevel:             p.level("MISSIONBOT_LOG_LEVEL"),
		LogFormat:            p.oneOf("MISSIONBOT_LOG_FORMAT", "auto", "auto", "text", "json"),
		Discord: Discord{
			Token:              strings.TrimSpace(getenv("DISCORD_TOKEN")),
			GuildID:            p.str("DISCORD_GUILD_ID", ""),
			APIURL:             p.str("DISCORD_API_URL", DefaultDiscordAPIURL),
			ModeratorRoles:     p.list("MISSIONBOT_MODERATOR_ROLES"),
			PublicKey:          p.str("DISCORD_PUBLIC_KEY", ""),
			HTTPAddr:           p.str("MISSIONBOT_HTTP_ADDR", ""),
			Gateway:            p.bool("MISSIONBOT_GATEWAY", true),
			MessageContent:     p.bool("MISSIONBOT_MESSAGE_CONTENT", false),
			QuestionsPerMinute: p.int("MISSIONBOT_RATE_LIMIT", 5, 1, 10_000),
			MaxConcurrent:      p.int("MISSIONBOT_MAX_CONCURRENT", 4, 1, 1024),
			MaxQueue:           p.int("MISSIONBOT_MAX_QUEUE", 100, 0, 100_000),
			AnswerTimeout:      p.duration("MISSIONBOT_ANSWER_TIMEOUT", 90*time.Second),
			ShutdownTimeout:    p.duration("MISSIONBOT_SHUTDOWN_TIMEOUT", 10*time.Second),
			AllowPrivateURLs:   p.bool("MISSIONBOT_ALLOW_PRIVATE_URLS", false),
			MaxUploadBytes:     int64(p.int("MISSIONBOT_MAX_UPLOAD_BYTES", 5<<20, 1024, 1<<30)),
			ReloadInterval:     p.duration("MISSIONBOT_RELOAD_INTERVAL", 30*time.Second),
		},
	}
	p.url("OPENAI_BASE_URL", c.OpenAIBaseURL)
	if c.ChatModel != "" && c.ContextWindow < c.MaxTokens+minPromptTokens {
		p.fail("MISSIONBOT_CONTEXT_WINDOW", fmt.Sprintf("=%d cannot hold a %d-token answer (MISSIONBOT_MAX_ANSWER_TOKENS) and a prompt of at least %d tokens: raise it or lower MISSIONBOT_MAX_ANSWER_TOKENS",
			c.ContextWindow, c.MaxTokens, minPromptTokens))
	}
	if c.DatabaseURL != "" && !isPostgresURL(c.DatabaseURL) {
		// The value is not quoted: it may hold a password.
		p.fail("MISSIONBOT_DATABASE_URL", "is not a PostgreSQL URL: want postgres://user:password@host:5432/database (its value is not shown, as it may hold a password)")
	}
	p.url("DISCORD_API_URL", c.Discord.APIURL)
	if c.Discord.GuildID != "" && !isSnowflake(c.Discord.GuildID) {
		p.fail("DISCORD_GUILD_ID", "is not a Discord ID (digits only)")
	}
	for _, r := range c.Discord.ModeratorRoles {
		if !isSnowflake(r) {
			p.fail("MISSIONBOT_MODERATOR_ROLES", fmt.Sprintf("%q is not a role ID (digits only)", r))
		}
	}
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir()
	}
	c.ReportLogLevel = slog.LevelWarn
	if strings.TrimSpace(getenv("MISSIONBOT_LOG_LEVEL")) != "" {
		c.ReportLogLevel = c.LogLevel
	}
	if err := errors.Join(p.errs...); err != nil {
		return Config{}, fmt.Errorf("configuration:\n%w", err)
	}
	return c, nil
}

// DefaultDataDir is "missionbot" under the user's cache directory
// ($XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS), or
// ./data when there is none.
func DefaultDataDir() string {
	if dir, err := os.UserCacheDir(); err == nil && dir != "" {
		return filepath.Join(dir, "missionbot")
	}
	return "data"
}

// Mode is the answering mode the configuration selects.
func (c Config) Mode() string {
	if c.ChatModel != "" {
		return "llm"
	}
	return "extractive"
}

// ValidateServe checks what `serve` needs beyond the common settings.
func (c Config) ValidateServe() error {
	if c.Discord.Token == "" && c.Discord.HTTPAddr == "" {
		return errors.New("configuration: DISCORD_TOKEN is not set; create a bot in the Discord developer portal and export its token (see README)")
	}
	if c.Discord.Token == "" {
		return errors.New("configuration: DISCORD_TOKEN is not set; it is needed to edit answers over Discord's REST API even in HTTP interactions mode")
	}
	if c.Discord.PublicKey != "" && !isHexKey(c.Discord.PublicKey) {
		return errors.New("configuration: DISCORD_PUBLIC_KEY must be the application's public key: 64 hexadecimal characters")
	}
	if !c.Discord.Gateway && (c.Discord.HTTPAddr == "" || c.Discord.PublicKey == "") {
		return errors.New("configuration: MISSIONBOT_GATEWAY=false needs the HTTP interactions endpoint: set MISSIONBOT_HTTP_ADDR and DISCORD_PUBLIC_KEY")
	}
	return nil
}

// String describes the configuration with secrets redacted.
func (c Config) String() string {
	return fmt.Sprintf("data=%s corpus=%s store=%s mode=%s chat_model=%q embedding_model=%q base_url=%s api_key=%s discord_token=%s",
		c.DataDir, orBuiltIn(c.CorpusDir), c.Store(), c.Mode(), c.ChatModel, c.EmbeddingModel, c.OpenAIBaseURL, redact(c.OpenAIAPIKey), redact(c.Discord.Token))
}

// Store names the store in use without credentials: "sqlite", or
// "postgres://host:port/database" with no user, password or parameters.
func (c Config) Store() string {
	if c.DatabaseURL == "" {
		return "sqlite"
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil {
		return "postgres"
	}
	return (&url.URL{Scheme: "postgres", Host: u.Host, Path: u.Path}).String()
}

// isPostgresURL reports whether s is a postgres:// or postgresql:// URL.
func isPostgresURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") && u.Opaque == ""
}

// LogValue keeps secrets out of structured logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("data_dir", c.DataDir),
		slog.String("corpus", orBuiltIn(c.CorpusDir)),
		slog.String("store", c.Store()),
		slog.String("mode", c.Mode()),
		slog.String("chat_model", c.ChatModel),
		slog.String("embedding_model", c.EmbeddingModel),
		slog.String("base_url", c.OpenAIBaseURL),
		slog.String("api_key", redact(c.OpenAIAPIKey)),
		slog.String("discord_token", redact(c.Discord.Token)),
	)
}

func orBuiltIn(dir string) string {
	if dir == "" {
		return "built-in"
	}
	return dir
}

func redact(secret string) string {
	if secret == "" {
		return "(unset)"
	}
	return "(set)"
}

func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

func isHexKey(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// parser reads typed variables, remembering every problem.
type parser struct {
	getenv func(string) string
	errs   []error
}

func (p *parser) fail(name, msg string) {
	p.errs = append(p.errs, fmt.Errorf("  %s %s", name, msg))
}

// badValue records a value that cannot be used, written as the user would
// have set it (NAME="value") followed by what is wanted.
func (p *parser) badValue(name, value, want string) {
	p.errs = append(p.errs, fmt.Errorf("  %s=%q: %s", name, value, want))
}

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

func (p *parser) int(name string, def, lo, hi int) int {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.badValue(name, v, fmt.Sprintf("want a whole number from %d to %d", lo, hi))
		return def
	}
	return n
}

func (p *parser) float(name string, def, lo, hi float64) float64 {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	// NaN compares false with everything, so it would pass the range test.
	if err != nil || math.IsNaN(f) || f < lo || f > hi {
		p.badValue(name, v, fmt.Sprintf("want a number from %g to %g", lo, hi))
		return def
	}
	return f
}

func (p *parser) duration(name string, def time.Duration) time.Duration {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		if secs, err2 := strconv.Atoi(v); err2 == nil {
			d, err = time.Duration(secs)*time.Second, nil
		}
	}
	if err != nil || d <= 0 {
		p.badValue(name, v, "want a positive duration such as 30s or 2m")
		return def
	}
	return d
}

func (p *parser) bool(name string, def bool) bool {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.badValue(name, v, "want true or false")
		return def
	}
	return b
}

func (p *parser) list(name string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(p.getenv(name), func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, f)
	}
	return out
}

func (p *parser) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(strings.TrimSpace(p.getenv(name)))
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.badValue(name, v, fmt.Sprintf("want one of %s", strings.Join(allowed, ", ")))
	return def
}

func (p *parser) level(name string) slog.Level {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return slog.LevelInfo
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		p.badValue(name, v, "want debug, info, warn or error")
		return slog.LevelInfo
	}
	return l
}

func (p *parser) url(name, v string) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.badValue(name, v, "want an http:// or https:// URL")
	}
}
