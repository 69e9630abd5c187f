package retrieval

import (
	"missionbot/corpus"
	"time"
)

// Progress reports how far a refresh has come, for progress bars and the
// moderators' /refresh message.
type Progress struct {
	// Embedded counts chunks embedded so far; Total is how many need it.
	Embedded int
	Total    int
}

// RefreshStats summarises one refresh.
type RefreshStats struct {
	DocsAdded   int
	DocsUpdated int
	DocsRemoved int
	// ChunksEmbedded counts chunks that needed new vectors; ChunksTotal is
	// the size of the index after the refresh.
	ChunksEmbedded int
	ChunksTotal    int
	// Rebuilt is true when the whole index was rebuilt (first build,
	// --rebuild, an embedder change or an unreadable snapshot).
	Rebuilt bool
	// RebuildReason says why a rebuild happened; empty otherwise.
	RebuildReason string
	Duration      time.Duration
	// Warnings name the files that were skipped and why.
	Warnings []string
}

// SourceInfo is one indexed document and how many chunks it has.
type SourceInfo struct {
	corpus.Meta
	Chunks int `json:"chunks"`
}

// Stats describes the index currently serving queries.
type Stats struct {
	Documents int
	Chunks    int
	Embedder  EmbedderInfo
	// RefreshedAt is when the serving snapshot was built; zero if never.
	RefreshedAt     time.Time
	RefreshDuration time.Duration
}
