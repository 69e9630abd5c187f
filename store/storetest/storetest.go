// Package storetest is the behaviour every store backend must show, as
// one suite that each backend's tests run against a fresh database: votes
// and feedback, thread memory, the refresh log, data that survives
// reopening, concurrent writers (through one handle and through two, as
// two replicas write), schema migrations applied at open and idempotent
// (also when several processes open a new database at once), and text and
// times that round-trip.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
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
	// Migrations lists the versions of the schema migrations applied, in
	// ascending order.
	Migrations(ctx context.Context) ([]int, error)
	Close() error
}

// Opener opens a backend on one test's database. Calling it again, also
// from several goroutines at once, opens the same data anew, as a
// restarted or a second process would.
type Opener func(ctx context.Context) (Backend, error)

// Fresh makes a new, empty database for one test and returns its Opener.
// The suite closes every backend it opens.
type Fresh func(t *testing.T) Opener

// connect opens a backend through open, failing the test on error, and
// closes it when the test ends.
func connect(t *testing.T, open Opener) Backend {
	t.Helper()
	s, err := open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

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
		{"migrations", testMigrations},
		{"text and times round-trip", testRoundTrip},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, fresh) })
	}
}

func testVotes(t *testing.T, fresh Fresh) {
	ctx := context.Background()
	s := connect(t, fresh(t))
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
	if !reflect.DeepEqual(normalFeedback(got), normalFeedback(want)) {
		t.Errorf("Feedback = %+v\nwant %+v", got, want)
	}
	if err := s.Vote(ctx, 9999, alice, true, t0); !errors.Is(err, store.ErrUnknownAnswer) {
		t.Errorf("vote on unknown answer: err = %v, want store.ErrUnknownAnswer", err)
	}
	if err := s.Vote(ctx, a1, "", true, t0); err == nil {
		t.Error("vote with empty user hash accepted")
	}
	empty := connect(t, fresh(t))
	if got, err := empty.Feedback(ctx, 5); err != nil || got.Up != 0 || got.Down != 0 || len(got.RecentDown) != 0 {
		t.Errorf("empty Feedback = %+v, %v", got, err)
	}
}

func testConcurrentWrites(t *testing.T, fresh Fresh) {
	ctx := context.Background()
	open := fresh(t)
	// Two handles on one database, as two replicas have.
	handles := []Backend{connect(t, open), connect(t, open)}
	const workers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*3)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := handles[w%len(handles)]
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
				if err := s.AppendTurn(ctx, "shared-thread", answer.Turn{Question: fmt.Sprint(w, "/", i), Answer: "a"}, t0); err != nil {
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
	for n, s := range handles {
		sum, err := s.Feedback(ctx, 0)
		if err != nil || sum.Up+sum.Down != workers*each || sum.Up != workers*each/2 {
			t.Errorf("handle %d: Feedback = %+v, %v; want %d votes, half up", n, sum, err, workers*each)
		}
		h, err := s.History(ctx, "shared-thread", 1000)
		if err != nil || len(h) != workers*each {
			t.Errorf("handle %d: History has %d turns, %v; want %d", n, len(h), err, workers*each)
		}
		// Each writer's own turns keep their order.
		last := map[string]int{}
		for _, tn := range h {
			var w, i int
			if _, err := fmt.Sscanf(tn.Question, "%d/%d", &w, &i); err != nil {
				t.Fatalf("turn %q: %v", tn.Question, err)
			}
			key := fmt.Sprint(w)
			if prev, ok := last[key]; ok && i <= prev {
				t.Errorf("handle %d: writer %d's turn %d listed after its turn %d", n, w, i, prev)
			}
			last[key] = i
		}
	}
}

func turn(q, a string) answer.Turn { return answer.Turn{Question: q, Answer: a} }

func testHistory(t *testing.T, fresh Fresh) {
	ctx := context.Background()
	open := fresh(t)
	s := connect(t, open)
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
	s = connect(t, open) // history survives a restart
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
	s := connect(t, open)
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
	s = connect(t, open)
	got, ok, err := s.LastRefresh(ctx)
	if err != nil || !ok {
		t.Fatalf("LastRefresh = %v, %v", ok, err)
	}
	if got.At.Location() != time.UTC {
		t.Errorf("LastRefresh.At is in %v, want UTC", got.At.Location())
	}
	got.At, newer.At = usec(got.At), usec(newer.At)
	if !reflect.DeepEqual(got, newer) {
		t.Errorf("LastRefresh = %+v\nwant %+v", got, newer)
	}
}

