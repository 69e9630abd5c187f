// Package storetest is the behaviour every store backend must show, as
// one suite that each backend's tests run against a fresh database: votes
// and feedback, thread memory, the refresh log, data that survives
// reopening, and concurrent writers.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"missionbot/answer"
	"missionbot/retrieval"
	"missionbot/store"
)

// Backend is what the suite exercises: the methods the bot uses.
type Backend interface {
	SaveAnswer(ctx context.Context, r store.AnswerRecord) (int64, error)
	Vote(ctx context.Context, answerID int64, userHash string, up bool, at time.Time) error
	Feedback(ctx context.Context, recent int) (store.FeedbackSummary, error)
	AppendTurn(ctx context.Context, threadID string, t answer.Turn, at time.Time) error
	History(ctx context.Context, threadID string, max int) ([]answer.Turn, error)
	RecordRefresh(ctx context.Context, r store.RefreshRecord) error
	LastRefresh(ctx context.Context) (store.RefreshRecord, bool, error)
	Close() error
}

// Fresh makes a new, empty database for one test and returns a function
// that opens it; calling that function again opens the same data anew, as
// a restarted process would. Opened backends are closed by the caller's
// cleanup.
type Fresh func(t *testing.T) (open func(t *testing.T) Backend)

var t0 = time.Date(2024, 6, 25, 12, 0, 0, 123456789, time.UTC)

// Run runs the whole suite, each case on a database of its own.
func Run(t *testing.T, fresh Fresh) {
	cases := []struct {
		name string
		run  func(t *testing.T, fresh Fresh)
	}{
		{"votes", testVotes},
		{"concurrent writers", testConcurrentWrites},
		{"history", testHistory},
		{"refresh log", testRefreshLog},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, fresh) })
	}
}

