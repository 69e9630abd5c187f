-- Answers the bot posted, and the 👍/👎 votes on them. Users appear only as
-- salted hashes (store.HashUser); raw Discord ids are never stored.
CREATE TABLE answers (
	id             BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	interaction_id TEXT        NOT NULL,
	question       TEXT        NOT NULL,
	answer         TEXT        NOT NULL,
	doc_ids        TEXT[]      NOT NULL DEFAULT '{}',
	mode           TEXT        NOT NULL DEFAULT '',
	refused        BOOLEAN     NOT NULL DEFAULT false,
	created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX answers_created_at ON answers (created_at);

CREATE TABLE votes (
	answer_id BIGINT      NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
	user_hash TEXT        NOT NULL,
	up        BOOLEAN     NOT NULL,
	at        TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (answer_id, user_hash)
);
CREATE INDEX votes_down_at ON votes (up, at);
