-- One row per corpus refresh, successful or not.
CREATE TABLE refreshes (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	at             INTEGER NOT NULL,            -- Unix nanoseconds, UTC
	added          INTEGER NOT NULL DEFAULT 0,
	updated        INTEGER NOT NULL DEFAULT 0,
	removed        INTEGER NOT NULL DEFAULT 0,
	embedded       INTEGER NOT NULL DEFAULT 0,
	total          INTEGER NOT NULL DEFAULT 0,
	rebuilt        INTEGER NOT NULL DEFAULT 0,
	rebuild_reason TEXT    NOT NULL DEFAULT '',
	warnings       TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
	duration_ms    INTEGER NOT NULL DEFAULT 0,
	error          TEXT    NOT NULL DEFAULT '',
	by_user        TEXT    NOT NULL DEFAULT ''    -- HashUser of who asked; '' for scheduled
);
CREATE INDEX refreshes_at ON refreshes(at);
