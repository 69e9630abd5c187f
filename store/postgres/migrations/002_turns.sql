-- Conversation turns per Discord thread, for follow-up questions. A global
-- identity orders them: concurrent appends from several replicas never
-- collide, as a per-thread counter computed with MAX()+1 would.
CREATE TABLE turns (
	id        BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	thread_id TEXT        NOT NULL,
	question  TEXT        NOT NULL,
	answer    TEXT        NOT NULL,
	at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX turns_thread ON turns (thread_id, id);
