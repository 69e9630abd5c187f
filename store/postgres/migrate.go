package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"

	"missionbot/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockKey is the transaction-level advisory lock taken while
// migrating, so replicas that start together apply each migration once
// (the second waits, then finds it recorded). It differs from every
// Locker's key (those are hashed from a name).
const migrationLockKey int64 = 0x6d62_6d69_6772_6174 // "mbmigrat"

// migrations returns the embedded schema migrations in version order.
func migrations() ([]store.Migration, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return store.Migrations(sub)
}

// migrate applies the pending migrations in one transaction: PostgreSQL's
// DDL is transactional, so a failure leaves the schema as it was.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	return db.migrateTo(ctx, ms)
}

// migrateTo applies ms; tests pass a prefix to build an older schema.
func (db *DB) migrateTo(ctx context.Context, ms []store.Migration) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
			return fmt.Errorf("migrate: take migration lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER     PRIMARY KEY,
			applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
		)`); err != nil {
			return fmt.Errorf("migrate: create schema_migrations: %w", err)
		}
		applied := map[int]bool{}
		rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return fmt.Errorf("migrate: read applied versions: %w", err)
		}
		versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return fmt.Errorf("migrate: read applied versions: %w", err)
		}
		for _, v := range versions {
			applied[v] = true
		}
		for _, m := range ms {
			if applied[m.Version] {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.Version); err != nil {
				return fmt.Errorf("migration %s: record: %w", m.Name, err)
			}
			db.log.Info("applied store migration", "migration", m.Name, "database", db.where)
		}
		return nil
	})
}

// Migrations returns the versions of the schema migrations applied to the
// database, in ascending order.
func (db *DB) Migrations(ctx context.Context) ([]int, error) {
	ctx, cancel := db.op(ctx)
	defer cancel()
	rows, err := db.pool.Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("list applied migrations: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("list applied migrations: %w", classify(err))
	}
	return out, nil
}
