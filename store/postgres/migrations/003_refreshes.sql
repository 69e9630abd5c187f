-- One row per corpus refresh, successful or not, by any replica.
CREATE TABLE refreshes (
	id             BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at             TIMESTAMPTZ NOT NULL,
	added          INTEGER     NOT NULL DEFAULT 0,
	updated        INTEGER     NOT NULL DEFAULT 0,
	removed        INTEGER     NOT NULL DEFAULT 0,
	embedded       INTEGER     NOT NULL DEFAULT 0,
	total          INTEGER     NOT NULL DEFAULT 0,
	rebuilt        BOOLEAN     NOT NULL DEFAULT false,
	rebuild_reason TEXT        NOT NULL DEFAULT '',
	warnings       TEXT[]      NOT NULL DEFAULT '{}',
	duration_ms    BIGINT      NOT NULL DEFAULT 0,
	error          TEXT        NOT NULL DEFAULT '',
	by_user        TEXT        NOT NULL DEFAULT ''  -- HashUser of who asked; '' for automatic ones
);
CREATE INDEX refreshes_at ON refreshes (at);
