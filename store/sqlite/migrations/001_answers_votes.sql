-- Answers the bot posted, and the 👍/👎 votes on them. Users appear only as
-- salted hashes (HashUser); raw Discord ids are never stored.
CREATE TABLE answers (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	interaction_id TEXT    NOT NULL,
	question       TEXT    NOT NULL,
	answer         TEXT    NOT NULL,
	doc_ids        TEXT    NOT NULL DEFAULT '[]', -- JSON array of document ids
	mode           TEXT    NOT NULL DEFAULT '',
	refused        INTEGER NOT NULL DEFAULT 0,
	created_at     INTEGER NOT NULL              -- Unix nanoseconds, UTC
);
CREATE INDEX answers_created_at ON answers(created_at);

CREATE TABLE votes (
	answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
	user_hash TEXT    NOT NULL,
	up        INTEGER NOT NULL,
	at        INTEGER NOT NULL,                 -- Unix nanoseconds, UTC
	PRIMARY KEY (answer_id, user_hash)
);
CREATE INDEX votes_down_at ON votes(up, at);
