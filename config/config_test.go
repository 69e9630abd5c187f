package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(map[string]string{"MISSIONBOT_DATA_DIR": "/tmp/x"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode() != "extractive" || c.K != 5 || c.EmbeddingBatch != 64 || c.Discord.APIURL != DefaultDiscordAPIURL ||
		c.Discord.QuestionsPerMinute != 5 || c.FirstTokenTimeout != 30*time.Second || c.StreamIdleTimeout != 20*time.Second || c.ContextTokens != 2800 || c.ContextWindow != 4096 || c.ReasoningEffort != "" || c.LogLevel != slog.LevelInfo || c.DataDir != "/tmp/x" {
		t.Errorf("unexpected defaults: %+v", c)
	}
	c, err = Load(env(map[string]string{"MISSIONBOT_CHAT_MODEL": "llama3.2", "MISSIONBOT_MODERATOR_ROLES": "123, 456"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode() != "llm" || len(c.Discord.ModeratorRoles) != 2 || c.DataDir == "" {
		t.Errorf("got mode %s roles %v dir %q", c.Mode(), c.Discord.ModeratorRoles, c.DataDir)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"bad temperature", map[string]string{"MISSIONBOT_TEMPERATURE": "hot"}, []string{"MISSIONBOT_TEMPERATURE", "0 to 2"}},
		{"temperature out of range", map[string]string{"MISSIONBOT_TEMPERATURE": "3"}, []string{"MISSIONBOT_TEMPERATURE"}},
		{"bad timeout", map[string]string{"MISSIONBOT_MODEL_TIMEOUT": "-5s"}, []string{"MISSIONBOT_MODEL_TIMEOUT", "positive duration"}},
		{"bad first-token timeout", map[string]string{"MISSIONBOT_FIRST_TOKEN_TIMEOUT": "soon"}, []string{"MISSIONBOT_FIRST_TOKEN_TIMEOUT", "positive duration"}},
		{"bad reasoning effort", map[string]string{"MISSIONBOT_REASONING_EFFORT": "lots"}, []string{"MISSIONBOT_REASONING_EFFORT", "none, minimal"}},
		{"window too small for the answer", map[string]string{"MISSIONBOT_CHAT_MODEL": "m", "MISSIONBOT_CONTEXT_WINDOW": "1024", "MISSIONBOT_MAX_ANSWER_TOKENS": "1000"}, []string{"MISSIONBOT_CONTEXT_WINDOW", "cannot hold"}},
		{"bad batch", map[string]string{"MISSIONBOT_EMBEDDING_BATCH": "0"}, []string{"MISSIONBOT_EMBEDDING_BATCH", "1 to 2048"}},
		{"bad url", map[string]string{"OPENAI_BASE_URL": "localhost:11434"}, []string{"OPENAI_BASE_URL", "http"}},
		{"bad guild", map[string]string{"DISCORD_GUILD_ID": "my-server"}, []string{"DISCORD_GUILD_ID"}},
		{"bad role", map[string]string{"MISSIONBOT_MODERATOR_ROLES": "123,mods"}, []string{"\"mods\""}},
		{"bad level", map[string]string{"MISSIONBOT_LOG_LEVEL": "loud"}, []string{"MISSIONBOT_LOG_LEVEL"}},
		{"two problems", map[string]string{"MISSIONBOT_K": "x", "MISSIONBOT_RATE_LIMIT": "0"}, []string{"MISSIONBOT_K", "MISSIONBOT_RATE_LIMIT"}},
		{"temperature NaN", map[string]string{"MISSIONBOT_TEMPERATURE": "NaN"}, []string{`MISSIONBOT_TEMPERATURE="NaN": want a number from 0 to 2`}},
		{"temperature Inf", map[string]string{"MISSIONBOT_TEMPERATURE": "+Inf"}, []string{`MISSIONBOT_TEMPERATURE="+Inf"`}},
		{"value next to its name", map[string]string{"MISSIONBOT_K": "-1"}, []string{`MISSIONBOT_K="-1": want a whole number from 1 to 50`}},
		{"duration next to its name", map[string]string{"MISSIONBOT_ANSWER_TIMEOUT": "soon"}, []string{`MISSIONBOT_ANSWER_TIMEOUT="soon": want`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(tc.env))
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestSecretsRedacted(t *testing.T) {
	const key, token, dbPassword = "sk-secret-123", "discord-token-456", "pg-Pa55word"
	c, err := Load(env(map[string]string{"OPENAI_API_KEY": key, "DISCORD_TOKEN": token,
		"MISSIONBOT_DATABASE_URL": "postgres://bot:" + dbPassword + "@db.internal:5432/missionbot?sslmode=require&password=" + dbPassword}))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("cfg", "config", c)
	for _, s := range []string{c.String(), b.String()} {
		if strings.Contains(s, key) || strings.Contains(s, token) || strings.Contains(s, dbPassword) {
			t.Errorf("secret leaked: %s", s)
		}
		if !strings.Contains(s, "postgres://db.internal:5432/missionbot") {
			t.Errorf("want the database named by host and name: %s", s)
		}
		if !strings.Contains(s, "(set)") {
			t.Errorf("want the secrets shown as (set): %s", s)
		}
	}
}

func TestDatabaseURL(t *testing.T) {
	const password = "Pa55-in-url"
	tests := []struct {
		name, value string
		wantErr     bool
		wantStore   string
	}{
		{"unset is sqlite", "", false, "sqlite"},
		{"postgres URL", "postgres://u:" + password + "@h:5432/db", false, "postgres://h:5432/db"},
		{"postgresql scheme", "postgresql://h/db?sslmode=disable", false, "postgres://h/db"},
		{"unix socket via query", "postgres:///db?host=/var/run/postgresql", false, "postgres:///db"},
		{"key=value form", "host=h password=" + password + " dbname=db", true, ""},
		{"other scheme", "mysql://u:" + password + "@h/db", true, ""},
		{"opaque", "postgres:u:" + password + "@h", true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(map[string]string{"MISSIONBOT_DATABASE_URL": tc.value}))
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "MISSIONBOT_DATABASE_URL") {
					t.Fatalf("err = %v, want one naming MISSIONBOT_DATABASE_URL", err)
				}
				if strings.Contains(err.Error(), password) {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.DatabaseURL != tc.value || c.Store() != tc.wantStore {
				t.Errorf("DatabaseURL %q, Store() %q; want %q, %q", c.DatabaseURL, c.Store(), tc.value, tc.wantStore)
			}
		})
	}
}

func TestValidateServe(t *testing.T) {
	c, _ := Load(env(nil))
	if err := c.ValidateServe(); err == nil || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
		t.Errorf("want a DISCORD_TOKEN error, got %v", err)
	}
	c, _ = Load(env(map[string]string{"DISCORD_TOKEN": "x", "MISSIONBOT_HTTP_ADDR": ":8080", "DISCORD_PUBLIC_KEY": "nothex"}))
	if err := c.ValidateServe(); err == nil || !strings.Contains(err.Error(), "DISCORD_PUBLIC_KEY") {
		t.Errorf("want a DISCORD_PUBLIC_KEY error, got %v", err)
	}
	c, _ = Load(env(map[string]string{"DISCORD_TOKEN": "x", "MISSIONBOT_GATEWAY": "false"}))
	if err := c.ValidateServe(); err == nil || !strings.Contains(err.Error(), "MISSIONBOT_HTTP_ADDR") {
		t.Errorf("want an error naming the interactions endpoint settings, got %v", err)
	}
	c, _ = Load(env(map[string]string{"DISCORD_TOKEN": "x"}))
	if err := c.ValidateServe(); err != nil {
		t.Errorf("valid serve config rejected: %v", err)
	}
}
