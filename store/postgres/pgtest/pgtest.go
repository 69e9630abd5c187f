// Package pgtest gives tests a PostgreSQL database of their own on the
// server that MISSIONBOT_TEST_DATABASE_URL names (.ci/run starts a
// throwaway one). Without that variable the tests that need PostgreSQL are
// skipped, saying so, so that `go test ./...` passes on a machine without
// it; with MISSIONBOT_TEST_REQUIRE_POSTGRES set (as CI does) they fail
// instead, so CI cannot pass them by skipping.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The environment variables this package reads.
const (
	// EnvURL names a database on a server the tests may create and drop
	// databases on.
	EnvURL = "MISSIONBOT_TEST_DATABASE_URL"
	// EnvRequire, when non-empty, turns the skip into a failure.
	EnvRequire = "MISSIONBOT_TEST_REQUIRE_POSTGRES"
)

// Server returns EnvURL, or skips (fails, under EnvRequire) the test when
// it is unset.
func Server(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv(EnvRequire) != "" {
			t.Fatalf("%s is set but %s is not: the PostgreSQL tests must run here", EnvRequire, EnvURL)
		}
		t.Skipf("skipped: needs PostgreSQL; set %s to a database URL on a server where tests may create databases (.ci/run starts one)", EnvURL)
	}
	return base
}

// URL creates a new, empty database on the test server and returns its
// connection string; the database is dropped (disconnecting any session
// still on it) when the test ends. It skips or fails like Server.
func URL(t testing.TB) string {
	t.Helper()
	base := Server(t)
	name := "mbtest_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("pgtest: connect to the test server: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("pgtest: connect to drop %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(t, base, name)
}

// withDatabase returns base with its database replaced by name.
func withDatabase(t testing.TB, base, name string) string {
	t.Helper()
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("pgtest: %s is not a URL", EnvURL)
		}
		u.Path = "/" + name
		return u.String()
	}
	// key=value form: a later dbname overrides an earlier one.
	return base + " dbname=" + name
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