// usec is t to the microsecond, the precision every backend keeps.
func usec(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

// normalFeedback is sum with its times to the microsecond.
func normalFeedback(sum store.FeedbackSummary) store.FeedbackSummary {
	out := sum
	out.RecentDown = nil
	for _, it := range sum.RecentDown {
		it.At = usec(it.At)
		out.RecentDown = append(out.RecentDown, it)
	}
	return out
}

// testMigrations: a new database is migrated at open, by several
// processes opening it at once too; opening again applies nothing twice
// and keeps the data.
func testMigrations(t *testing.T, fresh Fresh) {
	ctx := context.Background()
	open := fresh(t)
	const openers = 4
	var wg sync.WaitGroup
	opened := make([]Backend, openers)
	errs := make([]error, openers)
	start := make(chan struct{})
	for i := range openers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			opened[i], errs[i] = open(ctx)
		}()
	}
	close(start)
	wg.Wait()
	var want []int
	for i := range openers {
		if errs[i] != nil {
			t.Fatalf("concurrent open %d: %v", i, errs[i])
		}
		s := opened[i]
		t.Cleanup(func() { s.Close() })
		got, err := s.Migrations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || got[0] != 1 {
			t.Fatalf("open %d: applied migrations %v, want 1, 2, …", i, got)
		}
		for k := 1; k < len(got); k++ {
			if got[k] != got[k-1]+1 {
				t.Fatalf("open %d: applied migrations %v have a gap or a repeat", i, got)
			}
		}
		if i == 0 {
			want = got
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("open %d: applied migrations %v, open 0 saw %v", i, got, want)
		}
	}
	// The schema is usable at once.
	if err := opened[1].AppendTurn(ctx, "m", turn("q", "a"), t0); err != nil {
		t.Fatal(err)
	}
	for _, s := range opened {
		s.Close()
	}
	again := connect(t, open)
	if got, err := again.Migrations(ctx); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("reopened: applied migrations %v, %v; want %v", got, err, want)
	}
	if h, err := again.History(ctx, "m", 5); err != nil || len(h) != 1 {
		t.Errorf("reopened: History = %v, %v; want the turn written before", h, err)
	}
}

// testRoundTrip: what users and documents write comes back as it was
// (backends that cannot store NUL keep U+FFFD instead), and times come back
// as the same instant, in UTC, whatever zone they were given in.
func testRoundTrip(t *testing.T, fresh Fresh) {
	ctx := context.Background()
	s := connect(t, fresh(t))
	long := strings.Repeat("Kenyan police in Haiti — 警察 🇭🇹 «quoted» 'single' \"double\" back\\slash\n", 400)
	cases := []struct{ name, question, answer string }{
		{"unicode and quotes", "Où sont les policiers kényans ? 🇰🇪", "Ils sont à Port-au-Prince [1]. It's \"fine\"; DROP TABLE answers;--"},
		{"long", long[:2000], long},
		{"empty answer", "q", ""},
		{"nul", "before\x00after", "a\x00b"},
	}
	zone := time.FixedZone("EAT", 3*60*60)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			thread := fmt.Sprint("rt-", i)
			if err := s.AppendTurn(ctx, thread, turn(tc.question, tc.answer), t0.In(zone)); err != nil {
				t.Fatal(err)
			}
			h, err := s.History(ctx, thread, 1)
			if err != nil || len(h) != 1 {
				t.Fatalf("History = %v, %v", h, err)
			}
			if !sameText(h[0].Question, tc.question) || !sameText(h[0].Answer, tc.answer) {
				t.Errorf("turn came back as %q / %q", h[0].Question, h[0].Answer)
			}
			id, err := s.SaveAnswer(ctx, store.AnswerRecord{Question: tc.question, Answer: tc.answer, DocIDs: []string{"a.txt", "b c.md"}, At: t0.In(zone)})
			if err != nil {
				t.Fatal(err)
			}
			at := t0.Add(time.Duration(i+1) * time.Hour).In(zone)
			if err := s.Vote(ctx, id, store.HashUser("s", "rt"), false, at); err != nil {
				t.Fatal(err)
			}
			sum, err := s.Feedback(ctx, 1)
			if err != nil || len(sum.RecentDown) != 1 {
				t.Fatalf("Feedback = %+v, %v", sum, err)
			}
			got := sum.RecentDown[0]
			if !sameText(got.Question, tc.question) || !sameText(got.Answer, tc.answer) {
				t.Errorf("feedback item came back as %q / %q", got.Question, got.Answer)
			}
			if !usec(got.At).Equal(usec(at)) || got.At.Location() != time.UTC {
				t.Errorf("vote time came back as %v, want %v in UTC", got.At, at)
			}
		})
	}
}

// sameText reports whether got is want, allowing U+FFFD for each NUL.
func sameText(got, want string) bool {
	return got == want || got == strings.ReplaceAll(want, "\x00", "\uFFFD")
}