func testVotes(t *testing.T, fresh Fresh) {
	ctx := context.Background()
	s := fresh(t)(t)
	a1, err := s.SaveAnswer(ctx, store.AnswerRecord{InteractionID: "i1", Question: "q1", Answer: "a1", DocIDs: []string{"d1"}, Mode: "llm", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := s.SaveAnswer(ctx, store.AnswerRecord{Question: "q2", Answer: "a2", At: t0})
	a3, _ := s.SaveAnswer(ctx, store.AnswerRecord{Question: "q3", Answer: "a3", Refused: true, At: t0})
	alice, bob := store.HashUser("salt", "111"), store.HashUser("salt", "222")
	steps := []struct {
		id   int64
		user string
		up   bool
		at   time.Duration
	}{
		{a1, alice, true, 1}, {a1, alice, false, 2}, // changed mind: one vote, down
		{a1, bob, true, 3},
		{a2, alice, false, 4},
		{a3, bob, false, 5}, {a3, bob, false, 6}, // repeated: still one
	}
	for _, st := range steps {
		if err := s.Vote(ctx, st.id, st.user, st.up, t0.Add(st.at*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Feedback(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := store.FeedbackSummary{Up: 1, Down: 3, RecentDown: []store.FeedbackItem{
		{Question: "q3", Answer: "a3", At: t0.Add(6 * time.Minute)},
		{Question: "q2", Answer: "a2", At: t0.Add(4 * time.Minute)},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Feedback = %+v\nwant %+v", got, want)
	}
	if err := s.Vote(ctx, 9999, alice, true, t0); !errors.Is(err, store.ErrUnknownAnswer) {
		t.Errorf("vote on unknown answer: err = %v, want store.ErrUnknownAnswer", err)
	}
	if err := s.Vote(ctx, a1, "", true, t0); err == nil {
		t.Error("vote with empty user hash accepted")
	}
	empty := fresh(t)(t)
	if got, err := empty.Feedback(ctx, 5); err != nil || got.Up != 0 || got.Down != 0 || len(got.RecentDown) != 0 {
		t.Errorf("empty Feedback = %+v, %v", got, err)
	}
}

func testConcurrentWrites(t *testing.T, fresh Fresh) {
	ctx := context.Background()
	s := fresh(t)(t)
	const workers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := store.HashUser("s", fmt.Sprint(w))
			for i := range each {
				id, err := s.SaveAnswer(ctx, store.AnswerRecord{Question: fmt.Sprint(w, i), Answer: "a", At: t0})
				if err != nil {
					errs <- err
					continue
				}
				if err := s.Vote(ctx, id, user, i%2 == 0, t0); err != nil {
					errs <- err
				}
				if err := s.AppendTurn(ctx, "shared-thread", answer.Turn{Question: "q", Answer: "a"}, t0); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	sum, err := s.Feedback(ctx, 0)
	if err != nil || sum.Up+sum.Down != workers*each {
		t.Errorf("Feedback = %+v, %v; want %d votes", sum, err, workers*each)
	}
	h, err := s.History(ctx, "shared-thread", 1000)
	if err != nil || len(h) != workers*each {
		t.Errorf("History has %d turns, %v; want %d", len(h), err, workers*each)
	}
}

func turn(q, a string) answer.Turn { return answer.Turn{Question: q, Answer: a} }

func testHistory(t *testing.T, fresh Fresh) {
	ctx := context.Background()
	open := fresh(t)
	s := open(t)
	for i := 1; i <= 5; i++ {
		if err := s.AppendTurn(ctx, "t1", answer.Turn{Question: fmt.Sprint("q", i), Answer: fmt.Sprint("a", i)}, t0); err != nil {
			t.Fatal(err)
		}
	}
	s.AppendTurn(ctx, "t2", answer.Turn{Question: "other", Answer: "x"}, t0)
	if err := s.AppendTurn(ctx, "", answer.Turn{}, t0); err == nil {
		t.Error("empty thread id accepted")
	}
	s.Close()
	s = open(t) // history survives a restart
	tests := []struct {
		name, thread string
		max          int
		want         []answer.Turn
	}{
		{"last three oldest first", "t1", 3, []answer.Turn{turn("q3", "a3"), turn("q4", "a4"), turn("q5", "a5")}},
		{"more than there are", "t1", 10, []answer.Turn{turn("q1", "a1"), turn("q2", "a2"), turn("q3", "a3"), turn("q4", "a4"), turn("q5", "a5")}},
		{"other thread", "t2", 10, []answer.Turn{turn("other", "x")}},
		{"unknown thread", "t3", 10, nil},
		{"zero max", "t1", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.History(ctx, tc.thread, tc.max)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("History = %v, want %v", got, tc.want)
			}
		})
	}
}

func testRefreshLog(t *testing.T, fresh Fresh) {
	ctx := context.Background()
	open := fresh(t)
	s := open(t)
	if _, ok, err := s.LastRefresh(ctx); ok || err != nil {
		t.Fatalf("LastRefresh on empty store = %v, %v", ok, err)
	}
	older := store.RefreshRecord{At: t0, Stats: retrieval.RefreshStats{DocsAdded: 1}}
	newer := store.RefreshRecord{
		At: t0.Add(time.Hour),
		Stats: retrieval.RefreshStats{DocsAdded: 2, DocsUpdated: 3, DocsRemoved: 4, ChunksEmbedded: 50, ChunksTotal: 600,
			Rebuilt: true, RebuildReason: "embedder changed", Duration: 1500 * time.Millisecond, Warnings: []string{"bad.pdf: no text"}},
		Err: "partial", By: store.HashUser("s", "42"),
	}
	for _, r := range []store.RefreshRecord{newer, older} { // recorded out of order
		if err := s.RecordRefresh(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s = open(t)
	got, ok, err := s.LastRefresh(ctx)
	if err != nil || !ok {
		t.Fatalf("LastRefresh = %v, %v", ok, err)
	}
	if !reflect.DeepEqual(got, newer) {
		t.Errorf("LastRefresh = %+v\nwant %+v", got, newer)
	}
}
