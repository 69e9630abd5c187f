package retrieval

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"missionbot/corpus"
	"slices"
	"time"
)

// SourceStamp identifies the version of a corpus file an index was built
// from, so that a refresh can skip a file that has not changed without
// reading it: its size and modification time first, and the digest of
// its bytes when those differ (a file touched but not edited).
type SourceStamp struct {
	Size    int64
	ModTime time.Time
	// Sum is the SHA-256 of the file's bytes; zero when unknown (a
	// document handed to Refresh directly).
	Sum [sha256.Size]byte
	// Key is everything else that shaped the document, opaque to the
	// index: the caller's digest of the file's manifest entry and of the
	// program that parsed it. A different key means the file must be read
	// again even though its bytes are the same.
	Key string
}

// Known reports whether s identifies file contents (it has a digest): only
// such stamps let a refresh skip a file.
func (s SourceStamp) Known() bool { return s.Sum != [sha256.Size]byte{} }

// Unchanged reports whether a file stamped now is, without reading it, the
// one stamped was: same size, modification time and key, and was known.
func (s SourceStamp) Unchanged(now SourceStamp) bool {
	return s.Known() && s.Size == now.Size && s.ModTime.Equal(now.ModTime) && s.Key == now.Key
}

// SameContent reports whether s, a known stamp, records the contents now
// stamps: the same bytes (digest) and key, whatever the file's time.
func (s SourceStamp) SameContent(now SourceStamp) bool {
	return s.Known() && s.Sum == now.Sum && s.Key == now.Key
}

// SourceFile is one corpus file as a refresh sees it, and as the index
// records it afterwards.
type SourceFile struct {
	// DocID is the file's path in the corpus.
	DocID string
	Stamp SourceStamp
	// Doc is the document read from the file. Nil means the file is
	// unchanged: the index reuses the passages it holds for DocID, whose
	// recorded stamp must have the same Sum and Key (see Index.Files).
	Doc *corpus.Document
	// Skip says why the file yields no document (binary, empty after
	// cleaning, a broken PDF); empty otherwise. The index records it, so
	// that an unchanged file is reported again without being read.
	Skip string
}

// ErrIndexChanged is returned by Update when a file passed as unchanged is
// not recorded by the index with that content: another process's snapshot
// was loaded in between. The caller should scan again and retry.
var ErrIndexChanged = errors.New("the index changed during the refresh")

// Files is what an index records of the corpus files it was built from,
// sorted by DocID; Doc is always nil.
type Files []SourceFile

// Lookup returns the record of the file docID.
func (fs Files) Lookup(docID string) (SourceFile, bool) {
	i, ok := slices.BinarySearchFunc(fs, docID, func(f SourceFile, id string) int { return cmp.Compare(f.DocID, id) })
	if !ok {
		return SourceFile{}, false
	}
	return fs[i], true
}
