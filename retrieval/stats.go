package retrieval

import (
	"fmt"
	"missionbot/corpus"
	"time"
)

// Stage names what a refresh is doing, for progress reports.
type Stage string

// The stages of a refresh, in order. A refresh with nothing to do goes
// from StageScanning to the end.
const (
	// StageScanning lists the corpus files and compares their sizes and
	// modification times with what the index recorded.
	StageScanning Stage = "scanning"
	// StageLoading reads, cleans and chunks the files that changed.
	StageLoading Stage = "loading"
	// StageEmbedding embeds the chunks that are new.
	StageEmbedding Stage = "embedding"
	// StageWriting builds the new index and writes its snapshot.
	StageWriting Stage = "writing"
)

// Progress reports how far a refresh has come, for progress bars and the
// moderators' /refresh message.
type Progress struct {
	// Stage is what the refresh is doing.
	Stage Stage
	// Loaded counts the files read so far in StageLoading, of ToLoad (the
	// files whose size or modification time changed).
	Loaded int
	ToLoad int
	// Embedded counts chunks embedded so far; Total is how many need it.
	Embedded int
	Total    int
	// Elapsed is the time since the refresh started, loading included.
	Elapsed time.Duration
}

// String describes p in a few words for a progress line, such as
// "Loading files: 1200/5000" or "Embedding chunks: 120/480".
func (p Progress) String() string {
	switch p.Stage {
	case StageScanning:
		return "Scanning the corpus…"
	case StageLoading:
		return fmt.Sprintf("Loading files: %d/%d", p.Loaded, p.ToLoad)
	case StageWriting:
		return "Writing the index…"
	default:
		return fmt.Sprintf("Embedding chunks: %d/%d", p.Embedded, p.Total)
	}
}

// Fold records a document that is not indexed on its own because another
// document carries all of it: a syndicated copy of the same story, or a
// document every passage of which repeats passages of others. Nothing it
// states is lost: its passages are the cited copy's, which names it among
// the corroborating sources.
type Fold struct {
	// Copy is the document folded away.
	Copy corpus.Meta `json:"copy"`
	// Into is the document cited instead: the best-dated, most complete
	// copy (the one holding most of Copy's passages, when they were
	// spread over several).
	Into corpus.Meta `json:"into"`
}

// RefreshStats summarises one refresh.
type RefreshStats struct {
	DocsAdded   int
	DocsUpdated int
	DocsRemoved int
	// FilesRead counts the corpus files that were read because they are new
	// or their size or modification time changed; the others were skipped
	// unread. FilesTotal counts the files the refresh saw.
	FilesRead  int
	FilesTotal int
	// ChunksEmbedded counts chunks that needed new vectors; ChunksTotal is
	// the size of the index after the refresh.
	ChunksEmbedded int
	ChunksTotal    int
	// Rebuilt is true when the whole index was rebuilt (first build,
	// --rebuild, an embedder change or an unreadable snapshot).
	Rebuilt bool
	// RebuildReason says why a rebuild happened; empty otherwise.
	RebuildReason string
	// Duration is the wall time of the whole refresh: scanning and loading
	// the corpus, embedding, building and writing the index.
	Duration time.Duration
	// Warnings name the files that were skipped and why.
	Warnings []string
	// Folded lists the documents folded into others as copies, sorted by
	// the copy's DocID: every fold in the index after the refresh, not
	// only the new ones, so that no document is left out unsaid.
	Folded []Fold
}

// SourceInfo is one indexed document and how many chunks it has.
type SourceInfo struct {
	corpus.Meta
	Chunks int `json:"chunks"`
	// AlsoReportedBy lists the documents folded into this one as copies
	// of it (see Fold), sorted by DocID.
	AlsoReportedBy []corpus.Meta `json:"also_reported_by,omitempty"`
}

// Stats describes the index currently serving queries.
type Stats struct {
	Documents int
	Chunks    int
	Embedder  EmbedderInfo
	// RefreshedAt is when the serving snapshot was built; zero if never.
	RefreshedAt time.Time
	// RefreshDuration is the wall time of the refresh that built it,
	// loading the corpus included.
	RefreshDuration time.Duration
	// Folded counts the documents folded into others as copies.
	Folded int
}
