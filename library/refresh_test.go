package library

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"missionbot/internal/synth"
	"missionbot/retrieval"
)

// refreshFixture is a corpus folder and a data directory, opened as a
// library again whenever a test wants a fresh process's view.
type refreshFixture struct {
	t      *testing.T
	corpus string
	data   string
}

func newRefreshFixture(t *testing.T) *refreshFixture {
	t.Helper()
	return &refreshFixture{t: t, corpus: t.TempDir(), data: t.TempDir()}
}

func (f *refreshFixture) open() *Library {
	f.t.Helper()
	l, err := Open(context.Background(), Options{DataDir: f.data, CorpusDir: f.corpus, Embedder: retrieval.NewLocalEmbedder(64)})
	if err != nil {
		f.t.Fatal(err)
	}
	return l
}

// write writes a corpus file and gives it a modification time of its own,
// so that a rewrite within the file system's time granularity still
// shows.
func (f *refreshFixture) write(name, text string, mtime time.Time) {
	f.t.Helper()
	p := filepath.Join(f.corpus, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		f.t.Fatal(err)
	}
	f.touch(name, mtime)
}

func (f *refreshFixture) touch(name string, mtime time.Time) {
	f.t.Helper()
	if err := os.Chtimes(filepath.Join(f.corpus, name), mtime, mtime); err != nil {
		f.t.Fatal(err)
	}
}

func (f *refreshFixture) snapshotTime() time.Time {
	f.t.Helper()
	fi, err := os.Stat(filepath.Join(f.data, "index", "index.snapshot"))
	if err != nil {
		f.t.Fatal(err)
	}
	return fi.ModTime()
}

func mustRefresh(t *testing.T, l *Library) retrieval.RefreshStats {
	t.Helper()
	st, err := l.Refresh(context.Background(), RefreshOptions{})
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	return st
}

// report is the text of a distinct made-up report number n.
func report(n int) string {
	return fmt.Sprintf("Report %d\n\n", n) + synth.Sentences(rand.New(rand.NewPCG(uint64(n), 5)), 2, 3)
}

// TestRefreshSkipsUnchangedFiles: a refresh reads only the files whose
// size, modification time or manifest entry changed, and hashes them
// before parsing, so a file touched but not edited costs a read and no
// re-chunking; the stamps survive a restart.
func TestRefreshSkipsUnchangedFiles(t *testing.T) {
	f := newRefreshFixture(t)
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 6 {
		f.write(filepath.Join("sub", "r"+string(rune('a'+i))+".txt"), report(i), t0)
	}
	f.write("broken.txt", "\x00\x01 binary", t0)
	l := f.open()
	first := mustRefresh(t, l)
	if first.FilesRead != 7 || first.FilesTotal != 7 || first.DocsAdded != 6 {
		t.Fatalf("first refresh %+v; want 7 of 7 files read, 6 documents", first)
	}

	steps := []struct {
		name                     string
		change                   func()
		reopen                   bool
		read, added, upd, remove int
		embedded                 bool
		wrote                    bool
	}{
		{name: "nothing changed", change: func() {}},
		{name: "nothing changed, new process", change: func() {}, reopen: true},
		{name: "one file edited", change: func() {
			f.write("sub/rc.txt", report(2)+"\n\nA second paragraph adds that schools reopened in Delmas on Monday.", t0.Add(time.Hour))
		}, read: 1, upd: 1, embedded: true, wrote: true},
		{name: "one file touched, not edited", change: func() { f.touch("sub/rd.txt", t0.Add(2*time.Hour)) }, read: 1, wrote: true},
		{name: "after the touch nothing is read", change: func() {}, reopen: true},
		{name: "a manifest entry changes one document", change: func() {
			f.write("manifest.json", `{"documents":[{"file":"sub/ra.txt","title":"Delmas patrol","publisher":"Wire"}]}`, t0)
		}, read: 1, upd: 1, wrote: true},
		{name: "one file removed", change: func() {
			if err := os.Remove(filepath.Join(f.corpus, "sub", "rf.txt")); err != nil {
				t.Fatal(err)
			}
		}, remove: 1, wrote: true},
		{name: "one file added", change: func() { f.write("new.txt", report(9), t0) }, read: 1, added: 1, embedded: true, wrote: true},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.change()
			if s.reopen {
				l = f.open()
			}
			before := f.snapshotTime()
			time.Sleep(10 * time.Millisecond) // so a rewrite shows in the snapshot's time
			st := mustRefresh(t, l)
			if st.FilesRead != s.read || st.DocsAdded != s.added || st.DocsUpdated != s.upd || st.DocsRemoved != s.remove {
				t.Errorf("read %d files, docs +%d ~%d -%d; want read %d, +%d ~%d -%d",
					st.FilesRead, st.DocsAdded, st.DocsUpdated, st.DocsRemoved, s.read, s.added, s.upd, s.remove)
			}
			if (st.ChunksEmbedded > 0) != s.embedded {
				t.Errorf("%d chunks embedded, want embedding %v", st.ChunksEmbedded, s.embedded)
			}
			if wrote := !f.snapshotTime().Equal(before); wrote != s.wrote {
				t.Errorf("snapshot rewritten = %v, want %v", wrote, s.wrote)
			}
			if !slices.ContainsFunc(st.Warnings, func(w string) bool { return strings.Contains(w, "broken.txt") }) {
				t.Errorf("the unparseable file is no longer reported: %q", st.Warnings)
			}
		})
	}
	if got := len(l.Sources()); got != 6 {
		t.Errorf("%d sources at the end, want 6", got)
	}
	for _, s := range l.Sources() {
		if s.DocID == "sub/ra.txt" && s.Title != "Delmas patrol" {
			t.Errorf("manifest title not applied: %+v", s.Meta)
		}
	}
}

