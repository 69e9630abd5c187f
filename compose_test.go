package main

import (
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"missionbot/config"
)

// composeFile is the part of deploy/compose.yaml the test reads.
type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
		Deploy      struct {
			Replicas int `yaml:"replicas"`
		} `yaml:"deploy"`
		// DependsOn is a list of names or a map of name to condition.
		DependsOn any `yaml:"depends_on"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// interpolation is compose's ${NAME}, ${NAME:-default} and ${NAME:?error}.
var interpolation = regexp.MustCompile(`\$\{(\w+)(?::([-?])([^}]*))?\}`)

// interpolate substitutes vars as docker compose does; a required variable
// that is missing fails the test.
func interpolate(t *testing.T, s string, vars map[string]string) string {
	t.Helper()
	return interpolation.ReplaceAllStringFunc(s, func(m string) string {
		p := interpolation.FindStringSubmatch(m)
		name, op, arg := p[1], p[2], p[3]
		if v := vars[name]; v != "" {
			return v
		}
		if op == "?" {
			t.Errorf("compose needs %s: %s", name, arg)
		}
		if op == "-" {
			return arg
		}
		return ""
	})
}

// TestComposeFileRunsReplicas checks deploy/compose.yaml, which CI cannot
// start (no Docker engine): two or more replicas of serve on the HTTP
// endpoint only, the shared database and volume, and an environment that
// missionbot's own configuration accepts for serve, naming only variables
// it reads.
func TestComposeFileRunsReplicas(t *testing.T) {
	src, err := os.ReadFile("deploy/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(src, &c); err != nil {
		t.Fatalf("deploy/compose.yaml: %v", err)
	}
	bot, ok := c.Services["missionbot"]
	if !ok {
		t.Fatalf("no missionbot service in %v", c.Services)
	}
	if bot.Deploy.Replicas < 2 {
		t.Errorf("missionbot runs %d replicas, want at least 2", bot.Deploy.Replicas)
	}
	if len(bot.Command) == 0 || bot.Command[0] != "serve" {
		t.Errorf("missionbot command %v, want serve", bot.Command)
	}
	pg, ok := c.Services["postgres"]
	if !ok || !strings.HasPrefix(pg.Image, "postgres:") {
		t.Fatalf("no postgres service (image %q)", pg.Image)
	}
	if dep, _ := bot.DependsOn.(map[string]any); dep == nil || !strings.Contains(fmt.Sprint(dep["postgres"]), "service_healthy") {
		t.Errorf("missionbot does not wait for a healthy postgres: %+v", bot.DependsOn)
	}

	vars := map[string]string{
		"DISCORD_TOKEN":      "token",
		"DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32),
		"POSTGRES_PASSWORD":  "pw",
	}
	env := map[string]string{}
	for k, v := range bot.Environment {
		env[k] = interpolate(t, v, vars)
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("the compose environment is refused: %v", err)
	}
	if err := cfg.ValidateServe(); err != nil {
		t.Errorf("the compose environment cannot serve: %v", err)
	}
	if cfg.Discord.Gateway || cfg.Discord.HTTPAddr == "" {
		t.Errorf("replicas must serve the HTTP endpoint only (gateway %v, http %q)", cfg.Discord.Gateway, cfg.Discord.HTTPAddr)
	}
	if cfg.Store() != "postgres://postgres:5432/missionbot" {
		t.Errorf("store %s, want the postgres service's database", cfg.Store())
	}
	if pg.Environment["POSTGRES_DB"] != "missionbot" || pg.Environment["POSTGRES_USER"] != "missionbot" {
		t.Errorf("the database URL does not match the postgres service's user and database: %v", pg.Environment)
	}
	// The data directory and the corpus folder are on one named volume
	// that every replica mounts.
	shared := ""
	for _, v := range bot.Volumes {
		name, mount, _ := strings.Cut(v, ":")
		if _, named := c.Volumes[name]; named && (cfg.DataDir == mount || strings.HasPrefix(cfg.DataDir, mount+"/")) {
			shared = mount
		}
	}
	if shared == "" {
		t.Errorf("MISSIONBOT_DATA_DIR %s is not on a named volume (volumes %v)", cfg.DataDir, bot.Volumes)
	} else if cfg.CorpusDir == "" || !strings.HasPrefix(path.Clean(cfg.CorpusDir), shared+"/") {
		t.Errorf("MISSIONBOT_CORPUS_DIR %q is not on the shared volume %s", cfg.CorpusDir, shared)
	}

	// Every variable the file sets is one missionbot reads.
	configSrc, err := os.ReadFile("config/config.go")
	if err != nil {
		t.Fatal(err)
	}
	for k := range bot.Environment {
		if !strings.Contains(string(configSrc), `"`+k+`"`) {
			t.Errorf("compose sets %s, which missionbot does not read", k)
		}
	}
	conf, err := os.ReadFile("deploy/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(conf), "http://missionbot:8080") {
		t.Error("deploy/nginx.conf does not balance over the missionbot replicas on :8080")
	}
}
