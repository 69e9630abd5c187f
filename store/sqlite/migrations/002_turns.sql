-- Conversation turns per Discord thread, for follow-up questions.
CREATE TABLE turns (
	thread_id TEXT    NOT NULL,
	seq       INTEGER NOT NULL,
	question  TEXT    NOT NULL,
	answer    TEXT    NOT NULL,
	at        INTEGER NOT NULL,                 -- Unix nanoseconds, UTC
	PRIMARY KEY (thread_id, seq)
);