// TestRefreshReportsWholeTimeAndStages: the stats and the progress count
// the whole refresh, scanning and loading the files included.
func TestRefreshReportsWholeTimeAndStages(t *testing.T) {
	f := newRefreshFixture(t)
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 300 {
		f.write(filepath.Join("d", strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26))+".txt"), report(i%20), t0)
	}
	l := f.open()
	var stages []retrieval.Stage
	var last retrieval.Progress
	loaded := 0
	st, err := l.Refresh(context.Background(), RefreshOptions{Progress: func(p retrieval.Progress) {
		if len(stages) == 0 || stages[len(stages)-1] != p.Stage {
			stages = append(stages, p.Stage)
		}
		if p.Elapsed < last.Elapsed {
			t.Errorf("elapsed went back: %+v after %+v", p, last)
		}
		if p.Stage == retrieval.StageLoading {
			loaded = p.Loaded
			if p.ToLoad != 300 {
				t.Errorf("loading progress %+v, want 300 files to load", p)
			}
		}
		last = p
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []retrieval.Stage{retrieval.StageScanning, retrieval.StageLoading, retrieval.StageEmbedding, retrieval.StageWriting}
	if !slices.Equal(stages, want) {
		t.Errorf("stages %v, want %v", stages, want)
	}
	if loaded != 300 {
		t.Errorf("loading progress ended at %d of 300", loaded)
	}
	if st.Duration < last.Elapsed || st.Duration <= 0 {
		t.Errorf("refresh took %v by its stats, but progress had reached %v", st.Duration, last.Elapsed)
	}
	if got := l.Stats().RefreshDuration; got < last.Elapsed-time.Millisecond {
		t.Errorf("the index records a refresh of %v, the progress reached %v", got, last.Elapsed)
	}
}

// TestRefreshRemovesLeftoverTemps: temporary snapshots a killed write left
// behind go at the next refresh, whatever their age: the writer lock is
// held, so none is a write in progress.
func TestRefreshRemovesLeftoverTemps(t *testing.T) {
	f := newRefreshFixture(t)
	f.write("a.txt", report(1), time.Now())
	l := f.open()
	leftover := filepath.Join(f.data, "index", ".index.snapshot.tmp-123456")
	if err := os.WriteFile(leftover, make([]byte, 1<<16), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRefresh(t, l)
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("leftover temporary snapshot still there after a refresh (stat: %v)", err)
	}
}

// Invented stories: a wire report, another outlet's edit of it, and an
// unrelated report.
const (
	wireReport = "Relief convoy reaches Gonaives\n\n3 May 2025 | By Harbor Wire\n\n" +
		"GONAIVES (Harbor Wire) — A convoy of 40 trucks carrying food and medicine reached the flooded city of Gonaives on Saturday after three days on damaged roads. " +
		"The World Food Programme said the trucks carried 600 tonnes of rice, beans and cooking oil, enough to feed 25,000 families for a month.\n\n" +
		"Local officials said the water had begun to recede in the northern districts but that 12 neighbourhoods were still cut off. " +
		"Aid groups warned that cholera cases could rise if clean water did not arrive within a week."
	outletCopy = "Aid trucks arrive in flooded Gonaives\n\n" +
		"GONAIVES (Harbor Wire) — Forty trucks loaded with food and medicine arrived in flooded Gonaives on Saturday, having spent three days on damaged roads. " +
		"According to the World Food Programme, the convoy carried 600 tonnes of rice, beans and cooking oil, which it said would feed 25,000 families for a month.\n\n" +
		"The water has started to recede in northern districts, local officials said, though 12 neighbourhoods remain cut off. " +
		"Cholera cases could rise unless clean water arrives within a week, aid groups warned."
)

// TestRefreshFoldsSyndicatedCopies: an outlet's copy of a wire story is
// folded into the dated original, said so in the stats and the sources,
// and comes back (without its file being read) when the original goes.
func TestRefreshFoldsSyndicatedCopies(t *testing.T) {
	f := newRefreshFixture(t)
	t0 := time.Date(2025, 5, 4, 8, 0, 0, 0, time.UTC)
	f.write("harbor-wire.txt", wireReport, t0)
	f.write("coastal-daily.txt", outletCopy, t0)
	f.write("other.txt", report(3), t0)
	l := f.open()
	st := mustRefresh(t, l)
	if len(st.Folded) != 1 || st.Folded[0].Copy.DocID != "coastal-daily.txt" || st.Folded[0].Into.DocID != "harbor-wire.txt" {
		t.Fatalf("folded %+v, want coastal-daily.txt into harbor-wire.txt", st.Folded)
	}
	srcs := l.Sources()
	if len(srcs) != 2 {
		t.Fatalf("%d sources, want 2 (the copy folded)", len(srcs))
	}
	for _, s := range srcs {
		if s.DocID == "harbor-wire.txt" && (len(s.AlsoReportedBy) != 1 || s.AlsoReportedBy[0].DocID != "coastal-daily.txt") {
			t.Errorf("harbor-wire.txt also reported by %+v, want coastal-daily.txt", s.AlsoReportedBy)
		}
	}
	res, err := l.Search(context.Background(), "How many tonnes of rice did the convoy to Gonaives carry?", 3)
	if err != nil || len(res.Passages) == 0 {
		t.Fatalf("search: %v, %d passages", err, len(res.Passages))
	}
	if p := res.Passages[0]; p.Meta.DocID != "harbor-wire.txt" || len(p.Corroborating) == 0 || p.Corroborating[0].DocID != "coastal-daily.txt" {
		t.Errorf("top passage from %s corroborated by %+v; want harbor-wire.txt also reported by coastal-daily.txt", p.Meta.DocID, p.Corroborating)
	}

	// Nothing changed: the fold is still reported.
	if st := mustRefresh(t, f.open()); st.FilesRead != 0 || len(st.Folded) != 1 {
		t.Errorf("no-change refresh read %d files, reported folds %+v", st.FilesRead, st.Folded)
	}
	if err := os.Remove(filepath.Join(f.corpus, "harbor-wire.txt")); err != nil {
		t.Fatal(err)
	}
	l = f.open()
	st = mustRefresh(t, l)
	if st.FilesRead != 0 || len(st.Folded) != 0 || st.DocsRemoved != 1 {
		t.Errorf("after removing the original: read %d files, folds %+v, %d removed; want the copy back unread", st.FilesRead, st.Folded, st.DocsRemoved)
	}
	var ids []string
	for _, s := range l.Sources() {
		ids = append(ids, s.DocID)
	}
	if !slices.Equal(ids, []string{"coastal-daily.txt", "other.txt"}) {
		t.Errorf("sources %v, want the copy back", ids)
	}
}
