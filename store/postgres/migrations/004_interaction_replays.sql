-- Signatures of the interaction requests some replica has accepted, kept
-- until the request stops being fresh, so a captured request is refused by
-- every replica (bot's replay check). Expired rows are swept periodically.
CREATE TABLE interaction_replays (
	signature  TEXT        PRIMARY KEY,
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX interaction_replays_expires ON interaction_replays (expires_at);
