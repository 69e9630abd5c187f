// Package store keeps what the bot remembers between restarts: the answers
// it posted and the votes on them, the conversation turns of each thread,
// and the refresh log. This package holds the records and the rules every
// backend shares; the backends live beside it (store/sqlite, embedded and
// the default), and store/storetest is the behaviour suite they all pass.
package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"missionbot/retrieval"
	"time"
)

// ErrUnknownAnswer is returned by Vote for an answer id the store does
// not hold, e.g. a button on a message from before the database was reset.
var ErrUnknownAnswer = errors.New("unknown answer")

// ErrUnavailable is returned (wrapped with the operation and what was not
// recorded) when the database cannot be reached or stops answering: a
// server that is down, restarting or out of connections. Nothing was
// written; the caller tells the user and logs what was lost.
var ErrUnavailable = errors.New("the database is unavailable")

// AnswerRecord is one answer the bot posted.
type AnswerRecord struct {
	InteractionID string
	Question      string
	Answer        string
	// DocIDs are the cited documents.
	DocIDs  []string
	Mode    string
	Refused bool
	At      time.Time
}

// FeedbackItem is one down-voted answer.
type FeedbackItem struct {
	Question string
	Answer   string
	// At is when the latest down vote on the answer was cast.
	At time.Time
}

// FeedbackSummary totals the votes and lists recently down-voted answers,
// for the /feedback command.
type FeedbackSummary struct {
	Up, Down int
	// RecentDown holds the most recently down-voted answers, newest first.
	RecentDown []FeedbackItem
}

// RefreshRecord is one entry of the refresh log.
type RefreshRecord struct {
	At    time.Time
	Stats retrieval.RefreshStats
	// Err is the refresh's error text; empty when it succeeded.
	Err string
	// By is the HashUser of whoever asked for it; empty for automatic ones.
	By string
}

// HashUser returns the hex SHA-256 of salt followed by userID. The store
// keeps only these hashes, so a leaked database does not name users; the
// salt should be a per-deployment secret.
func HashUser(salt, userID string) string {
	sum := sha256.Sum256([]byte(salt + userID))
	return hex.EncodeToString(sum[:])
}
